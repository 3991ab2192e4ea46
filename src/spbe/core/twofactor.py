"""Second factor (TOTP with recovery codes, through django-otp).

Who must use it is a rule of the permission layer (``roles.SECOND_FACTOR_ROLES``): holders of
roles that grant, sign, triage or run the levy. Anyone else may turn it on, and once on it is
asked at every sign-in. A password alone then opens only the pages that set up or check the
second factor (``SecondFactorMiddleware``), on the web, in the admin and for the API's session
authentication; the password-for-token endpoint asks for the code too.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from spbe.audit import services as audit

from . import permissions
from .roles import SECOND_FACTOR_ROLES

RECOVERY_CODES = 10
TOTP_NAME = "authenticator"
RECOVERY_NAME = "recovery"


def required_by_role(user) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return user.is_superuser or any(m.role in SECOND_FACTOR_ROLES for m in permissions.current_memberships(user))


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def is_enrolled(user) -> bool:
    return getattr(user, "is_authenticated", False) and TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def needs_second_factor(user) -> bool:
    """The user signed in with a password but still owes the second factor."""
    if not getattr(user, "is_authenticated", False):
        return False
    verified = getattr(user, "is_verified", None)
    if verified is not None and verified():
        return False
    return required_by_role(user) or is_enrolled(user)


@transaction.atomic
def start_enrolment(user) -> TOTPDevice:
    """An unconfirmed authenticator for the user (the same one until confirmed)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False, name=TOTP_NAME).first()
    return device or TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)


@transaction.atomic
def confirm_enrolment(request, device: TOTPDevice, token: str) -> list[str] | None:
    """Check the first code from the app; on success the device counts, the session is verified
    and fresh recovery codes are returned (shown once)."""
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
    if device.confirmed or not device.verify_token(token.strip().replace(" ", "")):
        return None
    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _new_recovery_codes(device.user)
    otp_login(request, device)
    audit.record("core.second_factor.enrolled", device.user, agency=None, actor=device.user)
    return codes


def _new_recovery_codes(user) -> list[str]:
    static, _created = StaticDevice.objects.get_or_create(user=user, name=RECOVERY_NAME, defaults={"confirmed": True})
    static.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=static, token=code) for code in codes])
    return codes


@transaction.atomic
def regenerate_recovery_codes(user) -> list[str]:
    codes = _new_recovery_codes(user)
    audit.record("core.second_factor.recovery_codes_renewed", user, agency=None, actor=user)
    return codes


def verify(user, token: str):
    """The device that accepts ``token`` (the authenticator, or a one-time recovery code), or None.
    Both devices throttle repeated failures (django-otp doubles the wait after each one)."""
    token = (token or "").strip().replace(" ", "")
    if not token:
        return None
    with transaction.atomic():
        devices = [d for d in TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True)]
        devices += list(StaticDevice.objects.select_for_update().filter(user=user, confirmed=True))
        for device in devices:
            allowed, _details = device.verify_is_allowed()
            if allowed and device.verify_token(token):
                return device
    return None


def complete_sign_in(request, token: str) -> bool:
    device = verify(request.user, token)
    if device is None:
        return False
    otp_login(request, device)
    audit.record("core.second_factor.verified", request.user, agency=None, actor=request.user,
                 data={"device": "recovery" if isinstance(device, StaticDevice) else "authenticator"})
    return True


@transaction.atomic
def disable(user, *, by) -> None:
    """Only for users whose roles do not require it."""
    from .services import ServiceError

    if required_by_role(user):
        raise ServiceError(_("Your role requires a second factor; it cannot be turned off."))
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    audit.record("core.second_factor.disabled", user, agency=None, actor=by)


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__name=RECOVERY_NAME).count()


def mark_session_verified(session, device) -> None:
    """For tests and the demo login helper: record a verified device in a session."""
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
