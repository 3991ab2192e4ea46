"""Proof-of-concept attachments: type from the content, size cap, encrypted at rest."""

from __future__ import annotations

from django.utils.translation import gettext as _

from spbe.core import uploads

MAX_BYTES = 10 * 1024 * 1024
MAX_FILES = 5
TYPES = {"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "pdf": "application/pdf", "txt": "text/plain",
         "mp4": "video/mp4"}


AttachmentRejected = uploads.UploadRejected


def check(name: str, data: bytes) -> uploads.CheckedUpload:
    checked = uploads.check(name, data, types=TYPES, max_bytes=MAX_BYTES, fallback="attachment",
                            wrong_type=_("Attach screenshots (PNG, JPEG), PDF, plain text or MP4 only."),
                            too_large=_("The file is too large; the limit is 10 MB."))
    if checked.content_type == "application/pdf" and uploads.pdf_has_active_content(data):
        raise AttachmentRejected(uploads.mismatch_message(uploads.extension(name)))  # a PDF that runs code is not a PDF to us
    return checked
