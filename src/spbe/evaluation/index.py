"""Exact SPBE index arithmetic (PermenPANRB 59/2020, Lampiran Bab II.B; the same form in 5/2018
and in the Indeks Pemerintah Digital, which has no domains).

    aspect  = Σ (indicator value × indicator weight) / aspect weight
    domain  = Σ (aspect value × aspect weight) / domain weight
    index   = Σ (domain — or, without domains, aspect — value × weight) / total weight (100)

An indicator's value is its level, or for a survey indicator the level its survey converts to.
With indicators switched off (the 2024 instrument) the weights are those of the active ones.

All values are exact fractions; rounding (half-up, 2 places) happens only for display, and
the predicate is read from the published (rounded) value by default.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction

from .methodology import Methodology, Predicate


class InputError(ValueError):
    """Bad levels or domain values. The message (English, for the command line) says what is
    wrong; ``code`` and ``params`` let a page say it in the reader's language
    (evaluation.input_messages)."""

    def __init__(self, message: str, code: str = "", **params):
        super().__init__(message)
        self.code, self.params = code, params


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
            raise InputError(f"indicator {number}: level {level!r} is not a whole number", "level_not_whole", indicator=number,
                             level=level) from None
    if not m.min_level <= level <= m.max_level:
        raise InputError(f"indicator {number}: level {level} is outside {m.min_level}..{m.max_level}", "level_outside",
                         indicator=number, level=level, min=m.min_level, max=m.max_level)
    return level


def survey_level(m: Methodology, benefit, cost) -> int:
    """The level a satisfaction survey converts to (IPD concept 2025): x = nk − nb, where nk and
    nb are the mean answers (1–5) on benefits and on costs/risks; x falls in one of the bands."""
    rule = m.survey
    if not rule:
        raise InputError(f"{m.code} has no survey conversion", "no_survey")
    values = []
    for name, value in (("benefit", benefit), ("cost", cost)):
        try:
            fraction = _fraction(value)
        except Exception:  # noqa: BLE001
            raise InputError(f"survey {name} mean {value!r} is not a number", "survey_value") from None
        if not rule["answer_min"] <= fraction <= rule["answer_max"]:
            raise InputError(f"survey {name} mean {value} is outside {rule['answer_min']}..{rule['answer_max']}", "survey_value")
        values.append(fraction)
    x = values[0] - values[1]
    level = rule["bands"][0]["level"]
    for band in rule["bands"]:  # ascending; a band's lower edge belongs to it
        if x >= _fraction(band["x_min"]):
            level = band["level"]
    return level


def _index(m: Methodology, domains: dict, aspects: dict) -> Fraction:
    if m.domains:
        return sum(domains[d.number] * Fraction(d.weight) for d in m.domains) / Fraction(m.total_weight)
    return sum(aspects[a.number] * Fraction(a.weight) for a in m.aspects) / Fraction(m.total_weight)


def compute_from_levels(m: Methodology, levels: dict[int, int]) -> Result:
    """Index from every active indicator's value (a complete set is required)."""
    expected = {i.number for i in m.indicators}
    unknown = set(levels) - expected
    if unknown:
        raise InputError(f"unknown indicators: {', '.join(map(str, sorted(unknown)))}", "unknown_indicators",
                         numbers=", ".join(map(str, sorted(unknown))))
    missing = expected - set(levels)
    if missing:
        raise InputError(
            f"{len(expected)} indicator levels are needed, got {len(levels)}; missing: "
            + ", ".join(map(str, sorted(missing))), "levels_count", needed=len(expected), got=len(levels)
        )
    checked = {n: _check_level(m, n, lvl) for n, lvl in levels.items()}
    aspects = {}
    for aspect in m.aspects:
        total = sum(Fraction(i.weight) * checked[i.number] for i in aspect.indicators)
        aspects[aspect.number] = total / Fraction(aspect.weight)
    domains = _domains_from_aspects(m, aspects)
    return Result(m, _index(m, domains, aspects), domains, aspects, checked)


def _domains_from_aspects(m: Methodology, aspects: dict) -> dict:
    domains = {}
    for domain in m.domains:
        total = sum(aspects[a.number] * Fraction(a.weight) for a in domain.aspects)
        domains[domain.number] = total / Fraction(domain.weight)
    return domains


def _value(m: Methodology, what: str, value) -> Fraction:
    try:
        fraction = _fraction(value)
    except Exception:  # noqa: BLE001
        raise InputError(f"{what}: {value!r} is not a number", "value_not_number", what=what, value=value) from None
    if not m.min_level <= fraction <= m.max_level:
        raise InputError(f"{what}: value {value} is outside {m.min_level}..{m.max_level}", "value_outside", what=what,
                         value=value, min=m.min_level, max=m.max_level)
    return fraction


def compute_from_aspects(m: Methodology, values: list) -> Result:
    """Index from published aspect values (e.g. Denpasar 2018: 2.00, 2.10, 2.00, 2.50, 2.33, 3.29, 2.50)."""
    if len(values) != len(m.aspects):
        raise InputError(f"{len(m.aspects)} aspect values are needed, got {len(values)}", "aspects_count",
                         needed=len(m.aspects), got=len(values))
    aspects = {a.number: _value(m, f"aspect {a.number}", v) for a, v in zip(m.aspects, values, strict=True)}
    domains = _domains_from_aspects(m, aspects)
    return Result(m, _index(m, domains, aspects), domains, aspects, {})


def compute_from_domains(m: Methodology, values: list) -> Result:
    """Index from published domain values (e.g. Bali 2023: 4.60, 3.70, 2.82, 4.57)."""
    if not m.domains:
        raise InputError(f"{m.code} has no domains: give its {len(m.aspects)} aspect values", "no_domains",
                         needed=len(m.aspects))
    if len(values) != len(m.domains):
        raise InputError(f"{len(m.domains)} domain values are needed, got {len(values)}", "domains_count",
                         needed=len(m.domains), got=len(values))
    domains = {d.number: _value(m, f"domain {d.number}", v) for d, v in zip(m.domains, values, strict=True)}
    return Result(m, _index(m, domains, {}), domains, {}, {})


def parse_level_list(m: Methodology, text: str) -> dict[int, int]:
    """'3,4,2,...' in indicator order → {1: 3, 2: 4, ...}."""
    parts = [p.strip() for p in text.split(",")]
    if any(p == "" for p in parts):
        raise InputError("empty value in the level list", "empty_value")
    numbers = [i.number for i in m.indicators]
    if len(parts) != len(numbers):
        raise InputError(f"{len(numbers)} indicator levels are needed, got {len(parts)}", "levels_count",
                         needed=len(numbers), got=len(parts))
    return {n: _check_level(m, n, p) for n, p in zip(numbers, parts, strict=True)}
