"""Shared checks for uploaded files: the type comes from the content, never from the name."""

from __future__ import annotations

SIGNATURES = {
    "pdf": lambda data: data.startswith(b"%PDF-"),
    "png": lambda data: data.startswith(b"\x89PNG\r\n\x1a\n"),
    "jpg": lambda data: data.startswith(b"\xff\xd8\xff"),
    "jpeg": lambda data: data.startswith(b"\xff\xd8\xff"),
    "mp4": lambda data: data[4:8] == b"ftyp",
}
PDF_ACTIVE_CONTENT = (b"/JavaScript", b"/JS ", b"/Launch")


def extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def content_matches(ext: str, data: bytes) -> bool:
    """True when the bytes are what the extension claims (pdf, png, jpg/jpeg, mp4, txt)."""
    if ext == "txt":
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            return False
        lowered = text.lower()  # plain text only: nothing a browser could run if served wrongly
        return "\x00" not in text and "<script" not in lowered and "<html" not in lowered
    check = SIGNATURES.get(ext)
    return bool(check and check(data))


def pdf_has_active_content(data: bytes) -> bool:
    return any(marker in data for marker in PDF_ACTIVE_CONTENT)


def safe_name(name: str, ext: str, fallback: str = "file") -> str:
    return "".join(c for c in name if c.isalnum() or c in "._- ")[:150] or f"{fallback}.{ext}"
