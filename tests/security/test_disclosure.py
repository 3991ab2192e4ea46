"""Vulnerability disclosure: the full access matrix (researchers, OPDs, triagers, supervisors;
web and API), malicious uploads, the report lifecycle, points and security.txt."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone, translation

from spbe.core.roles import Role
from spbe.security import services
from spbe.security.models import Cohort, Report, ScopeEntry, University
from tests.conftest import login, make_user

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
VECTOR = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"


@pytest.fixture
def programme(world):
    with translation.override("en"):
        services.sync_scope()
        scope_a = ScopeEntry.objects.get(website=world.assets["site_a"])
        scope_b = ScopeEntry.objects.get(website=world.assets["site_b"])
        supervisor = make_user("dosen")
        university = University.objects.create(name="Universitas Udayana", email_domain="unud.ac.id")
        today = timezone.localdate()
        cohort = Cohort.objects.create(institution=world.province, university=university, name="Praktikum 2026", supervisor=supervisor,
                                       starts=today - timedelta(days=10), ends=today + timedelta(days=80))
        alice = services.register_researcher(make_user("alice"), display_name="Alice", agreed=True)
        budi = services.register_researcher(make_user("budi"), display_name="Budi", kind="student", cohort=cohort,
                                            student_number="2105551001", agreed=True)
        triager = make_user("triager", world.agency_a, Role.SECURITY_TRIAGER)
        report_a = services.submit_report(alice, scope=scope_a, title="SQL injection on search", vuln_type="sqli",
                                          description="The q parameter is concatenated into SQL.", steps="Open /search?q=' OR 1=1 -- and see all rows.",
                                          affected_url="https://a.prov.go.id/search", cvss_vector=VECTOR, files=[("poc.png", PNG)])
        report_b = services.submit_report(budi, scope=scope_b, title="Stored XSS in guestbook", vuln_type="xss-stored",
                                          description="Guestbook entries are rendered without escaping.", steps="Post <script>alert(1)</script> and reload the page.")
        yield {"scope_a": scope_a, "scope_b": scope_b, "alice": alice, "budi": budi, "triager": triager, "supervisor": supervisor,
               "a": report_a, "b": report_b, "world": world}


def _can_read(user, report) -> dict:
    client = login(user)
    web = client.get(f"/security/reports/{report.code}/").status_code == 200
    api = client.get(f"/api/v1/security/reports/{report.code}").status_code == 200
    listed = report.code in [r["code"] for r in client.get("/api/v1/security/reports").json()]
    attachment = True
    if report.attachments.exists():
        attachment = client.get(f"/security/reports/{report.code}/attachments/{report.attachments.first().pk}/").status_code == 200
    return {"web": web, "api": api, "listed": listed, "attachment": attachment}


def test_access_matrix(programme):
    p, w = programme, programme["world"]
    expect = {
        # user: (reads report A of agency A by Alice, reads report B of agency B by Budi)
        "alice": (p["alice"].user, True, False),
        "budi": (p["budi"].user, False, True),
        "supervisor of Budi's cohort": (p["supervisor"], False, True),
        "triager (institution)": (p["triager"], True, True),
        "admin_a (OPD A)": (w.users["admin_a"], True, False),
        "staff_a (OPD A)": (w.users["staff_a"], True, False),
        "admin_b (OPD B)": (w.users["admin_b"], False, True),
        "staff_b (OPD B)": (w.users["staff_b"], False, True),
        "coordinator (no security role)": (w.users["coordinator"], False, False),
        "nobody": (w.users["nobody"], False, False),
    }
    for label, (user, sees_a, sees_b) in expect.items():
        for report, expected in ((p["a"], sees_a), (p["b"], sees_b)):
            result = _can_read(user, report)
            if expected:
                assert all(result.values()), (label, report.code, result)
            else:
                assert not any(v for k, v in result.items() if k != "attachment") and (
                    not report.attachments.exists() or not result["attachment"]), (label, report.code, result)
    anonymous = Client()
    assert anonymous.get(f"/security/reports/{p['a'].code}/").status_code == 302
    assert anonymous.get(f"/api/v1/security/reports/{p['a'].code}").status_code == 401


def test_internal_notes_are_hidden_from_the_researcher(programme):
    p = programme
    services.comment(p["a"], by=p["triager"], text="Looks real; ask the OPD for logs", internal=True)
    services.comment(p["a"], by=p["triager"], text="Thanks, we are checking.")
    mine = login(p["alice"].user).get(f"/api/v1/security/reports/{p['a'].code}").json()["events"]
    assert [e["text"] for e in mine if e["kind"] == "comment"] == ["Thanks, we are checking."]
    theirs = login(p["world"].users["admin_a"]).get(f"/api/v1/security/reports/{p['a'].code}").json()["events"]
    assert any(e["internal"] for e in theirs)
    with pytest.raises(Exception):
        services.comment(p["a"], by=p["alice"].user, text="x", internal=True)


def test_a_supervisor_sees_what_the_student_sees_and_writes_nothing(programme):
    """Pen-test probe: a practicum supervisor read and posted triagers' internal notes."""
    p = programme
    services.comment(p["b"], by=p["triager"], text="Internal: OPD B runs an old plugin", internal=True)
    services.comment(p["b"], by=p["triager"], text="Thanks, confirmed.")
    supervisor = login(p["supervisor"])
    events = supervisor.get(f"/api/v1/security/reports/{p['b'].code}").json()["events"]
    assert [e["text"] for e in events if e["kind"] == "comment"] == ["Thanks, confirmed."]
    page = supervisor.get(f"/security/reports/{p['b'].code}/").content.decode()
    assert "old plugin" not in page and "Thanks, confirmed." in page
    for internal in (True, False):
        with pytest.raises(PermissionDenied):
            services.comment(p["b"], by=p["supervisor"], text="note", internal=internal)
    supervisor.post(f"/security/reports/{p['b'].code}/", {"action": "comment", "text": "sneaky", "internal": "on"})
    assert not p["b"].events.filter(text="sneaky").exists()
    # The owning OPD and the triager still see the internal note.
    for user in (p["triager"], p["world"].users["staff_b"]):
        texts = [e["text"] for e in login(user).get(f"/api/v1/security/reports/{p['b'].code}").json()["events"]]
        assert "Internal: OPD B runs an old plugin" in texts


def test_cohort_grades_only_for_its_supervisor_and_its_institution_triagers(programme):
    p, w = programme, programme["world"]
    cohort = p["budi"].cohort
    outsider_triager = make_user("triager-city", w.assets["site_other"].agency, Role.SECURITY_TRIAGER)
    for user, allowed in ((p["supervisor"], True), (p["triager"], True), (outsider_triager, False),
                          (w.users["admin_b"], False), (p["budi"].user, False)):
        client = login(user)
        for url in (f"/security/cohorts/{cohort.pk}/", f"/security/cohorts/{cohort.pk}/grades.csv"):
            assert client.get(url).status_code == (200 if allowed else 404), (user, url)
        listed = client.get("/security/cohorts/").content.decode()
        assert (cohort.name in listed) == allowed


@pytest.mark.parametrize("name, data", [
    ("poc.png", b"MZ\x90\x00 windows executable"),
    ("poc.exe", PNG),
    ("poc.pdf", b"%PDF-1.4 /JavaScript (app.alert(1))"),
    ("poc.txt", b"<html><script>alert(1)</script></html>"),
    ("poc.png", b"\x89PNG\r\n\x1a\n" + b"0" * (11 * 1024 * 1024)),
])
def test_malicious_uploads_are_rejected(programme, name, data):
    p = programme
    before = Report.objects.count()
    with translation.override("en"), pytest.raises(services.ServiceError) as exc:
        services.submit_report(p["alice"], scope=p["scope_a"], title="Another", vuln_type="misconfig",
                               description="Directory listing is enabled on uploads.", steps="Open /uploads/ in a browser and see files.",
                               files=[(name, data)])
    assert exc.value.code == "bad_attachment"
    assert Report.objects.count() == before


def test_attachments_are_encrypted_at_rest(programme):
    stored = programme["a"].attachments.get()
    assert PNG not in bytes(stored.content_encrypted)
    assert services.attachment_bytes(stored, programme["triager"]) == PNG


def test_scope_enforcement_and_bad_vectors(programme):
    p = programme
    services.set_in_scope(p["scope_a"], False, notes="migrating", by=p["world"].users["admin_a"])
    with translation.override("en"), pytest.raises(services.ServiceError) as exc:
        services.submit_report(p["alice"], scope=p["scope_a"], title="x", vuln_type="sqli", description="d" * 30, steps="s" * 30)
    assert exc.value.code == "out_of_scope"
    with translation.override("en"), pytest.raises(services.ServiceError) as exc:
        services.submit_report(p["alice"], scope=p["scope_b"], title="x", vuln_type="sqli", description="d" * 30, steps="s" * 30,
                               affected_url="https://evil.example.com/")
    assert exc.value.code == "out_of_scope"
    with translation.override("en"), pytest.raises(services.ServiceError) as exc:
        services.submit_report(p["alice"], scope=p["scope_b"], title="x", vuln_type="sqli", description="d" * 30, steps="s" * 30,
                               cvss_vector="CVSS:4.0/AV:N")
    assert "CVSS" in exc.value.message


def test_lifecycle_deadline_points_duplicate_and_publication(programme):
    p = programme
    report = p["a"]
    assert report.severity == "critical" and str(report.cvss_score) == "9.3"
    services.triage(report, to="triage", by=p["triager"])
    report = services.triage(report, to="accepted", by=p["triager"])
    assert report.fix_deadline == timezone.localdate() + timedelta(days=7)
    with pytest.raises(Exception):
        services.mark_fixed(report, by=p["world"].users["admin_b"])  # another OPD
    services.mark_fixed(report, by=p["world"].users["staff_a"])
    services.triage(report, to="retest", by=p["triager"])
    report = services.triage(report, to="resolved", by=p["triager"])
    assert sum(e.points for e in p["alice"].points.all()) == 7
    assert services.leaderboard()[0]["name"] == "Alice"
    with pytest.raises(Exception):
        services.approve_publication(report, by=p["triager"])  # the reporter has not asked
    services.request_publication(report, by=p["alice"].user)
    assert services.approve_publication(report, by=p["triager"]).published_at is not None
    dup = services.submit_report(p["budi"], scope=p["scope_a"], title="SQLi again", vuln_type="sqli",
                                 description="Same q parameter as reported before.", steps="Open /search?q=' and see the error page.")
    services.triage(dup, to="triage", by=p["triager"])
    with pytest.raises(services.ServiceError):
        services.triage(dup, to="closed", by=p["triager"], close_reason="duplicate")  # must link the original
    dup = services.triage(dup, to="closed", by=p["triager"], close_reason="duplicate", duplicate_of=report)
    assert dup.duplicate_of == report and dup.status == "closed"
    with pytest.raises(services.ConflictError):
        services.triage(dup, to="accepted", by=p["triager"])


def test_students_join_through_a_running_cohort(programme, world):
    past = Cohort.objects.create(institution=programme["world"].province, university=University.objects.first(), name="2020", supervisor=programme["supervisor"],
                                 starts=timezone.localdate() - timedelta(days=400), ends=timezone.localdate() - timedelta(days=300))
    with translation.override("en"), pytest.raises(services.ServiceError):
        services.register_researcher(make_user("citra"), display_name="Citra", kind="student", cohort=past, student_number="1", agreed=True)
    with translation.override("en"), pytest.raises(services.ServiceError):
        services.register_researcher(make_user("dodi"), display_name="Dodi", agreed=False)


def test_security_txt_is_rfc_9116_and_always_fresh(db):
    body = Client().get("/.well-known/security.txt")
    assert body["Content-Type"].startswith("text/plain")
    text = body.content.decode()
    assert text.count("Expires: ") == 1 and "Contact: mailto:" in text and "Policy: " in text and "Canonical: " in text
    from datetime import datetime

    expires = datetime.fromisoformat(text.split("Expires: ")[1].splitlines()[0].replace("Z", "+00:00"))
    assert timezone.now() + timedelta(days=90) < expires < timezone.now() + timedelta(days=365)


def test_student_registration_through_the_web(programme):
    cohort = programme["budi"].cohort
    client = login(make_user("eka"))
    response = client.post("/security/register/", {"display_name": "Eka", "kind": "student", "cohort": cohort.pk,
                                                   "student_number": "2105551002", "agreed": "on"})
    assert response.status_code == 302
    from spbe.security.models import Researcher

    eka = Researcher.objects.get(display_name="Eka")
    assert eka.kind == "student" and eka.cohort == cohort
    missing = login(make_user("fajar")).post("/security/register/", {"display_name": "Fajar", "kind": "student", "agreed": "on"},
                                             HTTP_ACCEPT_LANGUAGE="en")
    assert "practicum cohort" in missing.content.decode()
