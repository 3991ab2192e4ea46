"""Checks on uploaded bukti dukung: type from the content (not the name), size, hash.

Accepted: PDF, PNG, JPEG, Office Open XML (docx/xlsx/pptx), OpenDocument (odt/ods/odp) and
MP4 video (assessors ask for recordings of applications in use). Anything else, anything whose
content does not match its extension, encrypted or script-bearing PDFs are refused.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

ALLOWED = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "odp": "application/vnd.oasis.opendocument.presentation",
    "mp4": "video/mp4",
}
OOXML_MARKERS = {"docx": "word/", "xlsx": "xl/", "pptx": "ppt/"}


class EvidenceRejected(ValueError):
    pass


@dataclass(frozen=True)
class CheckedFile:
    extension: str
    content_type: str
    size: int
    sha256: str
    searchable: bool | None


def max_bytes() -> int:
    return getattr(settings, "EVALUATION_EVIDENCE_MAX_BYTES", 20 * 1024 * 1024)


def _sniff(extension: str, head: bytes, data: bytes) -> bool:
    if extension == "pdf":
        return head.startswith(b"%PDF-")
    if extension == "png":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if extension in ("jpg", "jpeg"):
        return head.startswith(b"\xff\xd8\xff")
    if extension == "mp4":
        return head[4:8] == b"ftyp"
    if not head.startswith(b"PK\x03\x04"):
        return False
    from spbe.core.uploads import zip_within_limits

    if not zip_within_limits(data):
        return False  # a decompression bomb is not a document
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            if extension in OOXML_MARKERS:
                return "[Content_Types].xml" in names and any(n.startswith(OOXML_MARKERS[extension]) for n in names)
            mimetype = archive.read("mimetype").decode("ascii", "replace").strip() if "mimetype" in names else ""
            return mimetype == ALLOWED[extension]
    except (zipfile.BadZipFile, KeyError, RuntimeError):
        return False


def check_upload(name: str, data: bytes) -> CheckedFile:
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in ALLOWED:
        raise EvidenceRejected(
            _("File type .%(ext)s is not accepted. Use PDF, images, office documents or MP4.") % {"ext": extension or "?"}
        )
    if len(data) == 0:
        raise EvidenceRejected(_("The file is empty."))
    if len(data) > max_bytes():
        raise EvidenceRejected(
            _("The file is too large (%(size)s MB); the limit is %(limit)s MB.")
            % {"size": round(len(data) / 1048576, 1), "limit": max_bytes() // 1048576}
        )
    if not _sniff(extension, data[:16], data):
        raise EvidenceRejected(_("The file content does not match its .%(ext)s extension.") % {"ext": extension})
    searchable = None
    if extension == "pdf":
        if b"/Encrypt" in data:
            raise EvidenceRejected(_("Encrypted PDFs cannot be assessed; upload an unprotected copy."))
        if b"/JavaScript" in data or b"/JS " in data or b"/Launch" in data:
            raise EvidenceRejected(_("PDFs with embedded scripts or launch actions are not accepted."))
        # A text layer needs fonts; a bare scan has none (assessors ask for searchable scans).
        searchable = b"/Font" in data
    return CheckedFile(extension, ALLOWED[extension], len(data), hashlib.sha256(data).hexdigest(), searchable)
