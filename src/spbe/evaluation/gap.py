"""Gap planner: a plan a coordinator can adopt to reach a target index or predicate.

Every step up one level on indicator *i* adds weight_i / total weight to the index. A real plan
is bounded, so the planner:

* raises an indicator by at most ``cap`` levels per cycle (one evaluation year; default 1 — an
  OPD does not go from 2 to 5 in a year);
* keeps an implementing indicator at most one level above the policy indicators it depends on
  (``depends_on`` in the methodology);
* prefers the most index per unit of effort (effort of reaching level n = n × the scale's
  factor, or the coordinator's own weight), and among equals the weakest domain first;
* spreads over as many cycles as the coordinator allows and says when the target is out of
  reach in them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from .index import InputError, compute_from_levels, display
from .methodology import Methodology


@dataclass(frozen=True)
class Step:
    indicator: int
    name: str
    from_level: int
    to_level: int
    gain: Fraction  # index points
    requirement: str  # the official criterion of the next level
    effort: Fraction = Fraction(1)
    group: int = 0  # domain (or aspect, without domains)
    cycle: int = 1


def _effort(m: Methodology, indicator, to_level: int, overrides: dict[int, Decimal] | None) -> Fraction:
    if overrides and indicator.number in overrides:
        return Fraction(Decimal(str(overrides[indicator.number]))) * to_level
    factors = m.planner.get("effort_by_scale", {})
    return Fraction(Decimal(str(factors.get(indicator.scale, 1)))) * to_level


def _group(m: Methodology, indicator) -> int:
    return indicator.domain if m.domains else indicator.aspect


def _step(m: Methodology, indicator, current: int, effort=None, cycle: int = 1) -> Step:
    return Step(indicator=indicator.number, name=indicator.name, from_level=current, to_level=current + 1,
                gain=Fraction(indicator.weight) / Fraction(m.total_weight),
                requirement=indicator.criteria.get(current + 1, ""), effort=_effort(m, indicator, current + 1, effort),
                group=_group(m, indicator), cycle=cycle)


def marginal_gains(m: Methodology, levels: dict[int, int]) -> list[Step]:
    """One step per indicator below the top level, biggest index gain first."""
    steps = [_step(m, i, levels[i.number]) for i in m.indicators if levels[i.number] < m.max_level]
    return sorted(steps, key=lambda s: (-s.gain, s.from_level, s.indicator))


def threshold_for(m: Methodology, target: str) -> Fraction:
    """The raw index needed: a number ('4.20') or a predicate name ('Memuaskan')."""
    for predicate in m.predicates:
        if target.strip().lower() in (predicate.name.lower(), predicate.name_en.lower()):
            value = Fraction(predicate.minimum)
            break
    else:
        try:
            value = Fraction(Decimal(target.strip().replace(",", ".")))
        except Exception:  # noqa: BLE001
            raise InputError(f"target {target!r} is neither a number nor a predicate name", "bad_target",
                             target=target) from None
    if not m.min_level <= value <= m.max_level:
        raise InputError(f"target {target} is outside {m.min_level}..{m.max_level}", "target_outside", target=target,
                         min=m.min_level, max=m.max_level)
    if m.predicate_basis == "rounded":
        # A published 2-dp value reaches the target once the raw value rounds half-up to it.
        value -= Fraction(1, 2 * 10**m.places)
    return value


@dataclass(frozen=True)
class Plan:
    reachable: bool
    steps: list[Step]
    start_index: Fraction
    end_index: Fraction
    target: Fraction
    cycles: int = 1
    start_groups: dict = field(default_factory=dict)
    end_groups: dict = field(default_factory=dict)

    @property
    def total_effort(self) -> Fraction:
        return sum((s.effort for s in self.steps), Fraction(0))

    def as_dict(self, m: Methodology) -> dict:
        names = {g.number: g.name for g in m.groups}
        return {
            "reachable": self.reachable,
            "start_index": display(self.start_index, m.places),
            "end_index": display(self.end_index, m.places),
            "level_increases": len(self.steps),
            "cycles": self.cycles,
            "cycles_used": max((s.cycle for s in self.steps), default=0),
            "total_effort": str(Decimal(self.total_effort.numerator) / Decimal(self.total_effort.denominator)),
            "groups": [{"number": n, "name": names[n], "start": display(self.start_groups[n], m.places),
                        "end": display(self.end_groups[n], m.places)} for n in names],
            "steps": [
                {
                    "indicator": s.indicator,
                    "name": s.name,
                    "from": s.from_level,
                    "to": s.to_level,
                    "gain": str(Decimal(s.gain.numerator) / Decimal(s.gain.denominator)),
                    "requires": s.requirement,
                    "effort": str(Decimal(s.effort.numerator) / Decimal(s.effort.denominator)),
                    "group": s.group,
                    "cycle": s.cycle,
                }
                for s in self.steps
            ],
        }


def _groups(m: Methodology, levels: dict[int, int]) -> dict[int, Fraction]:
    result = compute_from_levels(m, levels)
    return dict(result.domains) if m.domains else dict(result.aspects)


def plan_to_target(m: Methodology, levels: dict[int, int], target: str, *, cycles: int = 1, cap: int = 1,
                   effort: dict[int, Decimal] | None = None) -> Plan:
    if not 1 <= cycles <= 10:
        raise InputError("plan over 1 to 10 cycles", "bad_cycles")
    if not 1 <= cap <= m.max_level - m.min_level:
        raise InputError(f"the cap per cycle is 1 to {m.max_level - m.min_level} levels", "bad_cap",
                         max=m.max_level - m.min_level)
    threshold = threshold_for(m, target)
    start = compute_from_levels(m, levels).index
    current = dict(levels)
    index, steps = start, []
    by_number = {i.number: i for i in m.indicators}
    for cycle in range(1, cycles + 1):
        raised: dict[int, int] = defaultdict(int)
        while index < threshold:
            groups = _groups(m, current)
            candidates = [
                _step(m, i, current[i.number], effort, cycle) for i in m.indicators
                if current[i.number] < m.max_level and raised[i.number] < cap
                and all(current.get(d, m.max_level) >= current[i.number] for d in i.depends_on if d in by_number)
            ]
            if not candidates:
                break
            step = min(candidates, key=lambda s: (-(s.gain / s.effort), groups[s.group], s.indicator))
            steps.append(step)
            current[step.indicator] = step.to_level
            raised[step.indicator] += 1
            index += step.gain
        if index >= threshold:
            break
    return Plan(index >= threshold, steps, start, index, threshold, cycles, _groups(m, levels), _groups(m, current))
