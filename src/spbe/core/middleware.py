"""Request id, acting-user context and one structured access-log line per request."""

from __future__ import annotations

import logging
import re
import time

from . import context

access_log = logging.getLogger("spbe.access")
_REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def client_ip(request) -> str | None:
    # Behind the production proxy the client address is the first X-Forwarded-For hop;
    # only trusted when the proxy header is configured (SECURE_PROXY_SSL_HEADER in prod).
    from django.conf import settings

    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded and getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        return forwarded.split(",")[0].strip() or None
    return request.META.get("REMOTE_ADDR") or None


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
