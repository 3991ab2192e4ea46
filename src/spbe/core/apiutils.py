"""Shared pieces of the /api/v1 API: authentication, error bodies, scoped lookups.

Every error has the same body::

    {"error": {"code": "not_found", "message": "…", "details": [...], "request_id": "…"}}

Messages are translated into the request's language (Accept-Language or the language cookie).
"""

from __future__ import annotations

import logging

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError
from ninja.security import APIKeyCookie, HttpBearer

from . import context, permissions, ratelimit
from .services import RateLimited, ServiceError, authenticate_api_token

logger = logging.getLogger("spbe.api")


class TokenAuth(HttpBearer):
    """``Authorization: Bearer spbe_…`` for machine clients."""

    def authenticate(self, request: HttpRequest, token: str):
        api_token = authenticate_api_token(token)
        if api_token is None:
            return None
        request.user = api_token.user
        request.api_token = api_token
        context.update_current(user=api_token.user, kind="token", token_name=api_token.name)
        return api_token.user


class SessionAuth(APIKeyCookie):
    """The web session (with CSRF protection on unsafe methods)."""

    param_name = "sessionid"

    def __init__(self):
        from django.conf import settings

        self.param_name = settings.SESSION_COOKIE_NAME
        super().__init__(csrf=True)

    def authenticate(self, request: HttpRequest, key):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return user
        return None


def error_body(request, code: str, message: str, details=None) -> dict:
    return {
        "error": {
            "code": code,
            "message": str(message),
            "details": details or [],
            "request_id": getattr(request, "request_id", ""),
        }
    }


def _validation_details(errors) -> list[dict]:
    details = []
    for err in errors:
        loc = [str(part) for part in err.get("loc", []) if part not in ("body", "payload", "query", "path")]
        details.append({"field": ".".join(loc) or None, "message": err.get("msg", ""), "type": err.get("type", "")})
    return details


def install_error_handlers(api) -> None:
    def respond(request, status: int, code: str, message, details=None):
        return api.create_response(request, error_body(request, code, message, details), status=status)

    @api.exception_handler(ValidationError)
    def on_validation_error(request, exc):
        details = _validation_details(exc.errors)
        return respond(request, 422, "validation_error", _("Some fields are missing or invalid."), details)

    @api.exception_handler(AuthenticationError)
    def on_auth_error(request, exc):
        # Failed authentication is counted per client address to slow token guessing.
        if ratelimit.hit(ratelimit.client_bucket(request, "api-auth-failure"), limit=30, window=60):
            response = respond(request, 429, "rate_limited", _("Too many requests. Please wait and try again."))
            response["Retry-After"] = str(ratelimit.retry_after(60))
            return response
        return respond(request, 401, "not_authenticated", _("Authentication is required (session or API token)."))

    @api.exception_handler(Throttled)
    def on_throttled(request, exc):
        response = respond(request, 429, "rate_limited", _("Too many requests. Please wait and try again."))
        response["Retry-After"] = str(max(1, int(exc.wait or 60)))
        return response

    @api.exception_handler(HttpError)
    def on_http_error(request, exc):
        if exc.status_code == 400 and str(exc).startswith("Cannot parse request body"):
            return respond(request, 400, "malformed_request", _("The request body is not valid JSON."))
        codes = {400: "bad_request", 403: "forbidden", 404: "not_found", 405: "method_not_allowed", 409: "conflict"}
        return respond(request, exc.status_code, codes.get(exc.status_code, "error"), str(exc))

    @api.exception_handler(PermissionDenied)
    def on_permission_denied(request, exc):
        return respond(request, 403, "forbidden", _("You do not have permission to do this."))

    @api.exception_handler(Http404)
    def on_404(request, exc):
        return respond(request, 404, "not_found", _("Not found."))

    @api.exception_handler(ObjectDoesNotExist)
    def on_does_not_exist(request, exc):
        return respond(request, 404, "not_found", _("Not found."))

    @api.exception_handler(ServiceError)
    def on_service_error(request, exc):
        details = [{"field": exc.field, "message": exc.message}] if exc.field else []
        extra = getattr(exc, "details", None)
        if isinstance(extra, list):
            details.extend(extra)
        response = respond(request, exc.status, exc.code, exc.message, details)
        if isinstance(exc, RateLimited):
            response["Retry-After"] = str(exc.retry_after)
        return response

    @api.exception_handler(DjangoValidationError)
    def on_django_validation(request, exc):
        details = [
            {"field": None if field == "__all__" else field, "message": " ".join(msgs)}
            for field, msgs in getattr(exc, "message_dict", {"__all__": exc.messages}).items()
        ]
        return respond(request, 422, "validation_error", _("Some fields are missing or invalid."), details)

    @api.exception_handler(Exception)
    def on_unexpected(request, exc):
        logger.exception("Unhandled API error")
        return respond(request, 500, "server_error", _("An unexpected error occurred. Quote the request id."))


def rate_limit(bucket: str, *, limit: int, window: int = 60) -> None:
    """Raise RateLimited (answered 429) when ``bucket`` is over ``limit`` in this window."""
    if ratelimit.hit(bucket, limit=limit, window=window):
        raise RateLimited(_("Too many requests. Please wait and try again."), retry_after=ratelimit.retry_after(window))


def client_rate_limit(request, name: str, *, limit: int, window: int = 60) -> None:
    """The same, per client address (public endpoints)."""
    rate_limit(ratelimit.client_bucket(request, name), limit=limit, window=window)


def get_scoped_or_404(request, perm: str, queryset, **lookup):
    return permissions.object_or_404(request.user, perm, queryset, **lookup)
