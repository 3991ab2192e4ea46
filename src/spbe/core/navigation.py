"""Console navigation. Modules add their entries in AppConfig.ready()."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise

from . import permissions


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    perm: str | None = None  # shown only to users holding this permission somewhere
    group: str | Promise = ""


_ITEMS: list[NavItem] = []


def register(*items: NavItem) -> None:
    _ITEMS.extend(items)


def items_for(user, current_path: str) -> list[dict]:
    visible = []
    for item in _ITEMS:
        if item.perm and not permissions.has_perm(user, item.perm):
            continue
        url = reverse(item.url_name)
        active = current_path == url if url.rstrip("/") == "/console" else current_path.startswith(url)
        visible.append({"label": item.label, "url": url, "group": item.group, "active": active})
    return visible
