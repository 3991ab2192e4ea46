"""Public services shown on the portal home. Modules add theirs in AppConfig.ready(), as they
do for navigation, so the portal lists every public service without core knowing the modules."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise


@dataclass(frozen=True)
class PublicService:
    title: str | Promise
    description: str | Promise
    url_name: str
    action: str | Promise  # the button's words: "Verify a document"
    order: int = 50
    secondary: tuple[tuple[str | Promise, str], ...] = ()  # further links: (label, url name)


_SERVICES: list[PublicService] = []


def register(*services: PublicService) -> None:
    _SERVICES.extend(services)


def services() -> list[dict]:
    return [
        {"title": s.title, "description": s.description, "url": reverse(s.url_name), "action": s.action,
         "secondary": [(label, reverse(name)) for label, name in s.secondary]}
        for s in sorted(_SERVICES, key=lambda s: s.order)
    ]
