"""Wazuh alert adapters: 4.x alerts (``alerts.json`` / Integrator JSON / ``wazuh-alerts-4.x-*``)
and 5.x findings (Wazuh Common Schema, ECS-based, ``wazuh-findings-v5-*``) both become one
``ParsedAlert``. Levels map to one severity scale: 0–6 low, 7–9 medium, 10–12 high, 13+ critical
(our own bands; configurable in settings)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings

V5_LEVELS = {"informational": 2, "low": 5, "medium": 8, "high": 11, "critical": 14}


class UnknownFormat(ValueError):
    pass


@dataclass
class ParsedAlert:
    source_id: str
    version: str
    occurred_at: datetime
    rule_id: str
    level: int
    description: str
    groups: list = field(default_factory=list)
    mitre: list = field(default_factory=list)
    agent_id: str = ""
    agent_name: str = ""
    agent_ip: str = ""
    location: str = ""
    src_ip: str = ""
    file_path: str = ""
    file_event: str = ""

    @property
    def severity(self) -> str:
        bands = getattr(settings, "WAZUH_SEVERITY_BANDS", {"medium": 7, "high": 10, "critical": 13})
        if self.level >= bands["critical"]:
            return "critical"
        if self.level >= bands["high"]:
            return "high"
        if self.level >= bands["medium"]:
            return "medium"
        return "low"


def _time(value: str) -> datetime:
    value = value.replace("Z", "+00:00")
    if len(value) > 5 and value[-5] in "+-" and value[-3] != ":":  # 2026-11-23T10:00:00.000+0800
        value = value[:-2] + ":" + value[-2:]
    return datetime.fromisoformat(value)


def parse_v4(alert: dict) -> ParsedAlert:
    rule = alert.get("rule") or {}
    if "id" not in alert or "level" not in rule:
        raise UnknownFormat("not a Wazuh 4.x alert (needs id and rule.level)")
    agent, data, syscheck = alert.get("agent") or {}, alert.get("data") or {}, alert.get("syscheck") or {}
    mitre = rule.get("mitre") or {}
    return ParsedAlert(
        source_id=f"v4:{alert['id']}", version="4", occurred_at=_time(alert.get("timestamp") or alert["@timestamp"]),
        rule_id=str(rule.get("id", "")), level=int(rule["level"]), description=str(rule.get("description", ""))[:300],
        groups=list(rule.get("groups") or []), mitre=list(mitre.get("technique") or mitre.get("id") or []),
        agent_id=str(agent.get("id", "")), agent_name=str(agent.get("name", "")), agent_ip=str(agent.get("ip", "")),
        location=str(alert.get("location", ""))[:300], src_ip=str(data.get("srcip", ""))[:64],
        file_path=str(syscheck.get("path", ""))[:500], file_event=str(syscheck.get("event", ""))[:20],
    )


def parse_v5(finding: dict) -> ParsedAlert:
    event, rule, agent = finding.get("event") or {}, finding.get("rule") or {}, finding.get("agent") or {}
    wazuh = finding.get("wazuh") or {}
    level_name = str((wazuh.get("rule") or {}).get("level") or event.get("severity_name") or finding.get("log", {}).get("level") or "")
    if not (event.get("id") or finding.get("_id")) or "@timestamp" not in finding:
        raise UnknownFormat("not a Wazuh 5.x finding (needs event.id and @timestamp)")
    level = V5_LEVELS.get(level_name.lower(), int(event.get("severity") or 0) if str(event.get("severity") or "").isdigit() else 0)
    threat = finding.get("threat") or {}
    techniques = [t.get("id") for t in (threat.get("technique") or []) if isinstance(t, dict) and t.get("id")]
    file_ = finding.get("file") or {}
    return ParsedAlert(
        source_id=f"v5:{event.get('id') or finding.get('_id')}", version="5", occurred_at=_time(finding["@timestamp"]),
        rule_id=str(rule.get("id", "")), level=level, description=str(rule.get("name") or rule.get("description") or "")[:300],
        groups=list(rule.get("category") if isinstance(rule.get("category"), list) else [rule.get("category")] if rule.get("category") else []),
        mitre=techniques, agent_id=str(agent.get("id", "")), agent_name=str(agent.get("name", "")),
        agent_ip=str(((agent.get("host") or {}).get("ip") or [""])[0] if isinstance((agent.get("host") or {}).get("ip"), list) else (agent.get("host") or {}).get("ip", "")),
        location=str((finding.get("log") or {}).get("file", {}).get("path", ""))[:300], src_ip=str((finding.get("source") or {}).get("ip", ""))[:64],
        file_path=str(file_.get("path", ""))[:500], file_event=str(event.get("action", ""))[:20] if file_ else "",
    )


def parse(document: dict) -> ParsedAlert:
    """Either format; 5.x documents are recognised by ECS ``event``/``@timestamp`` without a top-level ``id``."""
    if "rule" in document and "id" in document and "level" in (document.get("rule") or {}):
        return parse_v4(document)
    return parse_v5(document)
