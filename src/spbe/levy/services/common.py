"""Shared helpers of the levy services: the levy institution, random codes, today's date, caches,
the partner API's time format."""

from __future__ import annotations

import logging
import secrets
from datetime import UTC, date, datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from spbe.core.models import Institution
from spbe.core.services import ServiceError

from .. import codec


CODE_ALPHABET = codec.REFERENCE_ALPHABET


logger = logging.getLogger("spbe.levy")


_INSTITUTION: dict[str, Institution] = {}  # institutions are never deleted (PROTECT), so caching by code is safe


def levy_institution() -> Institution:
    cached = _INSTITUTION.get(settings.LEVY_INSTITUTION_CODE)
    if cached is not None:
        return cached
    institution = Institution.objects.filter(code=settings.LEVY_INSTITUTION_CODE).first()
    if institution is not None:
        code = settings.LEVY_INSTITUTION_CODE
        transaction.on_commit(lambda: _INSTITUTION.__setitem__(code, institution))
    if institution is None:
        raise ServiceError(_("The levy is not configured: no institution %(code)s.") % {"code": settings.LEVY_INSTITUTION_CODE})
    return institution


def clear_caches() -> None:
    """Forget cached institution and signing key (tests roll back rows without signals)."""
    _INSTITUTION.clear()
    _ACTIVE_KEY.clear()


def _random_code(length: int) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def _unique_code(model, field: str, prefix: str, length: int) -> str:
    for _attempt in range(20):
        code = prefix + _random_code(length)
        if not model.objects.filter(**{field: code}).exists():
            return code
    raise RuntimeError("could not find a free code")  # 31^8 codes: only a broken RNG gets here


def _today() -> date:
    return timezone.localdate()


_ACTIVE_KEY: dict = {}


ACTIVE_KEY_CACHE_SECONDS = 60  # after a rotation other processes sign with the old key (still valid) this long


def utc_timestamp(value) -> str | None:
    """The partner API's one time convention: ISO 8601 in UTC with a Z, whole seconds."""
    if value in (None, ""):
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
    return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
