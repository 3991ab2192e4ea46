from django.urls import path

from . import views

app_name = "inventory"
urlpatterns = [
    # One named list URL per kind, so navigation can reverse each without arguments.
    *[
        path(f"{kind}/", views.asset_list, {"kind": kind}, name=f"asset-list-{kind}")
        for kind in views.KINDS
    ],
    path("<str:kind>/new/", views.asset_edit, name="asset-create"),
    path("<str:kind>/<int:asset_id>/", views.asset_edit, name="asset-edit"),
    path("<str:kind>/<int:asset_id>/delete/", views.asset_delete, name="asset-delete"),
]
