"""Index arithmetic against the regulation's worked examples and Bali's published figures."""

from __future__ import annotations

import json
import subprocess
import sys
from fractions import Fraction

import pytest

from spbe.evaluation.gap import marginal_gains, plan_to_target
from spbe.evaluation.index import InputError, compute_from_domains, compute_from_levels, parse_level_list
from spbe.evaluation.methodology import MethodologyError, load, parse

pytestmark = pytest.mark.db_independent  # no database: the PostgreSQL leg of CI skips it

M = load("permenpanrb-59-2020")


def levels_by_range(*ranges) -> dict[int, int]:
    """levels_by_range((1, 10, 4), ...) → {1: 4, ..., 10: 4, ...}."""
    levels = {}
    for first, last, level in ranges:
        for number in range(first, last + 1):
            levels[number] = level
    return levels


def test_structure_of_the_regulation():
    assert len(M.domains) == 4 and len(M.aspects) == 8 and len(M.indicators) == 47
    assert [str(d.weight) for d in M.domains] == ["13.00", "25.00", "16.50", "45.50"]
    assert [str(a.weight) for a in M.aspects] == ["13.00", "10.00", "10.00", "5.00", "12.00", "4.50", "27.50", "18.00"]
    assert {i.number for i in M.indicators if i.chosen_from_applications} == {45, 46, 47}
    assert {i.scale for i in M.indicators if i.number >= 32} == {"service"}
    assert all(set(i.criteria) == {1, 2, 3, 4, 5} for i in M.indicators)


def test_tabel_10_aspect_example():
    levels = levels_by_range((1, 47, 1))
    levels.update({11: 3, 12: 4, 13: 3, 14: 2})
    result = compute_from_levels(M, levels)
    assert result.aspects[2] == 3
    assert result.as_dict()["aspects"]["2"]["value"] == "3.00"


def test_tabel_11_domain_example():
    levels = levels_by_range((1, 47, 1), (11, 14, 3), (15, 18, 4), (19, 20, 3))
    result = compute_from_levels(M, levels)
    assert (result.aspects[2], result.aspects[3], result.aspects[4]) == (3, 4, 3)
    assert result.domains[2] == Fraction(340, 100)


def test_tabel_12_index_example():
    result = compute_from_domains(M, ["3.70", "3.40", "3.00", "3.20"])
    assert result.index == Fraction(3282, 1000)
    data = result.as_dict()
    assert (data["index"], data["index_raw"], data["predicate"]) == ("3.28", "3.282", "Baik")


def test_bali_2023_from_domains():
    data = compute_from_domains(M, ["4.60", "3.70", "2.82", "4.57"]).as_dict()
    assert data["index"] == "4.07"
    assert data["index_raw"] == "4.06765"
    assert data["predicate"] == "Sangat Baik"
    assert data["domains"]["3"]["value"] == "2.82"


@pytest.mark.parametrize(("services_a", "publics_b", "raw"), [(45, 28, "4.0655"), (44, 29, "4.068")])
def test_bali_2023_from_whole_indicator_levels(services_a, publics_b, raw):
    """Levels consistent with the published domains (sums 46, 37, 31 and (a, b))."""
    levels = levels_by_range((1, 6, 5), (7, 10, 4), (11, 17, 4), (18, 20, 3), (21, 29, 3), (30, 31, 2))
    assert sum(levels[n] for n in range(1, 11)) == 46
    assert sum(levels[n] for n in range(11, 21)) == 37
    assert sum(levels[n] for n in range(21, 32)) == 31
    a_levels = [5] * (services_a - 40) + [4] * (10 - (services_a - 40))
    b_levels = [5] * (publics_b - 24) + [4] * (6 - (publics_b - 24))
    levels.update(dict(zip(range(32, 42), a_levels, strict=True)))
    levels.update(dict(zip(range(42, 48), b_levels, strict=True)))
    data = compute_from_levels(M, levels).as_dict()
    assert data["index_raw"] == raw
    assert data["index"] == "4.07"  # 4.0655 sits exactly on the half: half-up, never banker's
    assert data["predicate"] == "Sangat Baik"
    assert [data["domains"][str(n)]["value"] for n in range(1, 5)] == ["4.60", "3.70", "2.82", "4.57"]
    assert data["domains"]["3"]["value_raw"].startswith("2.818181818")


def test_index_equals_weighted_sum_of_levels():
    levels = {i.number: (i.number % 5) + 1 for i in M.indicators}
    expected = sum(Fraction(i.weight) * levels[i.number] for i in M.indicators) / 100
    assert compute_from_levels(M, levels).index == expected


@pytest.mark.parametrize(
    ("index", "predicate"),
    [("5.00", "Memuaskan"), ("4.41", "Memuaskan"), ("4.20", "Memuaskan"), ("4.19", "Sangat Baik"),
     ("3.50", "Sangat Baik"), ("3.49", "Baik"), ("2.61", "Baik"), ("2.60", "Baik"), ("2.59", "Cukup"),
     ("1.80", "Cukup"), ("1.79", "Kurang"), ("1.00", "Kurang")],
)
def test_predicate_bands(index, predicate):
    assert compute_from_domains(M, [index] * 4).predicate.name == predicate


def test_predicate_is_read_from_the_published_value():
    # Raw 4.1950 is published as 4.20, and 4.20 is Memuaskan.
    result = compute_from_domains(M, ["4.195"] * 4)
    assert result.index_display == "4.20" and result.predicate.name == "Memuaskan"


@pytest.mark.parametrize(
    ("text", "message"),
    [("3,3,3", "47 indicator levels are needed, got 3"), (",".join(["3"] * 46 + ["6"]), "outside 1..5"),
     (",".join(["3"] * 46 + ["0"]), "outside 1..5"), (",".join(["3"] * 46 + ["x"]), "not a whole number"),
     (",".join(["3"] * 46 + ["2.5"]), "not a whole number"), ("3,,3", "empty value")],
)
def test_bad_level_lists_are_explained(text, message):
    with pytest.raises(InputError, match=message):
        parse_level_list(M, text)


def test_bad_domain_values_are_explained():
    with pytest.raises(InputError, match="4 domain values are needed"):
        compute_from_domains(M, ["4"])
    with pytest.raises(InputError, match="outside 1..5"):
        compute_from_domains(M, ["4", "4", "4", "5.01"])
    with pytest.raises(InputError, match="not a number"):
        compute_from_domains(M, ["4", "4", "4", "abc"])


def test_methodology_weights_must_add_up():
    doc = json.loads(json.dumps(M.raw))
    doc["domains"][0]["aspects"][0]["indicators"][0]["weight"] = "1.31"
    with pytest.raises(MethodologyError, match="aspect 1: indicator weights sum to 13.01"):
        parse(doc)
    with pytest.raises(MethodologyError, match="unknown methodology"):
        load("no-such-method")


def test_a_new_methodology_is_only_a_data_file():
    """A smaller instrument (like the 2024 45-indicator set) needs no code: drop two indicators."""
    doc = json.loads(json.dumps(M.raw))
    doc["code"] = "test-45"
    aspect = doc["domains"][3]["aspects"][1]
    aspect["indicators"] = aspect["indicators"][:-2]
    aspect["weight"] = "12.00"
    doc["domains"][3]["weight"] = "39.50"
    doc["domains"][0]["weight"] = "19.00"
    doc["domains"][0]["aspects"][0]["weight"] = "19.00"
    for indicator in doc["domains"][0]["aspects"][0]["indicators"]:
        indicator["weight"] = "1.90"
    m45 = parse(doc)
    assert len(m45.indicators) == 45
    assert compute_from_levels(m45, {i.number: 3 for i in m45.indicators}).index_display == "3.00"


def test_gap_planner_orders_by_gain_and_reaches_targets():
    levels = levels_by_range((1, 47, 3))
    gains = marginal_gains(M, levels)
    assert gains[0].indicator == 42 and gains[0].gain == Fraction(3, 100)
    assert "layanan kolaborasi" in gains[0].requirement  # the official level-4 criterion
    plan = plan_to_target(M, levels, "Sangat Baik")
    # 3.00 → 3.50 (or 3.495 raw, published as 3.50): heaviest steps first (3.00 each, then 2.75 ...).
    assert plan.reachable
    assert compute_from_levels(M, {**levels, **{s.indicator: s.to_level for s in plan.steps}}).predicate.name == "Sangat Baik"
    fewer = plan.steps[:-1]
    assert compute_from_levels(M, {**levels, **{s.indicator: s.to_level for s in fewer}}).predicate.name == "Baik"
    assert plan.as_dict(M)["level_increases"] == len(plan.steps)


def test_gap_planner_reports_unreachable_and_bad_targets():
    levels = levels_by_range((1, 47, 5))
    top = plan_to_target(M, levels, "5.00")
    assert top.reachable and top.steps == []
    assert not plan_to_target(M, levels_by_range((1, 47, 1)), "5.00").reachable  # one level a year
    full = plan_to_target(M, levels_by_range((1, 47, 1)), "5.00", cycles=4)
    assert full.reachable and len(full.steps) == 47 * 4
    with pytest.raises(InputError):
        plan_to_target(M, levels, "Luar Biasa")
    with pytest.raises(InputError):
        plan_to_target(M, levels, "6")


def _command(*args):
    return subprocess.run([sys.executable, "-m", "spbe.manage", "compute_index", *args], capture_output=True,
                          text=True)


def test_compute_index_command_contract():
    result = _command("--methodology", "permenpanrb-59-2020", "--domains", "4.60,3.70,2.82,4.57", "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert {"index", "index_raw", "predicate", "domains", "aspects"} <= set(data)
    assert (data["index"], data["predicate"], data["aspects"]) == ("4.07", "Sangat Baik", {})
    levels = ",".join(str(v) for v in [4] * 10 + [3] * 10 + [2] * 11 + [5] * 16)
    data = json.loads(_command("--levels", levels, "--format", "json").stdout)
    assert data["index"] == "3.88" and data["index_raw"] == "3.875"
    assert set(data["aspects"]) == {str(n) for n in range(1, 9)}


@pytest.mark.parametrize(
    "args",
    [("--levels", "3,3"), ("--levels", ",".join(["3"] * 46 + ["9"])), ("--domains", "4,4,4"),
     ("--domains", "4,4,4,4", "--methodology", "nope"), ("--levels", "3", "--domains", "4,4,4,4")],
)
def test_compute_index_command_rejects_bad_input_with_exit_2(args):
    result = _command(*args, "--format", "json")
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.strip()


def test_compute_index_is_the_same_inside_django_and_standalone():
    """`spbe compute_index` skips Django (spbe.manage.STANDALONE); call_command runs the same body."""
    from io import StringIO

    from django.core.management import CommandError, call_command

    for fmt in ("json", "text"):
        out = StringIO()
        call_command("compute_index", "--domains", "4.60,3.70,2.82,4.57", "--format", fmt, stdout=out)
        assert out.getvalue() == _command("--domains", "4.60,3.70,2.82,4.57", "--format", fmt).stdout
    with pytest.raises(CommandError) as raised:
        call_command("compute_index", "--domains", "4,4,4")
    assert raised.value.returncode == 2
    assert str(raised.value) in _command("--domains", "4,4,4").stderr
