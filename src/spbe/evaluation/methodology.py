"""Evaluation methodologies as versioned data files (``methodologies/*.json``).

A methodology lists domains → aspects → indicators with weights (in %), the level scale, the
predicate bands and the rounding rule. Adding a new methodology (the 2024 45-indicator set, a
future Indeks Pemerintah Digital) means adding a JSON file; no code changes. ``load`` checks
that weights add up at every level so a typo cannot silently skew an index.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "methodologies"


class MethodologyError(ValueError):
    pass


@dataclass(frozen=True)
class Indicator:
    number: int
    name: str
    name_en: str
    weight: Decimal
    scale: str
    domain: int
    aspect: int
    criteria: dict[int, str]
    evidence_hints: tuple[str, ...] = ()
    related: tuple[int, ...] = ()
    chosen_from_applications: bool = False
    errata: str = ""


@dataclass(frozen=True)
class Aspect:
    number: int
    name: str
    name_en: str
    weight: Decimal
    domain: int
    indicators: tuple[Indicator, ...]


@dataclass(frozen=True)
class Domain:
    number: int
    name: str
    name_en: str
    weight: Decimal
    aspects: tuple[Aspect, ...]

    @property
    def indicators(self) -> tuple[Indicator, ...]:
        return tuple(i for a in self.aspects for i in a.indicators)


@dataclass(frozen=True)
class Predicate:
    minimum: Decimal
    name: str
    name_en: str


@dataclass(frozen=True)
class Methodology:
    code: str
    name: str
    version: str
    min_level: int
    max_level: int
    places: int
    rounding_mode: str
    predicate_basis: str  # "rounded": the band is read from the published 2-dp value
    predicates: tuple[Predicate, ...]
    target_level: int
    scales: dict
    stages: tuple[str, ...]
    domains: tuple[Domain, ...]
    raw: dict = field(repr=False, compare=False, default_factory=dict)

    @property
    def aspects(self) -> tuple[Aspect, ...]:
        return tuple(a for d in self.domains for a in d.aspects)

    @property
    def indicators(self) -> tuple[Indicator, ...]:
        return tuple(i for d in self.domains for i in d.indicators)

    def indicator(self, number: int) -> Indicator:
        for indicator in self.indicators:
            if indicator.number == number:
                return indicator
        raise MethodologyError(f"indicator {number} is not part of {self.code}")

    def level_name(self, indicator: Indicator, level: int) -> str:
        return self.scales.get(indicator.scale, {}).get("levels", {}).get(str(level), str(level))


def _dec(value, where: str) -> Decimal:
    try:
        return Decimal(str(value))
    except Exception as exc:  # noqa: BLE001
        raise MethodologyError(f"{where}: weight {value!r} is not a number") from exc


def parse(doc: dict) -> Methodology:
    domains = []
    seen_numbers: set[int] = set()
    for d in doc["domains"]:
        aspects = []
        for a in d["aspects"]:
            indicators = []
            for i in a["indicators"]:
                if i["number"] in seen_numbers:
                    raise MethodologyError(f"indicator {i['number']} appears twice")
                seen_numbers.add(i["number"])
                indicators.append(
                    Indicator(
                        number=int(i["number"]),
                        name=i["name"],
                        name_en=i.get("name_en", i["name"]),
                        weight=_dec(i["weight"], f"indicator {i['number']}"),
                        scale=i.get("scale", "process"),
                        domain=int(d["number"]),
                        aspect=int(a["number"]),
                        criteria={int(k): v for k, v in i.get("criteria", {}).items()},
                        evidence_hints=tuple(i.get("evidence_hints", ())),
                        related=tuple(i.get("related", ())),
                        chosen_from_applications=bool(i.get("chosen_from_applications", False)),
                        errata=i.get("errata", ""),
                    )
                )
            aspect = Aspect(
                number=int(a["number"]),
                name=a["name"],
                name_en=a.get("name_en", a["name"]),
                weight=_dec(a["weight"], f"aspect {a['number']}"),
                domain=int(d["number"]),
                indicators=tuple(indicators),
            )
            total = sum((i.weight for i in indicators), Decimal(0))
            if total != aspect.weight:
                raise MethodologyError(f"aspect {aspect.number}: indicator weights sum to {total}, not {aspect.weight}")
            aspects.append(aspect)
        domain = Domain(
            number=int(d["number"]),
            name=d["name"],
            name_en=d.get("name_en", d["name"]),
            weight=_dec(d["weight"], f"domain {d['number']}"),
            aspects=tuple(aspects),
        )
        total = sum((a.weight for a in aspects), Decimal(0))
        if total != domain.weight:
            raise MethodologyError(f"domain {domain.number}: aspect weights sum to {total}, not {domain.weight}")
        domains.append(domain)
    total = sum((d.weight for d in domains), Decimal(0))
    if total != Decimal(100):
        raise MethodologyError(f"domain weights sum to {total}, not 100")
    predicates = tuple(
        sorted(
            (Predicate(_dec(p["min"], "predicate"), p["name"], p.get("name_en", p["name"])) for p in doc["predicates"]),
            key=lambda p: p.minimum,
            reverse=True,
        )
    )
    return Methodology(
        code=doc["code"],
        name=doc["name"],
        version=str(doc.get("version", "1")),
        min_level=int(doc["levels"]["min"]),
        max_level=int(doc["levels"]["max"]),
        places=int(doc["rounding"]["places"]),
        rounding_mode=doc["rounding"]["mode"],
        predicate_basis=doc.get("predicate_basis", "rounded"),
        predicates=predicates,
        target_level=int(doc.get("target_level", 3)),
        scales=doc.get("scales", {}),
        stages=tuple(doc.get("stages", ("self_assessment", "document", "interview", "field_visit"))),
        domains=tuple(domains),
        raw=doc,
    )


def available() -> list[str]:
    return sorted(p.stem for p in DATA_DIR.glob("*.json"))


@cache
def load(code: str) -> Methodology:
    path = DATA_DIR / f"{code}.json"
    if not path.is_file():
        raise MethodologyError(f"unknown methodology {code!r}; available: {', '.join(available())}")
    return parse(json.loads(path.read_text(encoding="utf-8")))
