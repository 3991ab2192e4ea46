"""Judol-bot work for "Tugas saya": gambling injections found on the user's websites and not yet
acknowledged."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from spbe.core import permissions
from spbe.core.workqueue import Task

from .models import Finding

GROUP = _("Security")


def tasks(user) -> list[Task]:
    if not permissions.has_perm(user, "webscan.manage_finding"):
        return []
    findings = permissions.scope_queryset(user, "webscan.manage_finding", Finding.objects.filter(status=Finding.Status.OPEN))
    return [Task(_("Judol findings on your websites to acknowledge"), findings.count(),
                 reverse("webscan:finding-list") + "?status=open", GROUP)]
