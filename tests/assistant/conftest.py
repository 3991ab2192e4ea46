"""Assistant fixtures: the levy institution, a knowledge base imported from the Love Bali FAQ
and approved, a duty officer on shift and a levy officer who runs the knowledge base."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone

from spbe.assistant import knowledge, services
from spbe.assistant.models import KnowledgeEntry
from spbe.core.roles import Role
from tests.conftest import make_user
from tests.levy.conftest import levy  # noqa: F401  (fixture)


@dataclass
class Assistant:
    officer: object  # levy officer: knowledge base, roster
    duty: object  # duty officer: answers hand-offs
    world: object


@pytest.fixture
def kb(levy):  # noqa: F811
    """Knowledge base imported and approved; nothing else."""
    knowledge.forget()
    services.import_site_faq()
    services.import_handoff_topics()
    for entry in KnowledgeEntry.objects.filter(status=KnowledgeEntry.Status.PENDING):
        services.approve_entry(entry)
    duty = make_user("duty_officer", levy.world.agency_a, Role.DUTY_OFFICER)
    yield Assistant(levy.officer, duty, levy.world)
    knowledge.forget()


@pytest.fixture
def on_shift(kb):
    now = timezone.now()
    return services.add_shift(kb.duty, now - timedelta(hours=1), now + timedelta(hours=7), ["en", "id"])
