"""Public portal shell, staff console shell, agencies and health check."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from . import navigation, permissions, services, workqueue
from .models import Agency, Membership, User
from .roles import Role


def console_view(view):
    """Login required, plus at least one current membership."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not permissions.is_console_user(request.user):
            raise PermissionDenied(_("Your account has no role in any agency yet."))
        request.nav_items = navigation.items_for(request.user, request.path)
        return view(request, *args, **kwargs)

    return wrapper


scoped_object_or_404 = permissions.object_or_404


def permission_denied(request, exception=None):
    """403 page: inside the console it keeps the console's layout and menu, so staff who followed
    a link they may not open can go on from where they are; elsewhere the portal's."""
    console = request.path.startswith("/console/") and permissions.is_console_user(request.user)
    if console:
        request.nav_items = navigation.items_for(request.user, request.path)
    template = "console/403.html" if console else "403.html"
    # The exception's text is for logs (often a permission code), never shown.
    return render(request, template, status=403)


def run_service(request, func, success: str = ""):
    """Call a service for a console form: its ServiceError becomes an error message on the page
    (nothing is lost, the form's data is still in the request), success a confirmation.
    Returns the service's result, or None when it refused."""
    try:
        result = func()
    except services.ServiceError as exc:
        messages.error(request, exc.message)
        return None
    if success:
        messages.success(request, success)
    return result


def portal_home(request):
    from . import portal

    return render(request, "portal/home.html", {"services": portal.services()})


class LoginView(auth_views.LoginView):
    template_name = "core/login.html"
    redirect_authenticated_user = True


@console_view
def console_home(request):
    memberships = permissions.current_memberships(request.user)
    return render(request, "console/home.html", {"memberships": memberships, "tasks": workqueue.tasks_for(request.user)})


@console_view
def agency_list(request):
    agencies = permissions.scope_queryset(
        request.user, "core.view_agency", Agency.objects.select_related("institution")
    ).order_by("institution__name", "path")
    return render(request, "core/agency_list.html", {"agencies": agencies})


@console_view
@require_http_methods(["GET", "POST"])
def agency_detail(request, agency_id: int):
    agency = scoped_object_or_404(request.user, "core.view_agency", Agency.objects.all(), pk=agency_id)
    can_change = permissions.has_perm(request.user, "core.change_agency", agency)
    errors = {}
    if request.method == "POST":
        if not can_change:
            raise PermissionDenied
        changes = {
            "name": request.POST.get("name", "").strip(),
            "short_name": request.POST.get("short_name", "").strip(),
            "email": request.POST.get("email", "").strip(),
        }
        try:
            services.update_agency(agency, by=request.user, **changes)
        except services.ServiceError as exc:
            errors[exc.field or "form"] = exc.message
            agency.refresh_from_db()
            for key, value in changes.items():
                setattr(agency, key, value)  # keep what the user typed
        else:
            messages.success(request, _("Agency saved."))
            return redirect("core:agency-detail", agency_id=agency.pk)
    members = [
        {"membership": m, "can_revoke": permissions.may_revoke(request.user, m)}
        for m in permissions.scope_queryset(
            request.user,
            "core.view_membership",
            Membership.objects.filter(agency=agency, is_active=True).select_related("user"),
        )
    ]
    grantable = [(role, Role(role).label) for role in permissions.grantable_roles(request.user, agency)]
    if not permissions.has_perm(request.user, "core.add_membership", agency):
        grantable = []
    return render(
        request,
        "core/agency_detail.html",
        {"agency": agency, "can_change": can_change, "members": members, "errors": errors, "grantable": grantable},
    )


@console_view
@require_http_methods(["POST"])
def membership_grant(request, agency_id: int):
    agency = scoped_object_or_404(request.user, "core.view_agency", Agency.objects.all(), pk=agency_id)
    username = request.POST.get("username", "").strip()
    role = request.POST.get("role", "")
    valid_until = request.POST.get("valid_until") or None

    def grant():
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise services.ServiceError(_("No active user with that username."), field="username")
        return services.grant_membership(user=user, agency=agency, role=role, valid_until=valid_until,
                                         by=request.user)

    run_service(request, grant, _("Role granted."))
    return redirect("core:agency-detail", agency_id=agency.pk)


@console_view
@require_http_methods(["POST"])
def membership_revoke(request, membership_id: int):
    membership = scoped_object_or_404(
        request.user, "core.view_membership", Membership.objects.filter(is_active=True), pk=membership_id
    )
    run_service(request, lambda: services.revoke_membership(membership, by=request.user), _("Role revoked."))
    return redirect("core:agency-detail", agency_id=membership.agency_id)


@never_cache
def healthz(request):
    checks = {}
    status = 200
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - health must report, not raise
        checks["database"] = f"error: {exc.__class__.__name__}"
        status = 503
    from django.conf import settings

    checks["tasks_backend"] = settings.TASKS_BACKEND
    return JsonResponse({"status": "ok" if status == 200 else "error", "checks": checks}, status=status)


@never_cache
def livez(request):
    """The process answers; nothing else is checked (see core.health)."""
    return JsonResponse({"status": "ok"})


@never_cache
def readyz(request):
    from . import health

    ready, report = health.readiness()
    response = JsonResponse({"status": "ready" if ready else "not_ready", **report}, status=200 if ready else 503)
    response._has_been_logged = True  # "not ready yet" is an answer, not a server error for the error log
    return response
