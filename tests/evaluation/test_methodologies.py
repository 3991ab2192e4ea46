"""Every methodology since 2018, checked against figures published by others (Denpasar's 2018
result, the 59/2020 annex's worked examples and its criteria wording), not against our files."""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal
from fractions import Fraction

import pytest

from spbe.evaluation.index import InputError, compute_from_aspects, compute_from_domains, compute_from_levels, survey_level
from spbe.evaluation.methodology import MethodologyError, available, for_year, load, with_inactive

pytestmark = pytest.mark.db_independent


def test_every_methodology_loads_with_its_published_structure():
    shapes = {code: (len(load(code).domains), len(load(code).aspects), len(load(code).indicators)) for code in available()}
    assert shapes == {"permenpanrb-5-2018": (3, 7, 35), "permenpanrb-59-2020": (4, 8, 47), "evaluasi-2024": (4, 8, 47),
                      "ipd-konsep-2025": (0, 9, 35), "ipd-2026": (0, 7, 20)}
    for code in available():
        m = load(code)
        assert sum(i.weight for i in m.indicators) == 100, code


def test_years_choose_their_methodology():
    assert [for_year(y) for y in (2018, 2019, 2021, 2023, 2024, 2025, 2026)] == [
        "permenpanrb-5-2018", "permenpanrb-5-2018", "permenpanrb-59-2020", "permenpanrb-59-2020", "evaluasi-2024",
        "permenpanrb-59-2020", "ipd-2026"]


def test_59_2020_criteria_are_the_official_wording_per_indicator():
    m = load("permenpanrb-59-2020")
    # One criteria set per indicator (the paraphrases had 14 for 47); the three public-service
    # sectors (45–47) share theirs in the annex.
    assert len({tuple(sorted(i.criteria.items())) for i in m.indicators}) == 45
    assert m.indicator(45).criteria == m.indicator(47).criteria
    security = m.indicator(22)
    assert "Keamanan Informasi" in security.criteria[2] and "ad hoc" not in " ".join(security.criteria.values())
    # Level 1 of indicator 1 exactly as the annex prints it (p. 30).
    assert m.indicator(1).criteria[1] == (
        "Konsep kebijakan internal terkait Arsitektur SPBE Instansi Pusat/Pemerintah Daerah belum atau telah tersedia.")
    # The annex's own defect in indicator 3 is kept and flagged, not "fixed".
    assert "bergeser" in m.indicator(3).errata
    assert all(i.question for i in m.indicators) and sum(1 for i in m.indicators if i.explanation) == 47
    assert m.scales["process"]["levels"]["3"] == "Terdefinisi" and m.scales["service"]["levels"]["4"] == "Kolaborasi"


def test_59_2020_annex_worked_examples():
    m = load("permenpanrb-59-2020")
    # Tabel 10: aspect 2 with I11..I14 = 3, 4, 3, 2 → 3.00.
    levels = {i.number: 3 for i in m.indicators} | {11: 3, 12: 4, 13: 3, 14: 2}
    assert compute_from_levels(m, levels).aspects[2] == 3
    # Bali 2023's published domains → 4.07 (Sangat Baik).
    result = compute_from_domains(m, ["4.60", "3.70", "2.82", "4.57"])
    assert (result.index_display, result.predicate.name) == ("4.07", "Sangat Baik")


def _denpasar_2018_levels() -> dict[int, int]:
    """Levels whose aspect means are Denpasar's published 2018 aspects (2.00, 2.10 | 2.00, 2.50,
    2.33 | 3.29, 2.50): sums 14/7, 21/10, 4/2, 5/2, 7/3, 23/7, 10/4."""
    sums = [(range(1, 8), 14), (range(8, 18), 21), (range(18, 20), 4), (range(20, 22), 5), (range(22, 25), 7),
            (range(25, 32), 23), (range(32, 36), 10)]
    levels = {}
    for numbers, total in sums:
        numbers = list(numbers)
        base, extra = divmod(total, len(numbers))
        for k, n in enumerate(numbers):
            levels[n] = base + (1 if k < extra else 0)
    return levels


def test_5_2018_reproduces_denpasar_2018_from_levels_aspects_and_domains():
    m = load("permenpanrb-5-2018")
    assert (m.min_level, m.max_level) == (0, 5) and [str(d.weight) for d in m.domains] == ["17.00", "28.00", "55.00"]
    from_levels = compute_from_levels(m, _denpasar_2018_levels())
    assert [str(from_levels.as_dict()["domains"][k]["value"]) for k in "123"] == ["2.06", "2.29", "3.00"]
    assert from_levels.index_display == "2.64" and from_levels.predicate.name == "Baik"
    published_aspects = ["2.00", "2.10", "2.00", "2.50", "2.33", "3.29", "2.50"]
    assert compute_from_aspects(m, published_aspects).index_display == "2.64"
    assert compute_from_domains(m, ["2.06", "2.29", "3.00"]).index_display == "2.64"
    assert compute_from_levels(m, {n: 0 for n in range(1, 36)}).index == 0  # level 0 exists in 5/2018
    with pytest.raises(InputError, match="3 domain values are needed, got 4"):
        compute_from_domains(m, ["2", "2", "2", "2"])


def test_ipd_2026_has_its_own_predicate_bands_and_no_domains():
    m = load("ipd-2026")
    names = {value: compute_from_aspects(m, [value] * 7).predicate.name for value in ("4.00", "3.99", "3.50", "2.50", "1.50", "1.49")}
    assert names == {"4.00": "Memuaskan", "3.99": "Sangat Baik", "3.50": "Sangat Baik", "2.50": "Baik", "1.50": "Cukup",
                     "1.49": "Kurang"}
    spbe = load("permenpanrb-59-2020")
    assert compute_from_domains(spbe, ["4.00"] * 4).predicate.name == "Sangat Baik"  # the same 4.00 under SPBE bands
    with pytest.raises(InputError, match="no domains"):
        compute_from_domains(m, ["3"] * 7)
    # The satisfaction aspect weighs 25 of 100: 5 there and 1 elsewhere gives (25×5 + 75×1)/100.
    assert compute_from_aspects(m, ["1"] * 6 + ["5"]).index == 2


def test_ipd_concept_2025_converts_the_satisfaction_survey():
    m = load("ipd-konsep-2025")
    assert {i.number for i in m.indicators if i.value_source == "survey"} == {33, 34, 35}
    assert m.scales["maturity"]["levels"]["3"] == "Terstandarisasi"
    # x = nk − nb; band edges −2.4 / −0.8 / 1.0 / 2.4 belong to the upper band.
    cases = {("5", "1"): 5, ("4.4", "2"): 5, ("4.3", "2"): 4, ("3", "2"): 4, ("3", "3"): 3, ("2.2", "3"): 3,
             ("2.1", "3"): 2, ("1.6", "4"): 2, ("1", "5"): 1}
    assert {pair: survey_level(m, *pair) for pair in cases} == cases
    with pytest.raises(InputError, match="outside 1..5"):
        survey_level(m, "6", "1")
    with pytest.raises(InputError):
        survey_level(load("permenpanrb-59-2020"), "4", "2")


def test_the_2024_instrument_switches_indicators_off_and_reweights():
    m = load("evaluasi-2024")
    assert m.status == "provisional" and m.optional_indicators and "663/2024" in m.status_note
    reduced = with_inactive(m, [46, 47])
    assert len(reduced.indicators) == 45 and reduced.total_weight == Decimal("94.00")
    levels = {i.number: 3 for i in reduced.indicators} | {42: 5, 43: 5, 44: 5, 45: 5}
    result = compute_from_levels(reduced, levels)
    # Σ weight × level / Σ active weight: the four service indicators at 5 weigh 3.00 each.
    assert result.index == Fraction(3 * 94 + 2 * 4 * 3, 94)
    with pytest.raises(InputError, match="unknown indicators"):
        compute_from_levels(reduced, levels | {47: 3})
    with pytest.raises(MethodologyError, match="unknown indicators"):
        with_inactive(m, [99])
    with pytest.raises(MethodologyError, match="does not allow"):
        with_inactive(load("permenpanrb-59-2020"), [1])


def _cli(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "spbe.manage", "compute_index", *args], capture_output=True, text=True)


def test_compute_index_cli_for_every_methodology():
    old = json.loads(_cli("--year", "2018", "--aspects", "2.00,2.10,2.00,2.50,2.33,3.29,2.50", "--format", "json").stdout)
    assert set(old) == {"methodology", "index", "index_raw", "predicate", "predicate_en", "domains", "aspects"}
    assert (old["methodology"], old["index"], len(old["domains"])) == ("permenpanrb-5-2018", "2.64", 3)
    ipd = json.loads(_cli("--methodology", "ipd-2026", "--levels", ",".join(["4"] * 20), "--format", "json").stdout)
    assert (ipd["index"], ipd["predicate"], ipd["domains"]) == ("4.00", "Memuaskan", {})
    listed = json.loads(_cli("--list", "--format", "json").stdout)
    assert {row["methodology"] for row in listed} == set(available())
    bad = _cli("--methodology", "ipd-2026", "--domains", "3,3")
    assert bad.returncode == 2 and "7 aspect values" in bad.stderr
