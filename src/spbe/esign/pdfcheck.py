"""Refuse files we cannot sign or verify, with a message the user understands."""

from __future__ import annotations

import io

from django.conf import settings
from django.utils.translation import gettext as _


class BadPdf(ValueError):
    pass


def max_bytes() -> int:
    return getattr(settings, "ESIGN_MAX_BYTES", 20 * 1024 * 1024)


def check_pdf(data: bytes) -> int:
    """Returns the page count; BadPdf names what is wrong (not a PDF, encrypted, corrupt, too large)."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    if not data:
        raise BadPdf(_("The file is empty."))
    if len(data) > max_bytes():
        raise BadPdf(_("The file is too large (%(size)s MB); the limit is %(limit)s MB.")
                     % {"size": round(len(data) / 1048576, 1), "limit": max_bytes() // 1048576})
    if not data[:1024].lstrip().startswith(b"%PDF-"):
        raise BadPdf(_("This is not a PDF file."))
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise BadPdf(_("The PDF is password-protected; upload an unprotected copy."))
        pages = len(reader.pages)
    except BadPdf:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError) as exc:
        raise BadPdf(_("The PDF is damaged and cannot be read.")) from exc
    if pages == 0:
        raise BadPdf(_("The PDF has no pages."))
    return pages
