"""Proof-of-concept attachments: type from the content, size cap, encrypted at rest."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.utils.translation import gettext as _

MAX_BYTES = 10 * 1024 * 1024
MAX_FILES = 5
TYPES = {"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "pdf": "application/pdf", "txt": "text/plain",
         "mp4": "video/mp4"}


class AttachmentRejected(ValueError):
    pass


@dataclass(frozen=True)
class Checked:
    name: str
    content_type: str
    size: int
    sha256: str
    data: bytes


def _matches(ext: str, data: bytes) -> bool:
    if ext == "png":
        return data.startswith(b"\x89PNG\r\n\x1a\n")
    if ext in ("jpg", "jpeg"):
        return data.startswith(b"\xff\xd8\xff")
    if ext == "pdf":
        return data.startswith(b"%PDF-") and b"/JavaScript" not in data and b"/Launch" not in data
    if ext == "mp4":
        return data[4:8] == b"ftyp"
    try:  # txt: real text, no markup that a browser could run if someone served it wrongly
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    lowered = text.lower()
    return "\x00" not in text and "<script" not in lowered and "<html" not in lowered


def check(name: str, data: bytes) -> Checked:
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in TYPES:
        raise AttachmentRejected(_("Attach screenshots (PNG, JPEG), PDF, plain text or MP4 only."))
    if not data:
        raise AttachmentRejected(_("The file is empty."))
    if len(data) > MAX_BYTES:
        raise AttachmentRejected(_("The file is too large; the limit is 10 MB."))
    if not _matches(ext, data):
        raise AttachmentRejected(_("The file content does not match its .%(ext)s extension.") % {"ext": ext})
    safe = "".join(c for c in name if c.isalnum() or c in "._- ")[:150] or f"attachment.{ext}"
    return Checked(safe, TYPES[ext], len(data), hashlib.sha256(data).hexdigest(), data)
