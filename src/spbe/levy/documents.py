"""Checks on exemption documents (passport, visa or KITAS scans): type from content, size."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.utils.translation import gettext as _

from spbe.core import uploads

MAX_BYTES = 5 * 1024 * 1024
MAX_FILES = 5
TYPES = {"pdf": "application/pdf", "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg"}


class DocumentRejected(ValueError):
    pass


@dataclass(frozen=True)
class CheckedDocument:
    name: str
    content_type: str
    size: int
    sha256: str
    data: bytes


def check(name: str, data: bytes) -> CheckedDocument:
    extension = uploads.extension(name)
    if extension not in TYPES:
        raise DocumentRejected(_("Only PDF, JPEG or PNG files are accepted."))
    if not data:
        raise DocumentRejected(_("The file is empty."))
    if len(data) > MAX_BYTES:
        raise DocumentRejected(_("The file is too large; the limit is 5 MB."))
    if not uploads.content_matches(extension, data):
        raise DocumentRejected(_("The file content does not match its .%(ext)s extension.") % {"ext": extension})
    if extension == "pdf" and (uploads.pdf_has_active_content(data) or b"/Encrypt" in data):
        raise DocumentRejected(_("PDFs with scripts, launch actions or passwords are not accepted."))
    return CheckedDocument(uploads.safe_name(name, extension, "document"), TYPES[extension], len(data), hashlib.sha256(data).hexdigest(), data)
