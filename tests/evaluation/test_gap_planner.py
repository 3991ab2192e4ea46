"""The gap planner's plan is one a coordinator could adopt: bounded per year, policy first, the
weakest domain not ignored, grouped by OPD, exported. Properties checked on many profiles."""

from __future__ import annotations

import io
import random
from collections import Counter

import pytest

from spbe.evaluation import services
from spbe.evaluation.gap import plan_to_target
from spbe.evaluation.index import compute_from_levels
from spbe.evaluation.methodology import load
from tests.conftest import login

from .conftest import answer_all, approve_all, open_self

M = load("permenpanrb-59-2020")


def _profiles(count=40, seed=7):
    rng = random.Random(seed)
    for _ in range(count):
        yield {i.number: rng.randint(1, 4) for i in M.indicators}


@pytest.mark.db_independent
def test_no_indicator_rises_more_than_the_cap_per_year_and_policies_lead():
    by_number = {i.number: i for i in M.indicators}
    for levels in _profiles():
        for cap in (1, 2):
            plan = plan_to_target(M, levels, "Memuaskan", cycles=3, cap=cap)
            current = dict(levels)
            per_year = Counter()
            for step in plan.steps:
                per_year[(step.cycle, step.indicator)] += 1
                assert step.from_level == current[step.indicator] and step.to_level == step.from_level + 1
                for policy in by_number[step.indicator].depends_on:
                    # never more than one level past a policy it depends on, unless it started there
                    assert step.to_level <= max(current[policy] + 1, levels[step.indicator]), (step, policy)
                current[step.indicator] = step.to_level
            assert max(per_year.values(), default=0) <= cap
            reached = compute_from_levels(M, current).index >= plan.target
            assert reached == plan.reachable


@pytest.mark.db_independent
def test_the_weakest_domain_is_raised_and_steps_spread_over_domains():
    # A Denpasar-like profile: Manajemen SPBE (domain 3) well behind the others.
    levels = {i.number: (2 if i.domain == 3 else 3) for i in M.indicators}
    plan = plan_to_target(M, levels, "Sangat Baik", cycles=2)
    assert plan.reachable
    assert plan.end_groups[3] > plan.start_groups[3]
    assert len({s.group for s in plan.steps}) >= 3
    assert all(s.requirement for s in plan.steps)  # each step carries the official next-level criterion


def test_the_plan_page_groups_steps_by_opd_and_exports_them(world, evaluation):
    from openpyxl import load_workbook

    period, people = evaluation
    open_self(period, people["coordinator"])
    answer_all(period, people["staff_a"], level_for=lambda n: 2)
    approve_all(period, people["coordinator"])
    client = login(people["coordinator"])
    page = client.get(f"/console/evaluation/{period.pk}/gap/?target=Baik&cycles=2&cap=1").content.decode()
    assert 'data-testid="plan-agency"' in page and world.agency_a.name in page and str(period.year + 1) in page
    assert 'data-testid="plan-groups"' in page
    one_year = client.get(f"/console/evaluation/{period.pk}/gap/?target=Memuaskan&cycles=1").content.decode()
    assert 'data-testid="unreachable"' in one_year
    book = load_workbook(io.BytesIO(client.get(f"/console/evaluation/{period.pk}/gap/?target=Baik&cycles=2&format=xlsx").content))
    rows = list(book.active.iter_rows(values_only=True))
    header = rows[3]
    assert header[0] == "Perangkat Daerah penanggung jawab" or "OPD" in header[0]
    assert len(rows) > 4 and all(isinstance(r[6], float) for r in rows[4:])
    api = services.gap_plan(period, "Baik", cycles=2)
    assert api.reachable and max(s.cycle for s in api.steps) <= 2
