"""/api/v1 endpoints for the current user, agencies, memberships and API tokens."""

from __future__ import annotations

from datetime import date, datetime

from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from . import permissions, services
from .apiutils import BoundedPagination, get_scoped_or_404
from .models import Agency, ApiToken, Membership, User
from .roles import Role

router = Router(tags=["core"])


class MembershipOut(Schema):
    id: int
    agency_id: int
    agency: str
    role: str
    valid_until: date | None

    @staticmethod
    def resolve_agency(obj):
        return obj.agency.name


class MeOut(Schema):
    id: int
    username: str
    full_name: str
    email: str
    preferred_language: str
    memberships: list[MembershipOut]

    @staticmethod
    def resolve_memberships(obj):
        return obj.memberships.filter(is_active=True).select_related("agency")


class AgencyOut(Schema):
    id: int
    institution_id: int
    parent_id: int | None
    code: str
    name: str
    short_name: str
    kind: str
    email: str
    is_active: bool


class AgencyPatch(Schema):
    name: str | None = Field(None, min_length=2, max_length=200)
    short_name: str | None = Field(None, max_length=40)
    email: str | None = Field(None, max_length=254)
    is_active: bool | None = None


class MembershipIn(Schema):
    username: str = Field(..., min_length=1, max_length=150)
    agency_id: int
    role: Role
    valid_until: date | None = None


class TokenIn(Schema):
    name: str = Field(..., min_length=1, max_length=100)
    expires_at: datetime | None = None


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenCreatedOut(TokenOut):
    token: str = Field(..., description="The secret value; shown only once.")


class PasswordTokenIn(Schema):
    username: str = Field(..., min_length=1, max_length=150)
    password: str = Field(..., min_length=1, max_length=256)
    otp: str = Field("", max_length=16, description="The authenticator code (or a recovery code), when the account uses a second factor.")
    name: str = Field(..., min_length=1, max_length=100)
    expires_at: datetime | None = None


@router.get("/me", response=MeOut, summary="The authenticated user and their memberships")
def me(request):
    return request.user


@router.get("/agencies", response=list[AgencyOut])
@paginate(BoundedPagination)
def list_agencies(request, institution_id: int | None = None):
    qs = permissions.scope_queryset(request.user, "core.view_agency", Agency.objects.all())
    if institution_id is not None:
        qs = qs.filter(institution_id=institution_id)
    return qs.order_by("path")


@router.get("/agencies/{agency_id}", response=AgencyOut)
def get_agency(request, agency_id: int):
    return get_scoped_or_404(request, "core.view_agency", Agency.objects.all(), pk=agency_id)


@router.patch("/agencies/{agency_id}", response=AgencyOut)
def patch_agency(request, agency_id: int, payload: AgencyPatch):
    agency = get_scoped_or_404(request, "core.view_agency", Agency.objects.all(), pk=agency_id)
    return services.update_agency(agency, by=request.user, **payload.dict(exclude_unset=True))


@router.get("/memberships", response=list[MembershipOut])
@paginate(BoundedPagination)
def list_memberships(request, agency_id: int | None = None):
    qs = permissions.scope_queryset(
        request.user, "core.view_membership", Membership.objects.filter(is_active=True).select_related("agency")
    )
    if agency_id is not None:
        qs = qs.filter(agency_id=agency_id)
    return qs


@router.post("/memberships", response={201: MembershipOut})
def grant_membership(request, payload: MembershipIn):
    agency = get_scoped_or_404(request, "core.view_agency", Agency.objects.all(), pk=payload.agency_id)
    user = get_object_or_404(User, username=payload.username, is_active=True)
    membership = services.grant_membership(
        user=user, agency=agency, role=payload.role.value, valid_until=payload.valid_until, by=request.user
    )
    return Status(201, membership)


@router.delete("/memberships/{membership_id}", response={204: None})
def revoke_membership(request, membership_id: int):
    membership = get_scoped_or_404(
        request, "core.view_membership", Membership.objects.filter(is_active=True), pk=membership_id
    )
    services.revoke_membership(membership, by=request.user)
    return Status(204, None)


@router.post("/auth/token", response={201: TokenCreatedOut}, auth=None,
             summary="Exchange a username, password (and second-factor code) for an API token")
def password_token(request, payload: PasswordTokenIn):
    """For command-line clients. Counts toward the same lockout as the console and the admin."""
    from django.contrib.auth import authenticate
    from django.utils.translation import gettext as _

    from . import twofactor
    from .apiutils import rate_limit
    from .loginguard import lockout_response

    request.spbe_login_username = payload.username
    user = authenticate(request, username=payload.username, password=payload.password)
    if user is None:
        if getattr(request, "axes_locked_out", False):
            return lockout_response(request)
        raise services.NotAuthenticated(_("Wrong username or password."), code="invalid_credentials")
    if twofactor.required_by_role(user) or twofactor.is_enrolled(user):
        rate_limit(f"otp-verify:{user.pk}", limit=10)
        if not payload.otp:
            raise services.NotAuthenticated(_("This account needs its second-factor code."), code="second_factor_required")
        if twofactor.verify(user, payload.otp) is None:
            raise services.NotAuthenticated(_("The second-factor code is not right."), code="second_factor_invalid")
    token, raw = services.issue_api_token(user=user, name=payload.name, expires_at=payload.expires_at, by=user)
    token.token = raw
    return Status(201, token)


@router.get("/tokens", response=list[TokenOut], summary="Your API tokens")
def list_tokens(request):
    return ApiToken.objects.filter(user=request.user)


@router.post("/tokens", response={201: TokenCreatedOut}, summary="Issue an API token for yourself")
def create_token(request, payload: TokenIn):
    token, raw = services.issue_api_token(
        user=request.user, name=payload.name, expires_at=payload.expires_at, by=request.user
    )
    token.token = raw
    return Status(201, token)


@router.delete("/tokens/{token_id}", response={204: None})
def revoke_token(request, token_id: int):
    token = get_object_or_404(ApiToken, pk=token_id, user=request.user)
    services.revoke_api_token(token, by=request.user)
    return Status(204, None)
