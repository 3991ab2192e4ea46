"""Shared checks for uploaded files: the type comes from the content, never from the name."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.utils.translation import gettext as _

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


def zip_within_limits(data: bytes, *, max_total: int = 200 * 1024 * 1024, max_ratio: int = 200,
                      max_members: int = 20_000) -> bool:
    """An archive (office documents are zips) whose members, once inflated, stay within bounds:
    total size, number of members, and no member inflating more than ``max_ratio`` times."""
    import io
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, RuntimeError):
        return False
    if len(members) > max_members or sum(m.file_size for m in members) > max_total:
        return False
    return all(m.file_size <= 1024 * 1024 or m.file_size <= max_ratio * max(m.compress_size, 1) for m in members)


class UploadRejected(ValueError):
    """An upload refused with a message for the user."""


@dataclass(frozen=True)
class CheckedUpload:
    name: str  # safe to store and show
    content_type: str
    size: int
    sha256: str
    data: bytes


def check(name: str, data: bytes, *, types: dict[str, str], max_bytes: int, wrong_type: str, too_large: str,
          fallback: str = "file") -> CheckedUpload:
    """The checks every upload gets: an allowed extension, not empty, within ``max_bytes``, and
    content that is what the extension claims. Modules add their own rules on the result."""
    ext = extension(name)
    if ext not in types:
        raise UploadRejected(wrong_type)
    if not data:
        raise UploadRejected(_("The file is empty."))
    if len(data) > max_bytes:
        raise UploadRejected(too_large)
    if not content_matches(ext, data):
        raise UploadRejected(mismatch_message(ext))
    return CheckedUpload(safe_name(name, ext, fallback), types[ext], len(data), hashlib.sha256(data).hexdigest(), data)


def mismatch_message(ext: str) -> str:
    return _("The file content does not match its .%(ext)s extension.") % {"ext": ext}
