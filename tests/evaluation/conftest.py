from __future__ import annotations

import pytest

from spbe.core.roles import Role
from spbe.evaluation import services
from spbe.evaluation.models import Stage

from ..conftest import make_user

PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj "
       b"3 0 obj<</Type/Page/Parent 2 0 R/Resources<</Font<</F1 4 0 R>>>>>>endobj "
       b"4 0 obj<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")


@pytest.fixture
def evaluation(world):
    """A 2026 evaluation period of the test province with its people."""
    people = {
        "coordinator": world.users["coordinator"],
        "staff_a": world.users["staff_a"],
        "staff_b": world.users["staff_b"],
        "internal": make_user("asesor_internal", world.agency_b, Role.INTERNAL_ASSESSOR),
    }
    from spbe.core import services as core_services

    ministry = core_services.create_institution(code="kemen", name="Kementerian", kind="ministry")
    deputi = core_services.create_agency(institution=ministry, code="deputi", name="Deputi")
    people["external"] = make_user("asesor_eksternal", deputi, Role.EXTERNAL_ASSESSOR)
    people["other_external"] = make_user("asesor_lain", deputi, Role.EXTERNAL_ASSESSOR)
    period = services.create_period(
        institution=world.province, year=2026, kind="evaluation", default_agency=world.agency_a,
        by=people["coordinator"],
    )
    services.add_external_assessor(period, people["external"], by=people["coordinator"])
    return period, people


def answer_all(period, user, level_for=lambda n: 3):
    """Every indicator answered with a link as bukti dukung and submitted (45-47 get an app)."""
    from spbe.core.models import Membership
    from spbe.inventory.models import Application

    coordinator = Membership.objects.filter(role=Role.SPBE_COORDINATOR).first().user
    application = Application.objects.filter(agency__institution=period.institution).first()
    for response in period.responses.filter(indicator__gte=45):
        services.assign_indicator(response, agency=response.agency, application=application, by=coordinator)
    for response in period.responses.order_by("indicator"):
        services.add_evidence_link(response, url=f"https://jdih.prov.go.id/{response.indicator}",
                                   title="Peraturan Gubernur", by=user)
        services.save_answer(response, level=level_for(response.indicator),
                             explanation="Fakta: dokumen ditetapkan. Analisis: berlaku untuk seluruh unit.", by=user)
        services.submit_answer(response, by=user)


def approve_all(period, reviewer):
    for response in period.responses.order_by("indicator"):
        services.review_answer(response, approve=True, by=reviewer)


def open_self(period, coordinator):
    services.open_stage(period, Stage.SELF_ASSESSMENT, by=coordinator)
