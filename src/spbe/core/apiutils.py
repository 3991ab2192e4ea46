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
from ninja import Field, Schema
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError
from ninja.pagination import LimitOffsetPagination
from ninja.security import APIKeyCookie, HttpBearer

from . import context, permissions, ratelimit
from .services import RateLimited, ServiceError, authenticate_api_token  # noqa: F401 (RateLimited: re-exported)

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


def error_response(request, status: int, code: str, message, details=None):
    """The one error body as a response, for endpoints that answer an error themselves."""
    from django.http import JsonResponse

    return JsonResponse(error_body(request, code, message, details), status=status)


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
        if getattr(exc, "retry_after", None):  # RateLimited (429), ServiceUnavailable (503)
            response["Retry-After"] = str(exc.retry_after)
        return response

    @api.exception_handler(DjangoValidationError)
    def on_django_validation(request, exc):
        details = [
            {"field": None if field == "__all__" else field, "message": " ".join(msgs)}
            for field, msgs in getattr(exc, "message_dict", {"__all__": exc.messages}).items()
        ]
        return respond(request, 422, "validation_error", _("Some fields are missing or invalid."), details)

    install_integrity_handlers(api)

    @api.exception_handler(Exception)
    def on_unexpected(request, exc):
        logger.exception("Unhandled API error")
        return respond(request, 500, "server_error", _("An unexpected error occurred. Quote the request id."))


def _blocking_summary(objects) -> tuple[str, list[dict]]:
    """'Evaluation responses (2), …' for the records that keep something from being deleted."""
    from collections import Counter

    counts = Counter(str(obj._meta.verbose_name_plural) for obj in objects)
    details = [{"field": None, "message": f"{name}: {count}", "type": "blocked_by"} for name, count in counts.items()]
    return ", ".join(f"{name} ({count})" for name, count in counts.items()), details


def install_integrity_handlers(api) -> None:
    """Inputs that the database itself refuses, answered as client errors (never a 500)."""
    from django.db import DataError, IntegrityError
    from django.db.models import ProtectedError, RestrictedError
    from django.http.multipartparser import MultiPartParserError

    def respond(request, status, code, message, details=None):
        return api.create_response(request, error_body(request, code, message, details), status=status)

    @api.exception_handler(ProtectedError)
    @api.exception_handler(RestrictedError)
    def on_protected(request, exc):
        summary, details = _blocking_summary(getattr(exc, "protected_objects", None) or getattr(exc, "restricted_objects", []))
        return respond(request, 409, "in_use", _("This record is still in use and cannot be deleted: %(what)s.")
                       % {"what": summary}, details)

    @api.exception_handler(OverflowError)
    @api.exception_handler(DataError)
    def on_out_of_range(request, exc):
        return respond(request, 422, "out_of_range", _("A number or text in the request is out of range."))

    @api.exception_handler(IntegrityError)
    def on_integrity(request, exc):
        # Services validate first; this is the last line for a write the database still refuses.
        logger.warning("integrity error answered 409: %s", exc)
        return respond(request, 409, "conflict", _("The change conflicts with existing data."))

    @api.exception_handler(MultiPartParserError)
    def on_bad_multipart(request, exc):
        return respond(request, 400, "malformed_request", _("The request body could not be read (malformed form data)."))


class BoundedPagination(LimitOffsetPagination):
    """limit 1–500 and offset 0–1,000,000: no page request reaches the database with a value
    it cannot hold (SQLite's integers end at 2^63)."""

    class Input(Schema):
        limit: int = Field(100, ge=1, le=500)
        offset: int = Field(0, ge=0, le=1_000_000)


def rate_limit(bucket: str, *, limit: int, window: int = 60) -> None:
    """Raise RateLimited (answered 429) when ``bucket`` is over ``limit`` in this window."""
    if ratelimit.hit(bucket, limit=limit, window=window):
        raise RateLimited(_("Too many requests. Please wait and try again."), retry_after=ratelimit.retry_after(window))


def client_rate_limit(request, name: str, *, limit: int, window: int = 60) -> None:
    """The same, per client address (public endpoints)."""
    rate_limit(ratelimit.client_bucket(request, name), limit=limit, window=window)


def get_scoped_or_404(request, perm: str, queryset, **lookup):
    return permissions.object_or_404(request.user, perm, queryset, **lookup)


# --- the error responses every operation declares in OpenAPI ---------------------------------

ERROR_STATUSES = {
    "400": "Malformed request (body not JSON, or a value the operation cannot use)",
    "401": "Not authenticated (or the credentials are wrong)",
    "403": "Authenticated, but not allowed",
    "404": "Not found (or not visible to you)",
    "409": "Conflicts with the current state (already done, still in use, wrong step)",
    "422": "A field is missing, has the wrong type or is out of range",
    "429": "Too many requests; retry after the seconds in Retry-After",
    "503": "A service behind the API (e.g. the bank) is unreachable; retry after the seconds in Retry-After",
}
ERROR_SCHEMA = {
    "title": "ErrorBody",
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "details", "request_id"],
            "properties": {
                "code": {"type": "string", "description": "stable machine-readable code, e.g. not_found"},
                "message": {"type": "string", "description": "for people, in the request's language"},
                "details": {"type": "array", "items": {"type": "object", "properties": {
                    "field": {"type": ["string", "null"]}, "message": {"type": "string"}, "type": {"type": "string"}}}},
                "request_id": {"type": "string", "description": "quote it when reporting a problem"},
            },
        }
    },
}


def declare_error_responses(schema: dict) -> dict:
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components["ErrorBody"] = ERROR_SCHEMA
    reference = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}
    # Answered by the HTTP server in front (gunicorn, nginx) before the application sees the
    # request, so not in the error body: a request line or body larger than allowed.
    transport = {"413": "Request body too large (the server in front refuses it)",
                 "414": "Request URI too long (the server in front refuses it)"}
    for operations in schema.get("paths", {}).values():
        for method, operation in operations.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            responses = operation.setdefault("responses", {})
            for status, description in ERROR_STATUSES.items():
                if status not in responses:
                    responses[status] = {"description": description, "content": reference}
                    if status in ("429", "503"):
                        responses[status]["headers"] = {"Retry-After": {
                            "description": "seconds to wait", "schema": {"type": "integer"}}}
            for status, description in transport.items():
                responses.setdefault(status, {"description": description})
    return schema
