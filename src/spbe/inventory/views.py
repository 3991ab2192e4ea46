"""Console pages for the asset inventory. Writes go through ``services``."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from spbe.core import permissions
from spbe.core.services import ServiceError
from spbe.core.views import console_view, run_service, scoped_object_or_404

from . import services
from .forms import asset_form_class
from .models import Application, Server, Website

KINDS = {"applications": Application, "websites": Website, "servers": Server}


def _model(kind: str):
    try:
        return KINDS[kind]
    except KeyError:
        from django.http import Http404

        raise Http404 from None


@console_view
def asset_list(request, kind: str):
    model = _model(kind)
    name = model._meta.model_name
    qs = permissions.scope_queryset(request.user, f"inventory.view_{name}", model.objects.select_related("agency"))
    query = request.GET.get("q", "").strip()
    if query:
        qs = qs.filter(name__icontains=query)
    page = Paginator(qs.order_by("agency__path", "name"), 25).get_page(request.GET.get("page"))
    template = "inventory/_asset_rows.html" if request.htmx else "inventory/asset_list.html"
    return render(
        request,
        template,
        {
            "kind": kind,
            "model_meta": model._meta,
            "page": page,
            "query": query,
            "can_add": permissions.has_perm(request.user, f"inventory.add_{name}"),
        },
    )


@console_view
@require_http_methods(["GET", "POST"])
def asset_edit(request, kind: str, asset_id: int | None = None):
    model = _model(kind)
    name = model._meta.model_name
    asset = None
    read_only = False
    if asset_id is not None:
        asset = scoped_object_or_404(request.user, f"inventory.view_{name}", model.objects.all(), pk=asset_id)
        # Whoever may see an asset gets its page; only those who may change it get a form.
        read_only = not permissions.has_perm(request.user, f"inventory.change_{name}", asset)
        if read_only and request.method == "POST":
            raise PermissionDenied
    perm = f"inventory.{'change' if asset else 'add'}_{name}"
    if asset is None and not permissions.has_perm(request.user, perm):
        raise PermissionDenied
    form_class = asset_form_class(model)
    form = form_class(request.POST or None, instance=asset, user=request.user, perm=f"inventory.view_{name}" if read_only else perm)
    if read_only:
        for field in form.fields.values():
            field.disabled = True
    if request.method == "POST" and form.is_valid():
        fields = {field: form.cleaned_data[field] for field in form.Meta.fields}
        try:
            if asset is None:
                agency = fields.pop("agency")
                asset = services.create_asset(model, agency=agency, by=request.user, **fields)
            else:
                services.update_asset(asset, by=request.user, **fields)
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("%(name)s saved.") % {"name": asset.name})
            return redirect(f"inventory:asset-list-{kind}")
    return render(request, "inventory/asset_form.html",
                  {"form": form, "asset": asset, "kind": kind, "model_meta": model._meta, "read_only": read_only})


@console_view
@require_POST
def asset_delete(request, kind: str, asset_id: int):
    model = _model(kind)
    asset = scoped_object_or_404(request.user, f"inventory.view_{model._meta.model_name}", model.objects.all(), pk=asset_id)
    name = asset.name
    if run_service(request, lambda: services.delete_asset(asset, by=request.user) or True,
                   _("%(name)s deleted.") % {"name": name}) is None:
        return redirect("inventory:asset-edit", kind=kind, asset_id=asset_id)
    return redirect(f"inventory:asset-list-{kind}")
