"""Love Bali levy work for "Tugas saya": exemptions to decide, endpoint registrations and
partners' refund requests to review."""

from __future__ import annotations

from django.db.models import Min
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from spbe.core import permissions
from spbe.core.workqueue import Task

from .models import Endpoint, Exemption, RefundRequest

GROUP = _("Love Bali")


def tasks(user) -> list[Task]:
    result = []
    if permissions.has_perm(user, "levy.review_exemption"):
        waiting = permissions.scope_queryset(user, "levy.review_exemption", Exemption.objects.filter(status=Exemption.Status.SUBMITTED))
        due = waiting.aggregate(first=Min("decide_by"))["first"]
        result.append(Task(_("Exemption applications to decide"), waiting.count(), reverse("levy:exemption-list"), GROUP, due))
    if permissions.has_perm(user, "levy.review_endpoint"):
        pending = permissions.scope_queryset(user, "levy.review_endpoint", Endpoint.objects.filter(status=Endpoint.Status.PENDING))
        result.append(Task(_("Endpoint registrations to review"), pending.count(), reverse("levy:endpoint-list") + "?status=pending", GROUP))
    if permissions.has_perm(user, "levy.add_refund"):
        requests = permissions.scope_queryset(user, "levy.add_refund", RefundRequest.objects.filter(state=RefundRequest.State.PENDING))
        result.append(Task(_("Partners' refund requests to review"), requests.count(), reverse("levy:refund-request-list"), GROUP))
    return result
