from django.core.paginator import Paginator
from django.shortcuts import render

from spbe.core import permissions
from spbe.core.views import console_view

from .models import AuditEvent


@console_view
def event_list(request):
    qs = permissions.scope_queryset(request.user, "audit.view_auditevent", AuditEvent.objects.all())
    action = request.GET.get("action", "").strip()
    if action:
        qs = qs.filter(action__startswith=action)
    page = Paginator(qs.order_by("-sequence"), 50).get_page(request.GET.get("page"))
    return render(request, "audit/event_list.html", {"page": page, "action": action})
