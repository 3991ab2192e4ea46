"""Writes to the asset inventory (create, update, retire), each checked and audited."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from spbe.audit import services as audit
from spbe.core import permissions
from spbe.core.services import ServiceError, delete_or_conflict, full_clean_or_raise

from .models import Application, Server, Website

ASSET_MODELS = {"application": Application, "website": Website, "server": Server}


def _perm(model, action: str) -> str:
    return f"inventory.{action}_{model._meta.model_name}"


def _snapshot(asset) -> dict:
    data = {}
    for field in asset._meta.concrete_fields:
        if field.name in ("created_at", "updated_at", "id"):
            continue
        data[field.name] = getattr(asset, field.attname)
    return data


def _normalise(model, fields: dict) -> dict:
    fields = dict(fields)
    for name, value in list(fields.items()):
        # null for a text field that cannot be null means "clear it" (an API PATCH may send it).
        if value is None:
            field = next((f for f in model._meta.concrete_fields if f.name == name), None)
            if field is not None and not field.null and field.get_internal_type() in ("CharField", "TextField",
                                                                                      "URLField", "EmailField"):
                fields[name] = ""
    if model is Website and "domain" in fields and fields["domain"]:
        fields["domain"] = fields["domain"].strip().lower().rstrip(".")
    return fields


@transaction.atomic
def create_asset(model, *, agency, by=None, servers=None, **fields):
    """Register a new application, website or server for ``agency``."""
    if by is not None and not permissions.has_perm(by, _perm(model, "add"), agency):
        raise PermissionDenied(_perm(model, "add"))
    asset = model(agency=agency, **_normalise(model, fields))
    full_clean_or_raise(asset)
    asset.save()
    if servers is not None and model is Application:
        _set_servers(asset, servers, by)
    audit.record(f"inventory.{model._meta.model_name}.created", asset, data={"after": _snapshot(asset)})
    return asset


@transaction.atomic
def update_asset(asset, *, by=None, servers=None, **changes):
    model = type(asset)
    if by is not None:
        permissions.require(by, _perm(model, "change"), asset)
    if "agency" in changes:
        new_agency = changes["agency"]
        # Moving an asset needs the right in both the old and the new agency.
        if by is not None and not permissions.has_perm(by, _perm(model, "change"), new_agency):
            raise PermissionDenied(_perm(model, "change"))
    before = _snapshot(asset)
    for name, value in _normalise(model, changes).items():
        if name in ("id", "pk", "created_at", "updated_at"):
            raise ServiceError(_("This field cannot be changed: %(field)s") % {"field": name})
        setattr(asset, name, value)
    full_clean_or_raise(asset)
    asset.save()
    if servers is not None and model is Application:
        _set_servers(asset, servers, by)
    after = _snapshot(asset)
    changed = {k: {"before": before[k], "after": after[k]} for k in after if before.get(k) != after[k]}
    audit.record(f"inventory.{model._meta.model_name}.updated", asset, data={"changes": changed})
    return asset


@transaction.atomic
def delete_asset(asset, *, by=None) -> None:
    model = type(asset)
    if by is not None:
        permissions.require(by, _perm(model, "delete"), asset)
    snapshot = _snapshot(asset)
    # Recorded first, in the same transaction: a refused delete rolls the event back too.
    audit.record(f"inventory.{model._meta.model_name}.deleted", asset, data={"before": snapshot})
    delete_or_conflict(asset)


def _set_servers(application, servers, by) -> None:
    for server in servers:
        if by is not None and not permissions.has_perm(by, "inventory.view_server", server):
            raise ServiceError(_("Unknown server: %(id)s") % {"id": server.pk}, field="servers")
    application.servers.set(servers)


def websites_to_scan():
    """Active websites, for the judol scanner."""
    return Website.objects.filter(is_active=True, agency__is_active=True).select_related("agency")


def active_public_assets():
    """Websites and applications other modules may offer for testing (the security module's
    disclosure scope): active ones only."""
    from .models import Application, Website

    return (
        list(Website.objects.filter(is_active=True).select_related("agency")),
        list(Application.objects.filter(is_active=True).select_related("agency")),
    )
