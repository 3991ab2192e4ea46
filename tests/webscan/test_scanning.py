"""Scans of registered websites against a real loopback server that cloaks, end to end."""

from __future__ import annotations

import hashlib
import hmac
import json
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core import mail

from benchmarks.webscan.server import CorpusServers
from spbe.inventory import services as inventory
from spbe.inventory.models import Website
from spbe.webscan import services
from spbe.webscan.models import AlertDelivery, Finding, ScanRun

from tests.support.servers import allow_outbound

from ..conftest import login

CLEAN = ("<html><head><title>Dinas A</title></head><body><main><h1>Beranda</h1><p>Layanan perizinan terpadu "
         "Provinsi Bali buka setiap hari kerja.</p><a href='/berita'>Berita</a></main></body></html>")
NEWS = "<html><head><title>Berita</title></head><body><p>Rapat koordinasi SPBE.</p></body></html>"
CLOAKED = ("<html><head><title>Slot Gacor</title></head><body><p>Main di naga303: slot gacor malam ini, rtp live "
           "tertinggi, bonus new member 100 dan deposit pulsa. Daftar sekarang di link alternatif resmi!</p></body></html>")


def record(path, html, **extra):
    return {"site": "s1", "path": path, "kind": "x", "technique": "none", "obfuscation": "plain", "html": html,
            "cloak": None, "sitemap_only": False, **extra}


@pytest.fixture
def site():
    records = [record("", CLEAN), record("berita", NEWS)]
    with CorpusServers(records) as servers:
        handler = servers.servers[0].RequestHandlerClass
        yield servers.urls["s1"], handler.site_pages


@pytest.fixture
def webhook(settings):
    received = []

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((dict(self.headers), body))
            self.send_response(500 if len(received) == 1 else 200)  # first attempt fails: retried
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    allow_outbound(settings, "webhooks", url)
    yield url, received
    server.shutdown()


def _scan(website, django_capture_on_commit_callbacks, **kwargs):
    with django_capture_on_commit_callbacks(execute=True):
        run = services.request_scan(website, **kwargs)
    run.refresh_from_db()
    return run


@pytest.fixture
def registered(world, site, settings):
    settings.WEBSCAN_REQUEST_INTERVAL = 0.0
    base_url, pages = site
    allow_outbound(settings, "webscan", base_url)
    website = inventory.create_asset(Website, agency=world.agency_a, name="Situs Dinas A", domain="dinas-a.test",
                                     base_url=base_url, admin_email="webmaster@dinas-a.go.id")
    return website, pages


@pytest.mark.django_db
def test_full_finding_lifecycle(world, registered, webhook, django_capture_on_commit_callbacks):
    website, pages = registered
    hook_url, received = webhook
    channel = services.add_alert_channel(world.agency_a, kind="webhook", target=hook_url, by=world.users["admin_a"])

    first = _scan(website, django_capture_on_commit_callbacks, by=world.users["admin_a"])
    assert first.status == ScanRun.Status.FINISHED and first.pages == 3 and first.infected_pages == 0  # home, berita, arsip
    assert not Finding.objects.exists()

    # The attacker cloaks the news page: only Googlebot gets gambling copy.
    pages["berita"] = record("berita", NEWS, cloak="googlebot", cloak_html=CLOAKED)
    second = _scan(website, django_capture_on_commit_callbacks)
    assert second.infected_pages == 1
    finding = Finding.objects.get()
    assert finding.url.endswith("/berita") and "cloaking" in finding.techniques
    assert finding.severity == "high"
    assert (finding.deadline - finding.detected_at).total_seconds() == pytest.approx(48 * 3600, abs=5)
    signals = finding.evidence["verdict"]["signals"]
    assert any(s["name"] == "cloaked_content" and s["variant"] == "googlebot" for s in signals)
    assert finding.evidence["variants"]["googlebot"]["sha256"] != finding.evidence["variants"]["browser"]["sha256"]
    assert finding.snapshot.name.startswith("private/webscan/")

    # Alerts: one email (webmaster + agency admins) and a signed webhook, retried after a 500.
    assert len(mail.outbox) == 1
    assert "webmaster@dinas-a.go.id" in mail.outbox[0].to and "admin_a@example.go.id" in mail.outbox[0].to
    assert "48" in mail.outbox[0].body
    assert len(received) == 2
    headers, body = received[-1]
    expected = "sha256=" + hmac.new(channel.secret.encode(), body, hashlib.sha256).hexdigest()
    assert headers["X-SPBE-Signature"] == expected
    assert json.loads(body)["event"] == "judol.finding.detected"
    delivery = AlertDelivery.objects.get(channel="webhook")
    assert delivery.attempts == 2 and delivery.delivered_at is not None

    # A repeat scan with the same content does not alert again.
    _scan(website, django_capture_on_commit_callbacks)
    assert Finding.objects.count() == 1 and len(mail.outbox) == 1

    services.acknowledge(finding, by=world.users["admin_a"], note="Sedang ditangani")
    # Content changes after acknowledgement: re-opened and re-alerted.
    pages["berita"] = record("berita", NEWS, cloak="googlebot", cloak_html=CLOAKED.replace("naga303", "dewa99"))
    _scan(website, django_capture_on_commit_callbacks)
    finding.refresh_from_db()
    assert finding.status == Finding.Status.OPEN and len(mail.outbox) == 2

    # Cleaned: remediation queues a re-check; two clean re-checks close it.
    pages["berita"] = record("berita", NEWS)
    with django_capture_on_commit_callbacks(execute=True):
        services.mark_remediated(finding, by=world.users["admin_a"], note="Plugin dihapus, sandi diganti")
    finding.refresh_from_db()
    rechecks = ScanRun.objects.filter(trigger=ScanRun.Trigger.RECHECK).order_by("pk")
    assert all(run.status == ScanRun.Status.FINISHED and run.pages == 1 for run in rechecks)
    assert finding.status == Finding.Status.CLOSED and finding.clean_rechecks == 2
    assert [e.kind for e in finding.events.all()][-3:] == ["remediated", "recheck_clean", "closed"]


@pytest.mark.django_db
def test_findings_are_scoped_to_the_owning_opd(world, registered, api_token, client,
                                               django_capture_on_commit_callbacks):
    website, pages = registered
    pages["berita"] = record("berita", CLOAKED)
    _scan(website, django_capture_on_commit_callbacks)
    finding = Finding.objects.get()
    assert client.get(f"/api/v1/webscan/findings/{finding.pk}", **api_token(world.users["staff_a"])).status_code == 200
    assert client.get(f"/api/v1/webscan/findings/{finding.pk}", **api_token(world.users["staff_b"])).status_code == 404
    assert client.get("/api/v1/webscan/findings", **api_token(world.users["admin_b"])).json()["items"] == []
    denied = client.post(f"/api/v1/webscan/findings/{finding.pk}/acknowledge", data="{}",
                         content_type="application/json", **api_token(world.users["staff_a"]))
    assert denied.status_code == 403
    ok = client.post(f"/api/v1/webscan/findings/{finding.pk}/acknowledge", data="{}",
                     content_type="application/json", **api_token(world.users["admin_a"]))
    assert ok.status_code == 200 and ok.json()["status"] == "acknowledged"
    page = login(world.users["admin_a"]).get(f"/console/webscan/findings/{finding.pk}/")
    assert page.status_code == 200 and "naga303" in page.content.decode()
    assert login(world.users["admin_b"]).get(f"/console/webscan/findings/{finding.pk}/").status_code == 404
    snapshot = login(world.users["admin_a"]).get(f"/console/webscan/findings/{finding.pk}/snapshot/")
    assert json.loads(snapshot.content)["variants"]["browser"]["status"] == 200


@pytest.mark.django_db
def test_scans_only_registered_websites_and_refuse_duplicates(world, registered, api_token, client):
    website, _ = registered
    headers = api_token(world.users["admin_a"])
    created = client.post("/api/v1/webscan/scans", data=json.dumps({"website_id": website.pk}),
                          content_type="application/json", **headers)
    assert created.status_code == 202
    again = client.post("/api/v1/webscan/scans", data=json.dumps({"website_id": website.pk}),
                        content_type="application/json", **headers)
    assert again.status_code == 409
    other = client.post("/api/v1/webscan/scans", data=json.dumps({"website_id": world.assets["site_b"].pk}),
                        content_type="application/json", **headers)
    assert other.status_code == 404


@pytest.mark.django_db(transaction=True)
def test_scans_spread_over_several_database_workers(world, settings, tmp_path):
    """Three websites queued; two worker processes share them through the database queue."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": settings.TASK_QUEUES}}
    records = [dict(record("", CLEAN), site=f"s{i}") for i in range(3)]
    with CorpusServers(records) as servers:
        websites = [inventory.create_asset(Website, agency=world.agency_a, name=f"Situs {i}", domain=f"s{i}.test",
                                           base_url=servers.urls[f"s{i}"]) for i in range(3)]
        runs = [services.request_scan(w) for w in websites]
        from tests.support.servers import worker_env

        env = worker_env("database")
        env["WEBSCAN_REQUEST_INTERVAL"] = "0.3"
        env["OUTBOUND_ALLOW_WEBSCAN"] = ",".join(u.split("//", 1)[1].split("/", 1)[0] for u in servers.urls.values())
        workers = [subprocess.Popen([sys.executable, "-m", "spbe.manage", "worker", "--burst", "--queue", "crawler"],
                                    env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)]
        for worker in workers:
            _, err = worker.communicate(timeout=120)
            assert worker.returncode == 0, err.decode()[-2000:]
    finished = ScanRun.objects.filter(pk__in=[r.pk for r in runs])
    assert [(r.status, r.pages, r.error) for r in finished] == [(ScanRun.Status.FINISHED, 3, "")] * 3
    # Each scan takes seconds at the politeness interval, so both workers get a site.
    assert len({r.worker for r in finished}) == 2


@pytest.mark.db_independent
def test_evaluation_corpus_meets_targets():
    from benchmarks.webscan.evaluate import run

    report = run(concurrency=6)
    assert not report["missing"]
    assert report["overall"]["recall"] >= 0.95
    assert report["overall"]["precision"] >= 0.98
    for technique, row in report["techniques"].items():
        if row["scored"]:
            assert row["recall"] >= 0.9, technique
    assert report["overall"]["false_alerts_per_1000_clean"] <= 5


@pytest.mark.django_db
def test_new_sitemap_entry_against_baseline(world, registered,
                                                                 django_capture_on_commit_callbacks):
    """After a clean baseline, a gambling URL appearing in the sitemap is a finding."""
    website, pages = registered
    _scan(website, django_capture_on_commit_callbacks)
    from spbe.webscan.models import SiteBaseline

    baseline = SiteBaseline.objects.get(website=website)
    assert any(url.endswith("/berita") for url in baseline.sitemap_urls)
    pages["slot-gacor-malam-ini"] = record("slot-gacor-malam-ini", CLOAKED)
    run = _scan(website, django_capture_on_commit_callbacks)
    assert run.infected_pages == 1
    finding = Finding.objects.get()
    names = {s["name"] for s in finding.evidence["verdict"]["signals"]}
    assert {"new_sitemap_entry", "gambling_promotion"} <= names
    assert "sitemap_injection" in finding.techniques


def test_webscan_page_command_fetches_a_url_four_ways():
    records = [
        record("", CLEAN),
        record("berita", NEWS, cloak="googlebot", cloak_html=CLOAKED),
        record("info", NEWS, cloak="google_referrer", cloak_redirect="https://naga303.site/slot-gacor"),
    ]
    with CorpusServers(records) as servers:
        base = servers.urls["s1"]

        def run(path):
            result = subprocess.run([sys.executable, "-m", "spbe.manage", "webscan_page", base + path,
                                     "--format", "json"], capture_output=True, text=True, timeout=60)
            assert result.returncode == 0, result.stderr
            return json.loads(result.stdout)

        cloaked = run("berita")
        assert cloaked["verdict"] == "infected"
        assert any(s["name"] == "cloaked_content" and s["variant"] == "googlebot" for s in cloaked["signals"])
        # naga303.site does not resolve here: had the scanner followed the off-site redirect,
        # the variant would be a connection error instead of a recorded redirect.
        redirect = run("info")
        assert redirect["verdict"] == "infected"
        assert any(s["name"] == "cloaked_content" and s["variant"] == "google_referrer" for s in redirect["signals"])
        assert run("")["verdict"] == "clean"
