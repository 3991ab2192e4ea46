"""/api/v1/security: reports, visible by the same rules as the web pages."""

from __future__ import annotations

from datetime import date, datetime

import hashlib
import hmac
import json

from django.conf import settings
from ninja import Field, Router, Schema, Status

from spbe.core.apiutils import error_response
from spbe.core.services import ServiceError

from . import services
from .models import Researcher, ScopeEntry

router = Router(tags=["security"])


class ReportOut(Schema):
    code: str
    title: str
    agency_id: int
    severity: str
    status: str
    cvss_vector: str
    fix_deadline: date | None
    created_at: datetime


class EventOut(Schema):
    kind: str
    text: str
    internal: bool
    created_at: datetime


class ReportDetailOut(ReportOut):
    description: str
    steps: str
    events: list[EventOut]


@router.get("/reports", response=list[ReportOut])
def list_reports(request):
    return list(services.visible_reports(request.user)[:500])


@router.get("/reports/{code}", response=ReportDetailOut)
def get_report(request, code: str):
    report = services.report_for(request.user, code)
    return ReportDetailOut(
        code=report.code, title=report.title, agency_id=report.agency_id, severity=report.severity, status=report.status,
        cvss_vector=report.cvss_vector, fix_deadline=report.fix_deadline, created_at=report.created_at,
        description=report.description, steps=report.steps,
        events=[EventOut(kind=e.kind, text=e.text, internal=e.internal, created_at=e.created_at)
                for e in services.visible_events(report, request.user)],
    )


class ReportIn(Schema):
    scope_id: int
    title: str = Field(..., max_length=200)
    vuln_type: str
    description: str = Field(..., max_length=20000)
    steps: str = Field(..., max_length=20000)
    impact: str = Field("", max_length=5000)
    affected_url: str = Field("", max_length=1000)
    cvss_vector: str = Field("", max_length=200)


@router.post("/reports", response={201: ReportOut})
def submit(request, payload: ReportIn):
    researcher = Researcher.objects.filter(user=request.user).first()
    if researcher is None:
        raise ServiceError("Register as a researcher first.", code="not_registered")
    scope = ScopeEntry.objects.filter(pk=payload.scope_id).first()
    if scope is None:
        raise ServiceError("Unknown system.", field="scope_id")
    report = services.submit_report(researcher, scope=scope, **payload.dict(exclude={"scope_id"}))
    return Status(201, report)


class CommentIn(Schema):
    text: str = Field(..., max_length=10000)
    internal: bool = False


@router.post("/reports/{code}/comments", response={201: EventOut})
def add_comment(request, code: str, payload: CommentIn):
    event = services.comment(services.report_for(request.user, code), by=request.user, text=payload.text, internal=payload.internal)
    return Status(201, event)


@router.post("/wazuh/alerts", auth=None, throttle=[], response={200: dict, 401: dict, 400: dict, 404: dict})
def wazuh_alerts(request):
    """Wazuh Integrator (`custom-spbe`) or any forwarder: one alert, a JSON list, or NDJSON, 4.x or
    5.x. ``X-SPBE-Signature`` = hex HMAC-SHA256 of the body with WAZUH_WEBHOOK_SECRET."""
    secret = getattr(settings, "WAZUH_WEBHOOK_SECRET", "")
    if not secret:
        # Not configured: the intake does not exist here (no server error for a missing setting).
        return error_response(request, 404, "disabled", "The Wazuh intake is not enabled (WAZUH_WEBHOOK_SECRET is not set).")
    expected = hmac.new(secret.encode(), request.body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(request.headers.get("X-SPBE-Signature", ""), expected):
        return error_response(request, 401, "bad_signature", "The signature does not match.")
    text = request.body.decode("utf-8", "replace").strip()
    try:
        if text.startswith("["):
            documents = json.loads(text)
        elif "\n" in text:
            documents = [json.loads(line) for line in text.splitlines() if line.strip()]
        else:
            documents = [json.loads(text)]
    except ValueError:
        return error_response(request, 400, "malformed", "The body must be JSON, a JSON list or NDJSON.")
    if not all(isinstance(d, dict) for d in documents) or len(documents) > 5000:
        return error_response(request, 400, "malformed", "Expected alert objects (at most 5000).")
    return services.ingest_alerts(documents)
