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
    """The entries ``user`` may open, kept together by group (in the order groups first appear,
    so two modules sharing a group show one heading), with only the best match marked active:
    the entry whose URL is the longest prefix of the current path."""
    visible = []
    for item in _ITEMS:
        if item.perm and not permissions.has_perm(user, item.perm):
            continue
        visible.append({"label": item.label, "url": reverse(item.url_name), "group": item.group, "active": False})
    matches = [entry for entry in visible
               if (current_path == entry["url"] if entry["url"].rstrip("/") == "/console" else current_path.startswith(entry["url"]))]
    if matches:
        max(matches, key=lambda entry: len(entry["url"]))["active"] = True
    order = {}
    for entry in visible:
        order.setdefault(str(entry["group"]), len(order))
    return sorted(visible, key=lambda entry: order[str(entry["group"])])  # stable: entries keep their order in a group
