"""Demo data: Bali's published SPBE results and a 2024 evaluation already past self-assessment.

The 2024 levels are one set of whole-number levels consistent with Bali's published 2023
domain values (4.60 / 3.70 / 2.82 / 4.57 → 4.07), used here only as realistic sample answers.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from spbe.core.models import Agency, Institution, User
from spbe.inventory.models import Application

from . import services
from .models import EvaluationPeriod, PublishedIndex, Stage

PUBLISHED = (
    "institution,year,index,domain_1,domain_2,domain_3,domain_4,source\n"
    "Pemerintah Provinsi Bali,2018,1.62,,,,,Kunjungan Kemensetneg 3 Des 2024\n"
    "Pemerintah Provinsi Bali,2023,4.07,4.60,3.70,2.82,4.57,KepmenPANRB 13/2024\n"
)

# indicator → (OPD code, level)
DEMO_LEVELS = {
    **{n: ("diskominfos", 5) for n in range(1, 7)}, **{n: ("diskominfos", 4) for n in range(7, 11)},
    **{n: ("bappeda", 4) for n in range(11, 15)}, **{n: ("diskominfos", 4) for n in range(15, 18)},
    **{n: ("diskominfos", 3) for n in range(18, 21)}, 21: ("inspektorat", 3),
    **{n: ("diskominfos", 3) for n in range(22, 30)}, **{n: ("inspektorat", 2) for n in range(30, 32)},
    32: ("bappeda", 5), 33: ("bpkad", 5), 34: ("bpkad", 5), 35: ("biro-umum", 5), 36: ("bkpsdm", 5),
    37: ("diskominfos", 4), 38: ("bpkad", 4), 39: ("inspektorat", 4), 40: ("biro-organisasi", 4),
    41: ("bkpsdm", 4), 42: ("diskominfos", 5), 43: ("diskominfos", 5), 44: ("setda", 5),
    45: ("dispar", 5), 46: ("bapenda", 4), 47: ("diskes", 4),
}
# Layanan Publik Sektor 1-3: one public service per sector (tourism, regional revenue, health).
SECTORAL_APPS = {45: "Love Bali", 46: "Samsat Digital Bali (e-Samsat)", 47: "SIMRS RS Bali Mandara"}

# From the 2023 result letter (paraphrased as a coordinator records them), open at the 2024 cycle.
RECOMMENDATIONS = [
    (27, "diskominfos", "Lengkapi audit keamanan SPBE untuk seluruh aplikasi layanan publik oleh auditor bersertifikat."),
    (22, "diskominfos", "Terapkan manajemen keamanan informasi (SMKI) di seluruh perangkat daerah, bukan hanya di Diskominfos."),
    (25, "bkpsdm", "Susun rencana pengembangan kompetensi SDM TIK berdasarkan analisis kebutuhan di seluruh perangkat daerah."),
]


def load() -> None:
    province = Institution.objects.get(code="pemprov-bali")
    coordinator = User.objects.get(username="koordinator.spbe")
    if not PublishedIndex.objects.filter(institution_name=province.name).exists():
        services.import_published_indices(PUBLISHED)
    if EvaluationPeriod.objects.filter(institution=province, year=2024).exists():
        return
    agencies = {a.code: a for a in Agency.objects.filter(institution=province)}
    period = services.create_period(institution=province, year=2024, kind="evaluation",
                                    default_agency=agencies["diskominfos"], title="Evaluasi SPBE 2024",
                                    methodology_code="evaluasi-2024")
    services.open_stage(period, Stage.SELF_ASSESSMENT)
    for response in period.responses.order_by("indicator"):
        code, level = DEMO_LEVELS[response.indicator]
        application = None
        if response.indicator in SECTORAL_APPS:
            application = Application.objects.filter(name=SECTORAL_APPS[response.indicator]).first()
        services.assign_indicator(response, agency=agencies[code], application=application)
        services.add_evidence_link(response, url=f"https://jdih.baliprov.go.id/spbe/2024/indikator-{response.indicator}",
                                   title=f"Bukti dukung indikator {response.indicator}")
        services.save_answer(response, level=level, explanation=(
            "Fakta: dokumen dan layanan telah ditetapkan serta berjalan di seluruh perangkat daerah. "
            "Analisis: pelaksanaan direviu berkala oleh Tim Koordinasi SPBE. "
            f"Justifikasi: memenuhi kriteria level {level}."))
        services.submit_answer(response)
        services.review_answer(response, approve=True, comment="Sesuai bukti dukung.", by=coordinator)
    services.close_stage(period, Stage.SELF_ASSESSMENT, by=coordinator)
    services.open_stage(period, Stage.DOCUMENT)
    services.set_stage_deadline(period, Stage.DOCUMENT, timezone.localdate() + timedelta(days=14), by=coordinator)
    for indicator, code, text in RECOMMENDATIONS:
        services.add_recommendation(period, text=text, agency=agencies[code], target_year=2026, indicator=indicator,
                                    by=coordinator)
    assessor = User.objects.get(username="asesor.eksternal")
    services.add_external_assessor(period, assessor)
