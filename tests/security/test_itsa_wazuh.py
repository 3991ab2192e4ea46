"""ITSA assessments (checklist by ASVS level, findings, retest, risk acceptance, go-live gate,
PDF), Wazuh intake (4.x and 5.x, signed webhook, de-duplication, agents→OPD, indexer backfill,
SOC scoping), certificates and the practicum grade export."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime, timedelta, timezone as dt_timezone

import pytest
from django.test import Client
from django.utils import timezone, translation

from spbe.core.loopback import LoopbackServer, QuietHandler
from spbe.core.roles import Role
from spbe.security import asvs, services
from spbe.security.models import ChecklistItem, Cohort, SecurityAlert, University, WazuhAgent
from tests.conftest import login, make_user
from tests.support.servers import allow_outbound

from .test_disclosure import programme  # noqa: F401  (fixture)
from tests import pdfcheck

# An hour ago, in each version's wire format: the SOC summary looks back a fixed number of days,
# so a fixed date would drop out of it as the calendar moves on.
_AN_HOUR_AGO = datetime.now(dt_timezone.utc) - timedelta(hours=1)
V4_ALERT = {
    "timestamp": _AN_HOUR_AGO.astimezone(dt_timezone(timedelta(hours=8))).strftime("%Y-%m-%dT%H:%M:%S.123%z"), "id": "1764929536.7192965",
    "rule": {"level": 7, "description": "Integrity checksum changed.", "id": "550", "groups": ["ossec", "syscheck"],
             "mitre": {"id": ["T1565.001"], "technique": ["Stored Data Manipulation"]}},
    "agent": {"id": "012", "name": "web-dispar", "ip": "10.10.1.12"}, "manager": {"name": "wazuh-manager"},
    "location": "syscheck", "syscheck": {"path": "/var/www/html/index.php", "event": "modified"},
    "full_log": "File '/var/www/html/index.php' modified",
}
V5_FINDING = {
    "@timestamp": _AN_HOUR_AGO.strftime("%Y-%m-%dT%H:%M:%SZ"), "event": {"id": "f-9a8b7c", "action": "login-failed"},
    "rule": {"id": "sigma-5710", "name": "SSH brute force", "category": "authentication"},
    "wazuh": {"rule": {"level": "high"}}, "agent": {"id": "013", "name": "app-bapenda"},
    "source": {"ip": "203.0.113.7"}, "threat": {"technique": [{"id": "T1110"}]},
}


@pytest.fixture
def itsa(world):
    with translation.override("en"):
        triager = make_user("itsa_team", world.agency_a, Role.SECURITY_TRIAGER)
        assessment = services.request_assessment(
            world.assets["app_a"], asvs_level=1, environment="staging", window_start=timezone.localdate(),
            window_end=timezone.localdate() + timedelta(days=7), testers="Tim ITSA", by=world.users["admin_a"])
        yield assessment, triager


def test_checklist_follows_the_level(itsa, world):
    assessment, _triager = itsa
    assert assessment.checklist.count() == len(asvs.items_for(1)) < len(asvs.items_for(2)) < len(asvs.items_for(3))
    with translation.override("en"), pytest.raises(services.ServiceError):
        services.request_assessment(world.assets["app_a"], asvs_level=2, environment="production", window_start=timezone.localdate(),
                                    window_end=timezone.localdate(), testers="", by=world.users["admin_a"])


def test_go_live_gate_retest_and_risk_acceptance(itsa, world):
    assessment, triager = itsa
    for item in assessment.checklist.all():
        services.record_check(item, result=ChecklistItem.Result.PASS, by=triager)
    assert services.go_live_gate(assessment)["allowed"]
    high = services.add_finding(assessment, title="IDOR on /api/documents", description="Any user reads any document.",
                                cvss_vector="CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:N", by=triager)
    assert high.severity == "high" and high.deadline == timezone.localdate() + timedelta(days=30)
    medium = services.add_finding(assessment, title="Verbose errors", description="Stack traces shown.", severity="medium", by=triager)
    gate = services.go_live_gate(assessment)
    assert not gate["allowed"] and gate["blocking_findings"] == [high]
    with pytest.raises(Exception):
        services.set_finding_status(high, to="verified", by=triager)  # not fixed yet
    services.set_finding_status(high, to="fixed", by=world.users["staff_a"])
    services.set_finding_status(high, to="reopened", by=triager)  # the retest fails
    with translation.override("en"), pytest.raises(services.ServiceError):
        services.set_finding_status(high, to="risk_accepted", by=world.users["admin_a"], reason="", expires=None)
    with translation.override("en"), pytest.raises(services.ServiceError):
        services.set_finding_status(high, to="risk_accepted", by=world.users["admin_a"], reason="launch",
                                    expires=timezone.localdate() + timedelta(days=365))
    with pytest.raises(Exception):
        services.set_finding_status(high, to="risk_accepted", by=world.users["admin_b"], reason="x",
                                    expires=timezone.localdate() + timedelta(days=30))  # another OPD
    services.set_finding_status(high, to="risk_accepted", by=world.users["admin_a"], reason="Compensating WAF rule until 1 Jan",
                                expires=timezone.localdate() + timedelta(days=30))
    assert services.go_live_gate(assessment)["allowed"] and medium.status == "open"
    from spbe.security.pdf import assessment_pdf

    report = assessment_pdf(assessment, services.go_live_gate(assessment))
    assert report.startswith(b"%PDF-")
    pdfcheck.assert_fonts_embedded(report)
    assert "IT Security Assessment" in pdfcheck.text(report)
    page = login(world.users["staff_a"]).get(f"/console/security/itsa/{assessment.pk}/")
    assert page.status_code == 200 and 'data-allowed="true"' in page.content.decode()
    assert login(world.users["staff_b"]).get(f"/console/security/itsa/{assessment.pk}/").status_code == 404


def _post_signed(client, body: bytes, secret="wazuh-secret"):
    signature = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return client.post("/api/v1/security/wazuh/alerts", data=body, content_type="application/json", HTTP_X_SPBE_SIGNATURE=signature)


def test_wazuh_webhook_both_versions_dedup_and_scoping(world, settings):
    settings.WAZUH_WEBHOOK_SECRET = "wazuh-secret"
    client = Client()
    body = json.dumps([V4_ALERT, V5_FINDING, {"nonsense": True}]).encode()
    assert client.post("/api/v1/security/wazuh/alerts", data=body, content_type="application/json").status_code == 401
    assert _post_signed(client, body, secret="wrong").status_code == 401
    result = _post_signed(client, body).json()
    assert result == {"stored": 2, "duplicates": 0, "rejected": 1}
    assert _post_signed(client, body).json() == {"stored": 0, "duplicates": 2, "rejected": 1}
    v4 = SecurityAlert.objects.get(wazuh_version="4")
    assert (v4.level, v4.severity, v4.file_path, v4.mitre) == (7, "medium", "/var/www/html/index.php", ["Stored Data Manipulation"])
    v5 = SecurityAlert.objects.get(wazuh_version="5")
    assert (v5.severity, v5.src_ip, v5.mitre) == ("high", "203.0.113.7", ["T1110"])
    # Map the web server's agent to OPD A: only OPD A (and triagers) see its alerts.
    agent = WazuhAgent.objects.get(agent_id="012")
    triager = make_user("soc", world.agency_a, Role.SECURITY_TRIAGER)
    services.map_agent(agent, world.agency_a, by=triager)
    assert services.soc_summary(world.users["staff_a"])["web_root_changes"][0].file_path == "/var/www/html/index.php"
    assert services.soc_summary(world.users["staff_b"])["by_severity"] == {}
    assert "/var/www/html/index.php" in login(world.users["admin_a"]).get("/console/security/soc/").content.decode()
    assert login(world.users["staff_b"]).get("/console/security/soc/").status_code == 200
    assert "/var/www/html/index.php" not in login(world.users["staff_b"]).get("/console/security/soc/").content.decode()
    # NDJSON works too (what a file forwarder sends).
    ndjson = (json.dumps({**V4_ALERT, "id": "1764929536.7192966"}) + "\n" + json.dumps({**V4_ALERT, "id": "1764929536.7192967"})).encode()
    assert _post_signed(client, ndjson).json()["stored"] == 2


class _Indexer(QuietHandler):
    """A fake OpenSearch answering _search with search_after paging over fixed hits."""

    hits: list = []

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
        after = body.get("search_after")
        start = 0 if not after else next(i for i, h in enumerate(self.hits) if h["sort"] == after) + 1
        page = self.hits[start:start + body["size"]]
        self.send_body(200, {"hits": {"hits": page}})


def test_indexer_backfill_pages_and_skips_what_the_webhook_brought(world, settings):
    hits = [{"_source": {**V4_ALERT, "id": f"1764929536.{n}"}, "sort": [n, f"id{n}"]} for n in range(7)]
    server = LoopbackServer(_Indexer, hits=hits)
    url = server.start()
    allow_outbound(settings, "wazuh", url)
    try:
        services.ingest_alerts([hits[0]["_source"]])  # already delivered by the webhook
        result = services.backfill(url, username="admin", password="x", since=timezone.now() - timedelta(days=30), page=3)
    finally:
        server.stop()
    assert result == {"stored": 6, "duplicates": 1, "rejected": 0, "pages": 3}
    assert SecurityAlert.objects.count() == 7


def test_agents_in_an_opd_group_are_mapped_automatically(world):
    WazuhAgent.objects.create(agent_id="020", name="web-b", group=f"opd-{world.agency_b.code}")
    services.ingest_alerts([{**V4_ALERT, "id": "2.1", "agent": {"id": "020", "name": "web-b"}}])
    assert SecurityAlert.objects.get(source_id="v4:2.1").agency == world.agency_b


def test_certificate_and_grades(programme):  # noqa: F811
    p = programme
    report = p["b"]  # Budi's, a student
    for to in ("triage", "accepted"):
        report = services.triage(report, to=to, by=p["triager"])
    services.mark_fixed(report, by=p["world"].users["staff_b"])
    services.triage(report, to="retest", by=p["triager"])
    services.triage(report, to="resolved", by=p["triager"])
    certificate = services.issue_certificate(p["budi"], by=p["triager"])
    page = Client(HTTP_ACCEPT_LANGUAGE="en").get(f"/security/certificates/{certificate.code}/")
    assert page.status_code == 200 and "Budi" in page.content.decode()
    assert Client().get("/security/certificates/forged-code/").status_code == 404
    pdf = Client().get(f"/security/certificates/{certificate.code}/certificate.pdf")
    certificate_bytes = b"".join(pdf.streaming_content)
    assert certificate_bytes.startswith(b"%PDF-")
    pdfcheck.assert_fonts_embedded(certificate_bytes)
    assert "SERTIFIKAT" in pdfcheck.text(certificate_bytes)
    with translation.override("en"), pytest.raises(services.ServiceError):
        services.issue_certificate(p["alice"], by=p["triager"])  # nothing fixed yet
    cohort = p["budi"].cohort
    csv = login(p["supervisor"]).get(f"/security/cohorts/{cohort.pk}/grades.csv").content.decode()
    assert "2105551001,Budi,1,1,1,0,7,C" in csv
    assert login(p["alice"].user).get(f"/security/cohorts/{cohort.pk}/grades.csv").status_code == 404
    other = Cohort.objects.create(institution=p["world"].province, university=University.objects.first(), name="other", supervisor=make_user("dosen2"),
                                  starts=timezone.localdate(), ends=timezone.localdate())
    assert login(p["supervisor"]).get(f"/security/cohorts/{other.pk}/grades.csv").status_code == 404
