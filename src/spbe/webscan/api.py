"""/api/v1/webscan: findings, scans, alert channels, and one-page analysis."""

from datetime import datetime

from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from spbe.core import permissions
from spbe.core.apiutils import BoundedPagination, get_scoped_or_404
from spbe.core.models import Agency
from spbe.inventory.models import Website

from . import services
from .models import AlertChannel, Finding, ScanRun
from .scan import analyze_html

router = Router(tags=["webscan"])


class FindingOut(Schema):
    id: int
    website_id: int
    url: str
    techniques: list[str]
    severity: str
    score: float
    status: str
    detected_at: datetime
    deadline: datetime
    acknowledged_at: datetime | None
    remediated_at: datetime | None
    closed_at: datetime | None
    clean_rechecks: int
    evidence: dict


class ScanOut(Schema):
    id: int
    website_id: int
    trigger: str
    status: str
    queued_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    worker: str
    pages: int
    requests: int
    not_modified: int
    infected_pages: int
    error: str


class NoteIn(Schema):
    note: str = Field("", max_length=5000)


class ScanIn(Schema):
    website_id: int


class AnalyzeIn(Schema):
    html: str = Field(..., max_length=5_000_000)
    url: str = Field("https://example.go.id/", max_length=2000)


class ChannelIn(Schema):
    agency_id: int
    kind: AlertChannel.Kind
    target: str = Field(..., max_length=500)


class ChannelOut(Schema):
    id: int
    agency_id: int
    kind: str
    target: str
    is_active: bool


class ChannelCreatedOut(ChannelOut):
    secret: str = Field(..., description="HMAC-SHA256 key for X-SPBE-Signature (webhooks); shown once")


def _finding(request, finding_id: int) -> Finding:
    return get_scoped_or_404(request, "webscan.view_finding", Finding.objects.select_related("website"), pk=finding_id)


@router.get("/findings", response=list[FindingOut])
@paginate(BoundedPagination)
def list_findings(request, status: str | None = None, website_id: int | None = None):
    qs = permissions.scope_queryset(request.user, "webscan.view_finding", Finding.objects.all())
    if status:
        qs = qs.filter(status=status)
    if website_id:
        qs = qs.filter(website_id=website_id)
    return qs


@router.get("/findings/{finding_id}", response=FindingOut)
def get_finding(request, finding_id: int):
    return _finding(request, finding_id)


@router.post("/findings/{finding_id}/acknowledge", response=FindingOut)
def acknowledge(request, finding_id: int, payload: NoteIn):
    return services.acknowledge(_finding(request, finding_id), by=request.user, note=payload.note)


@router.post("/findings/{finding_id}/remediated", response=FindingOut)
def remediated(request, finding_id: int, payload: NoteIn):
    return services.mark_remediated(_finding(request, finding_id), by=request.user, note=payload.note)


@router.post("/findings/{finding_id}/recheck", response={202: ScanOut})
def recheck(request, finding_id: int):
    return Status(202, services.recheck(_finding(request, finding_id), by=request.user))


@router.post("/findings/{finding_id}/false-positive", response=FindingOut)
def false_positive(request, finding_id: int, payload: NoteIn):
    return services.mark_false_positive(_finding(request, finding_id), by=request.user, reason=payload.note)


@router.get("/scans", response=list[ScanOut])
@paginate(BoundedPagination)
def list_scans(request, website_id: int | None = None):
    qs = permissions.scope_queryset(request.user, "webscan.view_scanrun", ScanRun.objects.all())
    return qs.filter(website_id=website_id) if website_id else qs


@router.post("/scans", response={202: ScanOut}, summary="Scan a registered website now (runs in a worker)")
def request_scan(request, payload: ScanIn):
    website = get_scoped_or_404(request, "inventory.view_website", Website.objects.all(), pk=payload.website_id)
    return Status(202, services.request_scan(website, by=request.user))


@router.get("/scans/{scan_id}", response=ScanOut)
def get_scan(request, scan_id: int):
    return get_scoped_or_404(request, "webscan.view_scanrun", ScanRun.objects.all(), pk=scan_id)


@router.post("/analyze", summary="Verdict for one HTML document (no fetching)")
def analyze(request, payload: AnalyzeIn):
    if not permissions.has_perm(request.user, "webscan.view_finding"):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    return analyze_html(payload.html, payload.url).as_dict()


@router.get("/alert-channels", response=list[ChannelOut])
def list_channels(request):
    return permissions.scope_queryset(request.user, "webscan.view_alertchannel", AlertChannel.objects.all())


@router.post("/alert-channels", response={201: ChannelCreatedOut})
def add_channel(request, payload: ChannelIn):
    agency = get_scoped_or_404(request, "core.view_agency", Agency.objects.all(), pk=payload.agency_id)
    return Status(201, services.add_alert_channel(agency, kind=payload.kind.value, target=payload.target,
                                                  by=request.user))
