"""/api/v1/audit: read the audit log (scoped) and verify the chain."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied
from ninja import Router, Schema
from ninja.pagination import paginate

from spbe.core import permissions
from spbe.core.apiutils import BoundedPagination

from .models import AuditEvent
from .services import verify_chain

router = Router(tags=["audit"])


class AuditEventOut(Schema):
    sequence: int
    occurred_at: datetime
    actor_kind: str
    actor_repr: str
    agency_id: int | None
    action: str
    target_type: str
    target_id: str
    target_repr: str
    data: dict
    request_id: str
    hash: str


class ChainReportOut(Schema):
    ok: bool
    checked: int
    first_bad_sequence: int | None
    reason: str


@router.get("/events", response=list[AuditEventOut])
@paginate(BoundedPagination)
def list_events(request, action: str | None = None, target_type: str | None = None, target_id: str | None = None):
    qs = permissions.scope_queryset(request.user, "audit.view_auditevent", AuditEvent.objects.all())
    if action:
        qs = qs.filter(action__startswith=action)
    if target_type:
        qs = qs.filter(target_type=target_type)
    if target_id:
        qs = qs.filter(target_id=target_id)
    return qs.order_by("-sequence")


@router.get("/verify", response=ChainReportOut, summary="Verify the whole hash chain (platform admins)")
def verify(request):
    if not permissions.user_scope(request.user, "audit.view_auditevent").everything:
        raise PermissionDenied
    return verify_chain().as_dict()
