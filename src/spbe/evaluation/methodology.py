"""Evaluation methodologies as versioned data files (``methodologies/*.json``).

A methodology lists domains → aspects → indicators with weights (in % of the index), the level
scale, the predicate bands and the rounding rule. The Indeks Pemerintah Digital has no domain
level: its file lists aspects directly. An indicator's value comes from levels or, for a
satisfaction aspect, from a survey converted by the methodology's ``survey`` rule. A file may
``extend`` another (the 2024 instrument is 59/2020 whose indicators a period may switch off).

The files are built from the research by ``tools/build_methodologies.py``; criteria are the
official wording. ``load`` checks that weights add up at every level so a typo cannot silently
skew an index.
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
    code: str = ""
    question: str = ""
    explanation: tuple[str, ...] = ()  # penjelasan indikator (technical guideline)
    assessment_note: str = ""  # how the level is judged
    fulfilment: dict[int, str] = field(default_factory=dict)  # what meeting each level means
    evidence_by_level: dict[int, tuple[str, ...]] = field(default_factory=dict)
    criteria_alternative: dict[int, str] = field(default_factory=dict)  # a second transcription, where it differs
    value_source: str = "levels"  # or "survey"
    external_index: str = ""  # fed from a national index (SDI, IKASANDI, ...)
    page: int | None = None
    depends_on: tuple[int, ...] = ()  # policy indicators the gap planner keeps ahead of this one


@dataclass(frozen=True)
class Aspect:
    number: int
    name: str
    name_en: str
    weight: Decimal
    domain: int  # 0 when the methodology has no domains
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
    name_en: str = ""
    status: str = "official"  # official | reconstructed | provisional | concept | reported
    status_note: str = ""
    years: tuple[int, ...] = ()
    optional_indicators: bool = False  # a period may switch indicators off
    inactive: tuple[int, ...] = ()
    survey: dict = field(default_factory=dict)
    planner: dict = field(default_factory=dict)
    flat_aspects: tuple[Aspect, ...] = ()  # aspects of a methodology without domains

    @property
    def aspects(self) -> tuple[Aspect, ...]:
        return tuple(a for d in self.domains for a in d.aspects) if self.domains else self.flat_aspects

    @property
    def indicators(self) -> tuple[Indicator, ...]:
        return tuple(i for a in self.aspects for i in a.indicators)

    @property
    def groups(self) -> tuple:
        """The top level of the structure: domains, or aspects where there are none (IPD)."""
        return self.domains or self.flat_aspects

    @property
    def total_weight(self) -> Decimal:
        return sum((g.weight for g in self.groups), Decimal(0))

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


def _indicator(i: dict, domain: int, aspect: int) -> Indicator:
    levels = lambda key: {int(k): v for k, v in i.get(key, {}).items()}  # noqa: E731
    return Indicator(
        number=int(i["number"]),
        name=i["name"],
        name_en=i.get("name_en", i["name"]),
        weight=_dec(i["weight"], f"indicator {i['number']}"),
        scale=i.get("scale", "process"),
        domain=domain,
        aspect=aspect,
        criteria=levels("criteria"),
        evidence_hints=tuple(i.get("evidence_hints", ())),
        related=tuple(i.get("related", ())),
        chosen_from_applications=bool(i.get("chosen_from_applications", False)),
        errata=i.get("errata", ""),
        code=i.get("code", ""),
        question=i.get("question", ""),
        explanation=tuple(i.get("explanation", ())),
        assessment_note=i.get("assessment_note", ""),
        fulfilment=levels("fulfilment"),
        evidence_by_level={k: tuple(v) for k, v in levels("evidence_by_level").items()},
        criteria_alternative=levels("criteria_alternative"),
        value_source=i.get("value_source", "levels"),
        external_index=i.get("external_index", ""),
        page=i.get("page"),
        depends_on=tuple(int(n) for n in i.get("depends_on", ())),
    )


def _aspect(a: dict, domain: int, seen: set[int], inactive: set[int]) -> Aspect | None:
    """None when every indicator of the aspect is switched off."""
    indicators = []
    for i in a["indicators"]:
        if i["number"] in seen:
            raise MethodologyError(f"indicator {i['number']} appears twice")
        seen.add(i["number"])
        if int(i["number"]) not in inactive:
            indicators.append(_indicator(i, domain, int(a["number"])))
    if not indicators:
        return None
    declared = _dec(a["weight"], f"aspect {a['number']}")
    total = sum((i.weight for i in indicators), Decimal(0))
    if not inactive and total != declared:
        raise MethodologyError(f"aspect {a['number']}: indicator weights sum to {total}, not {declared}")
    # With indicators switched off an aspect weighs what its active indicators weigh.
    return Aspect(number=int(a["number"]), name=a["name"], name_en=a.get("name_en", a["name"]), weight=total,
                  domain=domain, indicators=tuple(indicators))


def resolve(doc: dict) -> dict:
    """A file that ``extends`` another: the base with this file's keys on top."""
    if "extends" not in doc:
        return doc
    base = json.loads((DATA_DIR / f"{doc['extends']}.json").read_text(encoding="utf-8"))
    merged = {**resolve(base), **{k: v for k, v in doc.items() if k != "extends"}}
    merged["based_on"] = doc["extends"]
    return merged


def parse(doc: dict) -> Methodology:
    doc = resolve(doc)
    inactive = {int(n) for n in doc.get("inactive", ())}
    if inactive and not doc.get("optional_indicators"):
        raise MethodologyError(f"{doc['code']} does not allow switching indicators off")
    seen: set[int] = set()
    domains, flat = [], []
    for d in doc.get("domains", []):
        aspects = [a for a in (_aspect(a, int(d["number"]), seen, inactive) for a in d["aspects"]) if a is not None]
        declared = _dec(d["weight"], f"domain {d['number']}")
        total = sum((a.weight for a in aspects), Decimal(0))
        if not inactive and total != declared:
            raise MethodologyError(f"domain {d['number']}: aspect weights sum to {total}, not {declared}")
        if aspects:
            domains.append(Domain(number=int(d["number"]), name=d["name"], name_en=d.get("name_en", d["name"]),
                                  weight=total, aspects=tuple(aspects)))
    if not domains:
        flat = [a for a in (_aspect(a, 0, seen, inactive) for a in doc.get("aspects", [])) if a is not None]
    groups = domains or flat
    if not groups:
        raise MethodologyError(f"{doc.get('code')}: no indicators")
    total = sum((g.weight for g in groups), Decimal(0))
    if not inactive and total != Decimal(100):
        raise MethodologyError(f"domain weights sum to {total}, not 100")
    unknown = inactive - seen
    if unknown:
        raise MethodologyError(f"cannot switch off unknown indicators: {sorted(unknown)}")
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
        name_en=doc.get("name_en", doc["name"]),
        status=doc.get("status", "official"),
        status_note=doc.get("status_note", ""),
        years=tuple(int(y) for y in doc.get("years", ())),
        optional_indicators=bool(doc.get("optional_indicators", False)),
        inactive=tuple(sorted(inactive)),
        survey=doc.get("survey", {}),
        planner=doc.get("planner", {}),
        flat_aspects=tuple(flat),
    )


def for_year(year: int) -> str:
    """The methodology a year's published results were computed with."""
    for code in available():
        if year in load(code).years:
            return code
    return "permenpanrb-5-2018" if year < 2021 else "ipd-2026" if year >= 2026 else "permenpanrb-59-2020"


def available() -> list[str]:
    return sorted(p.stem for p in DATA_DIR.glob("*.json"))


@cache
def load(code: str) -> Methodology:
    path = DATA_DIR / f"{code}.json"
    if not path.is_file():
        raise MethodologyError(f"unknown methodology {code!r}; available: {', '.join(available())}")
    return parse(json.loads(path.read_text(encoding="utf-8")))


def with_inactive(methodology: Methodology, numbers) -> Methodology:
    """The methodology with these indicators switched off (the 2024 instrument)."""
    return parse({**methodology.raw, "inactive": sorted({int(n) for n in numbers})})
