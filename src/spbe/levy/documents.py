"""Checks on exemption documents (passport, visa or KITAS scans): type from content, size."""

from __future__ import annotations

from django.utils.translation import gettext as _

from spbe.core import uploads

MAX_BYTES = 5 * 1024 * 1024
MAX_FILES = 5
TYPES = {"pdf": "application/pdf", "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg"}


DocumentRejected = uploads.UploadRejected


def check(name: str, data: bytes) -> uploads.CheckedUpload:
    checked = uploads.check(name, data, types=TYPES, max_bytes=MAX_BYTES, fallback="document",
                            wrong_type=_("Only PDF, JPEG or PNG files are accepted."),
                            too_large=_("The file is too large; the limit is 5 MB."))
    if checked.content_type == "application/pdf" and (uploads.pdf_has_active_content(data) or b"/Encrypt" in data):
        raise DocumentRejected(_("PDFs with scripts, launch actions or passwords are not accepted."))
    return checked
