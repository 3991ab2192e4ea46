"""Severity from CVSS (4.0 by default, 3.1 accepted) via the `cvss` library; the normalised
vector is what we store. Deadlines to fix follow the severity."""

from __future__ import annotations

from dataclasses import dataclass

from cvss import CVSS3, CVSS4
from cvss.exceptions import CVSSError

# Days to fix once accepted (DefectDojo's defaults, common in VDPs).
FIX_DAYS = {"critical": 7, "high": 30, "medium": 90, "low": 120, "none": 180}
PRIORITY_SEVERITY = {1: "critical", 2: "high", 3: "medium", 4: "low", 5: "low"}


@dataclass(frozen=True)
class Score:
    version: str
    vector: str
    score: float
    severity: str


class BadVector(ValueError):
    pass


def score(vector: str) -> Score:
    vector = (vector or "").strip()
    try:
        if vector.startswith("CVSS:4.0/"):
            parsed = CVSS4(vector)
            return Score("4.0", parsed.clean_vector(), float(parsed.base_score), parsed.severity.lower())
        if vector.startswith(("CVSS:3.1/", "CVSS:3.0/")):
            parsed = CVSS3(vector)
            return Score("3.1" if vector.startswith("CVSS:3.1/") else "3.0", parsed.clean_vector(),
                         float(parsed.scores()[0]), parsed.severities()[0].lower())
    except (CVSSError, ValueError, KeyError) as exc:
        raise BadVector(str(exc)) from exc
    raise BadVector("a vector starts with CVSS:4.0/ or CVSS:3.1/")
