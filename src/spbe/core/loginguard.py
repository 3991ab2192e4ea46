"""Hooks for django-axes: the client address, back-off, and the lockout answer.

Each login path (console, admin, password-for-token API) goes through Django's ``authenticate``
with the request, so axes counts failures per username and, separately, per client address.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings

from .ratelimit import client_ip as _client_ip

BASE_LOCK = timedelta(minutes=5)
MAX_LOCK = timedelta(days=1)


def client_ip(request) -> str | None:
    return _client_ip(request)


def attempted_username(request) -> str | None:
    if request is None:
        return None
    name = getattr(request, "spbe_login_username", None)
    if name is None and request.method == "POST":
        name = request.POST.get("username")
    return (name or "").strip() or None


def cool_off(request=None) -> timedelta:
    """5 minutes after the first batch of failures, doubling with each further batch, at most a
    day. The failure count is axes' own, so the back-off ends when axes forgets the attempts."""
    if request is None:
        return BASE_LOCK
    from axes.models import AccessAttempt
    from django.db.models import Max, Q

    match = Q()
    ip = getattr(request, "axes_ip_address", None) or client_ip(request)
    if ip:
        match |= Q(ip_address=ip)
    username = attempted_username(request)
    if username:
        match |= Q(username=username)
    if not match:
        return BASE_LOCK
    failures = AccessAttempt.objects.filter(match).aggregate(n=Max("failures_since_start"))["n"] or 0
    batches = max(0, failures // max(1, settings.AXES_FAILURE_LIMIT) - 1)
    return min(MAX_LOCK, BASE_LOCK * (2 ** min(batches, 20)))


def lockout_response(request, original_response=None, credentials=None):
    from django.http import JsonResponse
    from django.shortcuts import render
    from django.utils.translation import gettext as _

    seconds = int(cool_off(request).total_seconds())
    minutes = max(1, seconds // 60)
    message = _("Too many failed sign-ins. Try again in %(minutes)s minutes.") % {"minutes": minutes}
    if request.path.startswith("/api/"):
        from .apiutils import error_body

        response = JsonResponse(error_body(request, "locked_out", message), status=429)
    else:
        response = render(request, "core/locked_out.html", {"message": message}, status=429)
    response["Retry-After"] = str(seconds)
    return response
