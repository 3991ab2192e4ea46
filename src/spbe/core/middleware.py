"""Request id, acting-user context and one structured access-log line per request."""

from __future__ import annotations

import logging
import re
import time

from . import context
from .ratelimit import client_ip

access_log = logging.getLogger("spbe.access")
_REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _REQUEST_ID_RE.match(incoming) else context.new_request_id()
        request.request_id = request_id
        token = context.set_current(
            context.ActorContext(user=None, kind="public", request_id=request_id, ip_address=client_ip(request))
        )
        try:
            response = self.get_response(request)
        finally:
            context.reset(token)
        response["X-Request-ID"] = request_id
        return response


class AccessLogMiddleware:
    """Runs after authentication: records the user in the context and logs the request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            context.update_current(user=user, kind="user")
        started = time.perf_counter()
        response = self.get_response(request)
        access_log.info(
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "http_method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                "user": context.current().user.get_username() if context.current().user else None,
            },
        )
        return response


TOURIST_PREFIX = "/lovebali/"


def language_choices(request) -> list[tuple[str, str]]:
    """Tourist pages offer every language; other pages only those the staff catalogs cover."""
    from django.conf import settings

    if request.path.startswith(TOURIST_PREFIX):
        return list(settings.LANGUAGES)
    return [(code, name) for code, name in settings.LANGUAGES if code in settings.CONSOLE_LANGUAGES]


class StaffLanguageMiddleware:
    """Outside the tourist site, use only the languages the staff catalogs cover.

    Tourist languages (zh, ko, ja, ru, fr, de) are translated for /lovebali/ pages only; a
    visitor whose browser asks for one of them elsewhere gets English rather than a mix.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.utils import translation

        if translation.get_language() not in dict(language_choices(request)):
            translation.activate("en")
            request.LANGUAGE_CODE = "en"
        return self.get_response(request)


# Paths a password-only session may still open: the second-factor pages, sign-out, static
# files, language switching, health checks and the public tourist site.
_OPEN_WITHOUT_SECOND_FACTOR = (
    "/account/2fa/setup/", "/account/2fa/verify/", "/logout/", "/login/", "/static/", "/i18n/", "/jsi18n/", "/healthz", "/livez", "/readyz", "/metrics",
    "/lovebali/", "/favicon",
)


def _login_redirect(request, url_name: str):
    from django.shortcuts import redirect
    from django.urls import reverse
    from django.utils.http import urlencode

    return redirect(f"{reverse(url_name)}?{urlencode({'next': request.get_full_path()})}")


class SecondFactorMiddleware:
    """Holds a password-only session at the second-factor step wherever it is owed (see
    ``core.twofactor``). API calls with a bearer token are not sessions and pass through."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from . import twofactor

        user = getattr(request, "user", None)
        path = request.path
        if (user is not None and user.is_authenticated and not path.startswith(_OPEN_WITHOUT_SECOND_FACTOR)
                and not request.headers.get("Authorization", "").startswith("Bearer ")
                and twofactor.needs_second_factor(user)):
            if path.startswith("/api/"):
                from django.http import JsonResponse
                from django.utils.translation import gettext as _

                from .apiutils import error_body

                return JsonResponse(error_body(request, "second_factor_required",
                                               _("Enter your second-factor code in the web console first.")), status=401)
            enrolled = twofactor.is_enrolled(user)
            return _login_redirect(request, "core:second-factor-verify" if enrolled else "core:second-factor-setup")
        return self.get_response(request)


class SessionLifetimeMiddleware:
    """Sessions end after ``SPBE_SESSION_MAX_AGE`` whatever happens, and staff sessions after
    ``SPBE_STAFF_IDLE_TIMEOUT`` without activity. Requests marked ``X-SPBE-Background`` (HTMX
    polling of inboxes and order pages) do not count as activity."""

    SEEN_EVERY = 60  # seconds between writes of the last-seen time

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        import time

        from django.conf import settings
        from django.contrib import auth, messages
        from django.utils.translation import gettext as _

        from . import permissions

        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not hasattr(request, "session"):
            return self.get_response(request)
        now = time.time()
        session = request.session
        auth_at = session.setdefault("spbe_auth_at", now)
        seen_at = session.get("spbe_seen_at", auth_at)
        reason = None
        if now - auth_at > settings.SPBE_SESSION_MAX_AGE:
            reason = _("You were signed out because your session reached its maximum length. Please sign in again.")
        elif now - seen_at > settings.SPBE_STAFF_IDLE_TIMEOUT and permissions.is_console_user(user):
            reason = _("You were signed out after a period without activity. Please sign in again.")
        if reason:
            auth.logout(request)
            if request.path.startswith("/api/"):
                return self.get_response(request)  # now anonymous: the API answers 401
            messages.info(request, reason)
            return _login_redirect(request, "core:login")
        if not request.headers.get("X-SPBE-Background") and now - seen_at > self.SEEN_EVERY:
            session["spbe_seen_at"] = now
        return self.get_response(request)


def stamp_session_on_login(sender, request, user, **kwargs):
    """user_logged_in: the absolute lifetime and the idle clock start now."""
    import time

    if hasattr(request, "session"):
        request.session["spbe_auth_at"] = request.session["spbe_seen_at"] = time.time()

