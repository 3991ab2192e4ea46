"""The signed-in person's own account: password, second factor, API tokens."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from . import ratelimit, twofactor
from .models import ApiToken
from .services import ServiceError


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                   require_https=request.is_secure()):
        return target
    return reverse("core:console-home")


@login_required
def account(request):
    return render(request, "account/account.html", {
        "enrolled": twofactor.is_enrolled(request.user),
        "required": twofactor.required_by_role(request.user),
        "codes_left": twofactor.recovery_codes_left(request.user),
        "tokens": ApiToken.objects.filter(user=request.user, revoked_at__isnull=True),
    })


class SetPasswordView(auth_views.PasswordResetConfirmView):
    """The link in an invitation (a partner's new account): choose a first password. The link
    works once and expires after PASSWORD_RESET_TIMEOUT (Django's signed token)."""

    template_name = "account/set_password.html"
    success_url = reverse_lazy("core:login")
    post_reset_login = False

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("Your password is set. Sign in with it now."))
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "account/password_change.html"
    success_url = reverse_lazy("core:account")

    def form_valid(self, form):
        from spbe.audit import services as audit

        response = super().form_valid(form)
        audit.record("core.user.password_changed", self.request.user, agency=None, actor=self.request.user)
        messages.success(self.request, _("Your password has been changed."))
        return response


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def second_factor_setup(request):
    """Scan the QR code (or type the key) into an authenticator app, then confirm one code."""
    if twofactor.is_enrolled(request.user) and not twofactor.needs_second_factor(request.user):
        messages.info(request, _("Your authenticator app is already set up."))
        return redirect("core:account")
    if twofactor.is_enrolled(request.user):
        return redirect(f"{reverse('core:second-factor-verify')}?next={_next_url(request)}")
    device = twofactor.start_enrolment(request.user)
    if request.method == "POST":
        codes = twofactor.confirm_enrolment(request, device, request.POST.get("token", ""))
        if codes:
            response = render(request, "account/recovery_codes.html", {"codes": codes, "next": _next_url(request)})
            response["Cache-Control"] = "no-store"
            return response
        messages.error(request, _("That code is not right. Check the time on your phone and try the newest code."))
    import segno

    from base64 import b32encode
    from binascii import unhexlify

    secret = b32encode(unhexlify(device.key)).decode()
    qr = segno.make(device.config_url, error="m").svg_inline(scale=4, title=_("QR code for your authenticator app"))
    response = render(request, "account/second_factor_setup.html", {
        "qr": qr, "secret": " ".join(secret[i:i + 4] for i in range(0, len(secret), 4)),
        "required": twofactor.required_by_role(request.user), "next": _next_url(request),
    })
    response["Cache-Control"] = "no-store"
    return response


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def second_factor_verify(request):
    if not twofactor.is_enrolled(request.user):
        return redirect(f"{reverse('core:second-factor-setup')}?next={_next_url(request)}")
    if not twofactor.needs_second_factor(request.user):
        return redirect(_next_url(request))
    if request.method == "POST":
        if ratelimit.limited(request, f"otp-verify:{request.user.pk}", limit=10):
            messages.error(request, _("Too many attempts. Please wait a minute and try again."))
        elif twofactor.complete_sign_in(request, request.POST.get("token", "")):
            return redirect(_next_url(request))
        else:
            messages.error(request, _("That code is not right. Use the newest code from your app or one of your recovery codes."))
    return render(request, "account/second_factor_verify.html", {"next": _next_url(request)})


@login_required
@require_http_methods(["POST"])
def recovery_codes(request):
    codes = twofactor.regenerate_recovery_codes(request.user)
    response = render(request, "account/recovery_codes.html", {"codes": codes, "next": reverse("core:account")})
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["POST"])
def second_factor_disable(request):
    try:
        twofactor.disable(request.user, by=request.user)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The second factor is turned off."))
    return redirect("core:account")
