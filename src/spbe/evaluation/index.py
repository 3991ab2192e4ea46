"""Exact SPBE index arithmetic (PermenPANRB 59/2020, Lampiran Bab II.B).

    aspect  = Σ (indicator level × indicator weight) / aspect weight
    domain  = Σ (aspect value × aspect weight) / domain weight
    index   = Σ (domain value × domain weight) / 100

All values are exact fractions; rounding (half-up, 2 places) happens only for display, and
the predicate is read from the published (rounded) value by default.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction

from .methodology import Methodology, Predicate


class InputError(ValueError):
    """Bad levels or domain values; the message says what is wrong."""


def _fraction(value) -> Fraction:
    return value if isinstance(value, Fraction) else Fraction(Decimal(str(value)))


def _terminates(value: Fraction) -> bool:
    denominator = value.denominator
    for prime in (2, 5):
        while denominator % prime == 0:
            denominator //= prime
    return denominator == 1


def raw_string(value: Fraction, digits: int = 28) -> str:
    """The unrounded value: exact when it terminates in base 10, else ``digits`` significant digits."""
    with localcontext() as ctx:
        ctx.prec = 200 if _terminates(value) else digits
        decimal = Decimal(value.numerator) / Decimal(value.denominator)
    text = format(decimal, "f")
    if "." in text and _terminates(value):
        text = text.rstrip("0").rstrip(".")
    return text


def display(value: Fraction, places: int = 2) -> str:
    """Half-up rounding for display only."""
    quantum = Decimal(1).scaleb(-places)
    with localcontext() as ctx:
        ctx.prec = 60
        exact = Decimal(value.numerator) / Decimal(value.denominator)
        return str(exact.quantize(quantum, rounding=ROUND_HALF_UP))


def predicate_for(m: Methodology, value) -> "Predicate":
    """The band a (published) index value falls in."""
    value = _fraction(value)
    for predicate in m.predicates:
        if value >= Fraction(predicate.minimum):
            return predicate
    return m.predicates[-1]


@dataclass(frozen=True)
class Result:
    methodology: Methodology
    index: Fraction
    domains: dict[int, Fraction]
    aspects: dict[int, Fraction]
    levels: dict[int, int]

    @property
    def index_display(self) -> str:
        return display(self.index, self.methodology.places)

    @property
    def predicate(self):
        basis = (
            Fraction(Decimal(self.index_display))
            if self.methodology.predicate_basis == "rounded"
            else self.index
        )
        return predicate_for(self.methodology, basis)

    def as_dict(self, language: str = "id") -> dict:
        m = self.methodology
        places = m.places

        def item(obj, value):
            return {
                "name": obj.name if language == "id" else obj.name_en,
                "weight": str(obj.weight),
                "value": display(value, places),
                "value_raw": raw_string(value),
            }

        domains = {str(d.number): item(d, self.domains[d.number]) for d in m.domains if d.number in self.domains}
        aspects = {str(a.number): item(a, self.aspects[a.number]) for a in m.aspects if a.number in self.aspects}
        predicate = self.predicate
        return {
            "methodology": m.code,
            "index": self.index_display,
            "index_raw": raw_string(self.index),
            "predicate": predicate.name,
            "predicate_en": predicate.name_en,
            "domains": domains,
            "aspects": aspects,
        }


def _check_level(m: Methodology, number: int, level) -> int:
    if isinstance(level, bool) or not isinstance(level, int):
        try:
            if isinstance(level, str) and level.strip().lstrip("-").isdigit():
                level = int(level.strip())
            else:
                raise ValueError
        except ValueError:
            raise InputError(f"indicator {number}: level {level!r} is not a whole number") from None
    if not m.min_level <= level <= m.max_level:
        raise InputError(f"indicator {number}: level {level} is outside {m.min_level}..{m.max_level}")
    return level


def compute_from_levels(m: Methodology, levels: dict[int, int]) -> Result:
    """Index from every indicator's level (a complete set is required)."""
    expected = {i.number for i in m.indicators}
    unknown = set(levels) - expected
    if unknown:
        raise InputError(f"unknown indicators: {', '.join(map(str, sorted(unknown)))}")
    missing = expected - set(levels)
    if missing:
        raise InputError(
            f"{len(expected)} indicator levels are needed, got {len(levels)}; missing: "
            + ", ".join(map(str, sorted(missing)))
        )
    checked = {n: _check_level(m, n, lvl) for n, lvl in levels.items()}
    aspects = {}
    for aspect in m.aspects:
        total = sum(Fraction(i.weight) * checked[i.number] for i in aspect.indicators)
        aspects[aspect.number] = total / Fraction(aspect.weight)
    domains = {}
    for domain in m.domains:
        total = sum(aspects[a.number] * Fraction(a.weight) for a in domain.aspects)
        domains[domain.number] = total / Fraction(domain.weight)
    index = sum(domains[d.number] * Fraction(d.weight) for d in m.domains) / 100
    return Result(m, index, domains, aspects, checked)


def compute_from_domains(m: Methodology, values: list) -> Result:
    """Index from published domain values (e.g. Bali 2023: 4.60, 3.70, 2.82, 4.57)."""
    if len(values) != len(m.domains):
        raise InputError(f"{len(m.domains)} domain values are needed, got {len(values)}")
    domains = {}
    for domain, value in zip(m.domains, values, strict=True):
        try:
            fraction = _fraction(value)
        except Exception:  # noqa: BLE001
            raise InputError(f"domain {domain.number}: {value!r} is not a number") from None
        if not m.min_level <= fraction <= m.max_level:
            raise InputError(f"domain {domain.number}: value {value} is outside {m.min_level}..{m.max_level}")
        domains[domain.number] = fraction
    index = sum(domains[d.number] * Fraction(d.weight) for d in m.domains) / 100
    return Result(m, index, domains, {}, {})


def parse_level_list(m: Methodology, text: str) -> dict[int, int]:
    """'3,4,2,...' in indicator order → {1: 3, 2: 4, ...}."""
    parts = [p.strip() for p in text.split(",")]
    if any(p == "" for p in parts):
        raise InputError("empty value in the level list")
    numbers = [i.number for i in m.indicators]
    if len(parts) != len(numbers):
        raise InputError(f"{len(numbers)} indicator levels are needed, got {len(parts)}")
    return {n: _check_level(m, n, p) for n, p in zip(numbers, parts, strict=True)}
