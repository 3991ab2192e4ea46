"""Proof-of-concept attachments: type from the content, size cap, encrypted at rest."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.utils.translation import gettext as _

from spbe.core import uploads

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


def check(name: str, data: bytes) -> Checked:
    ext = uploads.extension(name)
    if ext not in TYPES:
        raise AttachmentRejected(_("Attach screenshots (PNG, JPEG), PDF, plain text or MP4 only."))
    if not data:
        raise AttachmentRejected(_("The file is empty."))
    if len(data) > MAX_BYTES:
        raise AttachmentRejected(_("The file is too large; the limit is 10 MB."))
    if not uploads.content_matches(ext, data) or (ext == "pdf" and uploads.pdf_has_active_content(data)):
        raise AttachmentRejected(_("The file content does not match its .%(ext)s extension.") % {"ext": ext})
    return Checked(uploads.safe_name(name, ext, "attachment"), TYPES[ext], len(data), hashlib.sha256(data).hexdigest(), data)
