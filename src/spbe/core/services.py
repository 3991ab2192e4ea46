"""Writes to institutions, agencies, users, memberships and API tokens.

Every function checks the acting user's rights through ``permissions`` and records an
audit event in the same transaction. ``by=None`` means the system itself (commands, demo
data, migrations) and skips the rights check.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from spbe.audit import services as audit

from . import permissions
from .models import Agency, ApiToken, Institution, Membership, User
from .roles import STAFF_ROLES, Role


class ServiceError(Exception):
    """A request that cannot be carried out; ``message`` is shown to the user."""

    status = 400
    code = "invalid"

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        if code:
            self.code = code


class NotAuthenticated(ServiceError):
    status = 401
    code = "not_authenticated"


class ConflictError(ServiceError):
    status = 409
    code = "conflict"


class RateLimited(ServiceError):
    """The caller is over a rate limit; the API answers 429 with Retry-After."""

    status = 429
    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: int = 60, **kwargs):
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class ServiceUnavailable(ServiceError):
    """A service behind the platform (a bank, BSrE) cannot be reached; the API answers 503 with
    Retry-After, and the caller may simply try again."""

    status = 503
    code = "service_unavailable"

    def __init__(self, message: str, *, retry_after: int = 60, **kwargs):
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


def _require_platform_wide(by, perm: str) -> None:
    """Some writes (new institutions, top-level agencies) need platform-wide reach."""
    if by is not None and not permissions.user_scope(by, perm).everything:
        raise PermissionDenied(perm)


def delete_or_conflict(obj) -> None:
    """Delete ``obj``, or raise ConflictError (409) naming the records that still use it."""
    from collections import Counter

    from django.db.models import ProtectedError, RestrictedError

    try:
        with transaction.atomic():
            obj.delete()
    except (ProtectedError, RestrictedError) as exc:
        blockers = getattr(exc, "protected_objects", None) or getattr(exc, "restricted_objects", None) or []
        counts = Counter(str(b._meta.verbose_name_plural) for b in blockers)
        what = ", ".join(f"{name} ({count})" for name, count in counts.items())
        error = ConflictError(_("This record is still in use and cannot be deleted: %(what)s.") % {"what": what},
                              code="in_use")
        error.details = [{"field": None, "message": f"{name}: {count}", "type": "blocked_by"}
                         for name, count in counts.items()]
        raise error from None


def full_clean_or_raise(obj) -> None:
    try:
        obj.full_clean()
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise ServiceError(" ".join(messages), field=None if field == "__all__" else field) from exc


# --- institutions and agencies --------------------------------------------------------


@transaction.atomic
def create_institution(*, code: str, name: str, kind: str, by=None) -> Institution:
    _require_platform_wide(by, "core.add_institution")
    institution = Institution(code=code, name=name, kind=kind)
    full_clean_or_raise(institution)
    institution.save()
    audit.record("core.institution.created", institution, data={"code": code, "name": name, "kind": kind})
    return institution


def _path_for(agency: Agency) -> str:
    return f"{agency.parent.path if agency.parent else '/'}{agency.pk}/"


@transaction.atomic
def create_agency(
    *,
    institution: Institution,
    code: str,
    name: str,
    kind: str = Agency.Kind.DINAS,
    parent: Agency | None = None,
    short_name: str = "",
    email: str = "",
    by=None,
) -> Agency:
    if parent is not None:
        permissions.require_unless_system(by, "core.add_agency", parent)
        if parent.institution_id != institution.pk:
            raise ServiceError(_("The parent agency belongs to another institution."), field="parent")
    else:
        _require_platform_wide(by, "core.add_agency")
    agency = Agency(
        institution=institution,
        parent=parent,
        code=code,
        name=name,
        kind=kind,
        short_name=short_name,
        email=email,
    )
    full_clean_or_raise(agency)
    agency.save()
    agency.path = _path_for(agency)
    agency.save(update_fields=["path"])
    audit.record(
        "core.agency.created",
        agency,
        data={"code": code, "name": name, "kind": kind, "parent": parent.pk if parent else None},
    )
    return agency


AGENCY_EDITABLE_FIELDS = ("name", "short_name", "kind", "email", "is_active")


@transaction.atomic
def update_agency(agency: Agency, *, by=None, **changes) -> Agency:
    permissions.require_unless_system(by, "core.change_agency", agency)
    unknown = set(changes) - set(AGENCY_EDITABLE_FIELDS)
    if unknown:
        raise ServiceError(_("These fields cannot be changed: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    before = {name: getattr(agency, name) for name in changes}
    for name, value in changes.items():
        setattr(agency, name, value)
    full_clean_or_raise(agency)
    agency.save()
    audit.record("core.agency.updated", agency, data={"before": before, "after": changes})
    return agency


# --- users and memberships ----------------------------------------------------------


@transaction.atomic
def create_user(
    *, username: str, email: str = "", full_name: str = "", password: str | None = None, by=None
) -> User:
    permissions.require_unless_system(by, "core.add_membership")
    if User.objects.filter(username__iexact=username).exists():
        raise ConflictError(_("A user with this username already exists."), field="username")
    user = User(username=username, email=email, full_name=full_name)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    full_clean_or_raise(user)
    user.save()
    audit.record("core.user.created", user, agency=None, data={"username": username, "email": email})
    return user


def password_setup_url(user: User) -> str:
    """An absolute one-time link with which ``user`` chooses a password (invitations)."""
    from django.conf import settings
    from django.contrib.auth.tokens import default_token_generator
    from django.urls import reverse
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    path = reverse("core:set-password", args=[urlsafe_base64_encode(force_bytes(user.pk)), default_token_generator.make_token(user)])
    return settings.SITE_URL.rstrip("/") + path


def _sync_staff_flag(user: User) -> None:
    """Admin access follows memberships: only administrative roles see Django admin."""
    permissions.forget_cached_scopes(user)
    wants_staff = user.is_superuser or Membership.objects.filter(
        user=user, is_active=True, role__in=list(STAFF_ROLES)
    ).exists()
    if user.is_staff != wants_staff:
        user.is_staff = wants_staff
        user.save(update_fields=["is_staff"])


def _require_may_grant(by, role: str, agency: Agency) -> None:
    if by is not None and not permissions.may_grant(by, role, agency):
        raise PermissionDenied("role not grantable here")


def _is_last_platform_admin(membership: Membership) -> bool:
    if membership.role != Role.PLATFORM_ADMIN:
        return False
    others = Membership.objects.filter(role=Role.PLATFORM_ADMIN, is_active=True, user__is_active=True).exclude(
        pk=membership.pk
    )
    return not any(m.is_current() for m in others)


@transaction.atomic
def grant_membership(*, user: User, agency: Agency, role: str, valid_until=None, by=None) -> Membership:
    """Give ``user`` a role in ``agency``; the delegation rules live in ``permissions.may_grant``."""
    if role not in Role.values:
        raise ServiceError(_("Unknown role: %(role)s") % {"role": role}, field="role")
    if by is not None and not permissions.may_grant_by_delegation(by, role, agency):
        permissions.require(by, "core.add_membership", agency)
    _require_may_grant(by, role, agency)
    if by is not None and not permissions.may_grant_to(by, user):
        raise ServiceError(
            _("This user works for another institution; only a platform administrator can give them a role here."),
            code="foreign_user", field="username",
        )
    membership, created = Membership.objects.get_or_create(
        user=user, agency=agency, role=role, defaults={"valid_until": valid_until}
    )
    if not created:
        if membership.is_active:
            raise ConflictError(_("This user already has this role in this agency."))
        membership.is_active = True
        membership.valid_until = valid_until
        membership.save(update_fields=["is_active", "valid_until"])
    _sync_staff_flag(user)
    audit.record(
        "core.membership.granted",
        membership,
        actor=by,
        data={"user": user.username, "role": role, "agency": agency.pk, "valid_until": valid_until},
    )
    return membership


@transaction.atomic
def revoke_membership(membership: Membership, *, by=None) -> Membership:
    membership = Membership.objects.select_for_update().select_related("agency", "user").get(pk=membership.pk)
    if by is not None and not permissions.may_grant_by_delegation(by, membership.role, membership.agency):
        permissions.require(by, "core.delete_membership", membership)
    _require_may_grant(by, membership.role, membership.agency)
    if not membership.is_active:
        raise ConflictError(_("This membership has already been revoked."))
    # Lock every platform-admin row so two admins cannot remove each other at the same time.
    list(Membership.objects.select_for_update().filter(role=Role.PLATFORM_ADMIN, is_active=True))
    if _is_last_platform_admin(membership):
        raise ConflictError(_("The last platform administrator cannot be removed."), code="last_platform_admin")
    membership.is_active = False
    membership.save(update_fields=["is_active"])
    _sync_staff_flag(membership.user)
    audit.record(
        "core.membership.revoked",
        membership,
        actor=by,
        data={"user": membership.user.username, "role": membership.role, "agency": membership.agency_id},
    )
    return membership


# --- API tokens ---------------------------------------------------------------------


@transaction.atomic
def issue_api_token(*, user: User, name: str, expires_at: datetime | None = None, by=None) -> tuple[ApiToken, str]:
    """Create a token for ``user``; the raw value is returned once and never stored. Every token
    expires: by default after API_TOKEN_DEFAULT_DAYS, never later than API_TOKEN_MAX_DAYS."""
    from datetime import timedelta

    if by is not None and by.pk != user.pk and not by.is_superuser:
        raise PermissionDenied("tokens are issued to oneself")
    if not name.strip():
        raise ServiceError(_("A token needs a name."), field="name")
    now = timezone.now()
    if expires_at is None:
        expires_at = now + timedelta(days=settings.API_TOKEN_DEFAULT_DAYS)
    if timezone.is_naive(expires_at):
        expires_at = timezone.make_aware(expires_at)
    if expires_at <= now:
        raise ServiceError(_("The expiry date must be in the future."), field="expires_at")
    if expires_at > now + timedelta(days=settings.API_TOKEN_MAX_DAYS):
        raise ServiceError(_("A token can be valid for at most %(days)s days.") % {"days": settings.API_TOKEN_MAX_DAYS},
                           field="expires_at")
    raw = settings.API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name.strip()[:100],
        prefix=raw[: len(settings.API_TOKEN_PREFIX) + 6],
        token_hash=ApiToken.hash_token(raw),
        expires_at=expires_at,
    )
    audit.record("core.api_token.issued", token, agency=None, actor=by,
                 data={"user": user.username, "name": token.name, "expires_at": expires_at.isoformat()})
    return token, raw


@transaction.atomic
def revoke_api_token(token: ApiToken, *, by=None) -> ApiToken:
    if by is not None and by.pk != token.user_id and not by.is_superuser:
        raise PermissionDenied("not your token")
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit.record("core.api_token.revoked", token, agency=None, data={"user": token.user.username})
    return token


def authenticate_api_token(raw: str) -> ApiToken | None:
    """The token behind a bearer value, or None. Marks it used (at most once a minute)."""
    if not raw or not raw.startswith(settings.API_TOKEN_PREFIX):
        return None
    token = ApiToken.objects.select_related("user").filter(token_hash=ApiToken.hash_token(raw)).first()
    if token is None or not token.is_usable() or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


API_TOKEN_REMINDER_DAYS = 7


def remind_expiring_api_tokens(now: datetime | None = None) -> int:
    """E-mail each owner once when a usable token expires within API_TOKEN_REMINDER_DAYS, in the
    owner's language, so a machine client is renewed before it stops. Returns mails queued."""
    from datetime import timedelta

    from django.urls import reverse
    from django.utils import formats, translation

    from .tasks import send_notification_email

    now = now or timezone.now()
    due = ApiToken.objects.select_related("user").filter(
        revoked_at__isnull=True, expiry_reminder_sent_at__isnull=True,
        expires_at__gt=now, expires_at__lte=now + timedelta(days=API_TOKEN_REMINDER_DAYS),
        user__is_active=True,
    ).exclude(user__email="")
    sent = 0
    for token in due:
        # The conditional update makes a second scheduler or a re-run send nothing twice.
        if not ApiToken.objects.filter(pk=token.pk, expiry_reminder_sent_at__isnull=True).update(
                expiry_reminder_sent_at=now):
            continue
        with translation.override(token.user.preferred_language or settings.LANGUAGE_CODE):
            expires = formats.date_format(timezone.localtime(token.expires_at), "DATETIME_FORMAT")
            subject = _("Your API token “%(name)s” expires on %(date)s") % {"name": token.name, "date": expires}
            body = _(
                "The API token “%(name)s” (%(prefix)s…) stops working on %(date)s.\n"
                "Issue a new token and update the client that uses it: %(url)s\n"
            ) % {"name": token.name, "prefix": token.prefix, "date": expires,
                 "url": settings.SITE_URL.rstrip("/") + reverse("core:account")}
        transaction.on_commit(lambda r=[token.user.email], s=subject, b=body: send_notification_email.enqueue(r, s, b))
        audit.record("core.api_token.expiry_reminded", token, agency=None,
                     data={"user": token.user.username, "expires_at": token.expires_at.isoformat()})
        sent += 1
    return sent
