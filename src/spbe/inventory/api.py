"""/api/v1/inventory: applications, websites and servers, scoped to the caller's agencies."""


from datetime import datetime

from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import field_validator

from spbe.core import permissions
from spbe.core.apiutils import BoundedPagination, get_scoped_or_404
from spbe.core.models import Agency

from . import services
from .models import Application, Criticality, Server, Website

router = Router(tags=["inventory"])


class AssetOut(Schema):
    id: int
    agency_id: int
    name: str
    description: str
    criticality: str
    is_active: bool
    created_at: datetime
    updated_at: datetime


class AssetIn(Schema):
    agency_id: int
    name: str = Field(..., min_length=2, max_length=200)
    description: str = ""
    criticality: Criticality = Criticality.MEDIUM
    is_active: bool = True


class AssetPatch(Schema):
    agency_id: int | None = None
    name: str | None = Field(None, min_length=2, max_length=200)
    description: str | None = None
    criticality: Criticality | None = None
    is_active: bool | None = None


class ApplicationOut(AssetOut):
    kind: str
    status: str
    url: str
    technology: str
    server_ids: list[int]

    @staticmethod
    def resolve_server_ids(obj):
        return [s.pk for s in obj.servers.all()]


class ApplicationIn(AssetIn):
    kind: Application.Kind = Application.Kind.PUBLIC_SERVICE
    status: Application.Status = Application.Status.PRODUCTION
    url: str = Field("", max_length=200)
    technology: str = Field("", max_length=200)
    server_ids: list[int] | None = None


class ApplicationPatch(AssetPatch):
    kind: Application.Kind | None = None
    status: Application.Status | None = None
    url: str | None = Field(None, max_length=200)
    technology: str | None = Field(None, max_length=200)
    server_ids: list[int] | None = None


class WebsiteOut(AssetOut):
    domain: str
    base_url: str
    admin_email: str
    cms: str
    application_id: int | None


class WebsiteIn(AssetIn):
    domain: str = Field(..., min_length=3, max_length=253)
    base_url: str = Field(..., max_length=200)
    admin_email: str = Field("", max_length=254)
    cms: str = Field("", max_length=100)

    @field_validator("domain")
    @classmethod
    def lower_domain(cls, value: str) -> str:
        return value.strip().lower()


class WebsitePatch(AssetPatch):
    domain: str | None = Field(None, min_length=3, max_length=253)
    base_url: str | None = Field(None, max_length=200)
    admin_email: str | None = Field(None, max_length=254)
    cms: str | None = Field(None, max_length=100)


class ServerOut(AssetOut):
    hostname: str
    ip_address: str | None
    environment: str
    location: str
    operating_system: str
    wazuh_agent_id: str


class ServerIn(AssetIn):
    hostname: str = Field(..., min_length=1, max_length=253)
    ip_address: str | None = None
    environment: Server.Environment = Server.Environment.PRODUCTION
    location: str = Field("", max_length=200)
    operating_system: str = Field("", max_length=100)
    wazuh_agent_id: str = Field("", max_length=20)


class ServerPatch(AssetPatch):
    hostname: str | None = Field(None, min_length=1, max_length=253)
    ip_address: str | None = None
    environment: Server.Environment | None = None
    location: str | None = Field(None, max_length=200)
    operating_system: str | None = Field(None, max_length=100)
    wazuh_agent_id: str | None = Field(None, max_length=20)


def _agency(request, agency_id: int) -> Agency:
    return get_scoped_or_404(request, "core.view_agency", Agency.objects.all(), pk=agency_id)


def _servers(request, ids):
    if ids is None:
        return None
    servers = list(
        permissions.scope_queryset(request.user, "inventory.view_server", Server.objects.filter(pk__in=ids))
    )
    if len(servers) != len(set(ids)):
        from spbe.core.services import ServiceError

        raise ServiceError("Unknown server id in server_ids.", field="server_ids")
    return servers


def _fields(payload) -> dict:
    data = payload.dict(exclude_unset=True)
    data.pop("agency_id", None)
    data.pop("server_ids", None)
    return {k: (v.value if hasattr(v, "value") else v) for k, v in data.items()}


def register_asset_routes(prefix: str, model, out_schema, in_schema, patch_schema) -> None:
    """List / create / read / update / delete routes for one asset model."""
    name = model._meta.model_name
    queryset = model.objects.select_related("agency")
    if model is Application:
        queryset = queryset.prefetch_related("servers")

    @router.get(f"/{prefix}", response=list[out_schema], operation_id=f"list_{name}s")
    @paginate(BoundedPagination)
    def list_assets(request, agency_id: int | None = None, q: str | None = None):
        qs = permissions.scope_queryset(request.user, f"inventory.view_{name}", queryset)
        if agency_id is not None:
            qs = qs.filter(agency_id=agency_id)
        if q:
            qs = qs.filter(name__icontains=q)
        return qs

    @router.post(f"/{prefix}", response={201: out_schema}, operation_id=f"create_{name}")
    def create(request, payload: in_schema):
        agency = _agency(request, payload.agency_id)
        extra = {"servers": _servers(request, payload.server_ids)} if model is Application else {}
        asset = services.create_asset(model, agency=agency, by=request.user, **_fields(payload), **extra)
        return Status(201, asset)

    @router.get(f"/{prefix}/{{asset_id}}", response=out_schema, operation_id=f"get_{name}")
    def read(request, asset_id: int):
        return get_scoped_or_404(request, f"inventory.view_{name}", queryset, pk=asset_id)

    @router.patch(f"/{prefix}/{{asset_id}}", response=out_schema, operation_id=f"update_{name}")
    def update(request, asset_id: int, payload: patch_schema):
        asset = get_scoped_or_404(request, f"inventory.view_{name}", queryset, pk=asset_id)
        changes = _fields(payload)
        if payload.agency_id is not None:
            changes["agency"] = _agency(request, payload.agency_id)
        if model is Application:
            changes["servers"] = _servers(request, payload.server_ids)
        return services.update_asset(asset, by=request.user, **changes)

    @router.delete(f"/{prefix}/{{asset_id}}", response={204: None}, operation_id=f"delete_{name}")
    def delete(request, asset_id: int):
        asset = get_scoped_or_404(request, f"inventory.view_{name}", queryset, pk=asset_id)
        services.delete_asset(asset, by=request.user)
        return Status(204, None)


register_asset_routes("applications", Application, ApplicationOut, ApplicationIn, ApplicationPatch)
register_asset_routes("websites", Website, WebsiteOut, WebsiteIn, WebsitePatch)
register_asset_routes("servers", Server, ServerOut, ServerIn, ServerPatch)
