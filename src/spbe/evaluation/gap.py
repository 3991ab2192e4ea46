"""Gap planner: where level increases raise the index most, and the fewest increases that
reach a target index or predicate.

Every step up one level on indicator *i* adds weight_i / 100 to the index, whatever the
current level, so the fewest steps to reach a target are the heaviest steps first (a
greedy choice is optimal because all steps of an indicator are worth the same).
"""

from __future__ import annotations

from dataclasses import dataclass
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
    requirement: str  # what the next level requires


def marginal_gains(m: Methodology, levels: dict[int, int]) -> list[Step]:
    """One step per indicator below the top level, biggest index gain first."""
    steps = []
    for indicator in m.indicators:
        current = levels[indicator.number]
        if current >= m.max_level:
            continue
        steps.append(
            Step(
                indicator=indicator.number,
                name=indicator.name,
                from_level=current,
                to_level=current + 1,
                gain=Fraction(indicator.weight) / 100,
                requirement=indicator.criteria.get(current + 1, ""),
            )
        )
    return sorted(steps, key=lambda s: (-s.gain, s.from_level, s.indicator))


def threshold_for(m: Methodology, target: str) -> Fraction:
    """The raw index needed: a number ('4.20') or a predicate name ('Memuaskan')."""
    for predicate in m.predicates:
        if target.strip().lower() in (predicate.name.lower(), predicate.name_en.lower()):
            value = Fraction(predicate.minimum)
            break
    else:
        try:
            value = Fraction(Decimal(target))
        except Exception:  # noqa: BLE001
            raise InputError(f"target {target!r} is neither a number nor a predicate name") from None
    if not m.min_level <= value <= m.max_level:
        raise InputError(f"target {target} is outside {m.min_level}..{m.max_level}")
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

    def as_dict(self, m: Methodology) -> dict:
        return {
            "reachable": self.reachable,
            "start_index": display(self.start_index, m.places),
            "end_index": display(self.end_index, m.places),
            "level_increases": len(self.steps),
            "steps": [
                {
                    "indicator": s.indicator,
                    "name": s.name,
                    "from": s.from_level,
                    "to": s.to_level,
                    "gain": str(Decimal(s.gain.numerator) / Decimal(s.gain.denominator)),
                    "requires": s.requirement,
                }
                for s in self.steps
            ],
        }


def plan_to_target(m: Methodology, levels: dict[int, int], target: str) -> Plan:
    threshold = threshold_for(m, target)
    start = compute_from_levels(m, levels).index
    current = dict(levels)
    index = start
    steps: list[Step] = []
    while index < threshold:
        candidates = marginal_gains(m, current)
        if not candidates:
            return Plan(False, steps, start, index, threshold)
        step = candidates[0]
        steps.append(step)
        current[step.indicator] = step.to_level
        index += step.gain
    return Plan(True, steps, start, index, threshold)
