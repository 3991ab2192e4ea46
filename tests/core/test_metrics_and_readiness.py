"""/livez, /readyz and /metrics: what a load balancer and a Prometheus server read."""

from __future__ import annotations

import pytest
from prometheus_client.parser import text_string_to_metric_families

from spbe.core import health


def samples(text: str) -> dict[tuple, float]:
    """Every sample of a Prometheus text page, keyed by (name, sorted labels)."""
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def scrape(client, **headers) -> dict[tuple, float]:
    response = client.get("/metrics", **headers)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain; version=")
    return samples(response.content.decode())


@pytest.fixture
def controlled_warmups(monkeypatch):
    """Replace the registered warm-ups with one the test controls."""
    import threading

    release = threading.Event()
    monkeypatch.setattr(health, "_warmups", {})
    monkeypatch.setattr(health, "_started", threading.Event())
    health.register_warmup("slow-index", lambda: release.wait(10))
    return release


def test_liveness_needs_no_database(client):
    response = client.get("/livez")  # no django_db mark: any query would raise
    assert response.status_code == 200 and response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_not_ready_until_the_warm_ups_are_done(client, controlled_warmups):
    import time

    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "not_ready"
    assert body["checks"] == {"database": "ok", "migrations": "ok", "cache": "ok", "task_broker": "ok"}
    assert body["warmups"]["slow-index"]["state"] in ("pending", "running")
    controlled_warmups.set()
    deadline = time.monotonic() + 10
    while health.warmup_states()["slow-index"]["state"] != "done" and time.monotonic() < deadline:
        time.sleep(0.02)
    response = client.get("/readyz")
    assert response.status_code == 200 and response.json()["status"] == "ready"


@pytest.mark.django_db
def test_a_failed_warm_up_keeps_the_process_out_of_rotation_and_says_why(client, monkeypatch):
    import threading
    import time

    def broken():
        raise OSError("model file missing")

    monkeypatch.setattr(health, "_warmups", {})
    monkeypatch.setattr(health, "_started", threading.Event())
    health.register_warmup("assistant", broken)
    client.get("/readyz")
    deadline = time.monotonic() + 10
    while health.warmup_states()["assistant"]["state"] != "failed" and time.monotonic() < deadline:
        time.sleep(0.02)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["warmups"]["assistant"]["error"] == "OSError: model file missing"


@pytest.mark.django_db
def test_an_unapplied_migration_makes_the_process_not_ready(client, controlled_warmups, monkeypatch):
    from django.db.migrations.recorder import MigrationRecorder

    controlled_warmups.set()
    monkeypatch.setattr(health, "_migrated", False)
    MigrationRecorder.Migration.objects.filter(app="core", name="0004_scheduled_jobs").delete()
    response = client.get("/readyz")
    assert response.status_code == 503 and response.json()["checks"]["migrations"] == "1 unapplied"


def test_the_assistant_registers_its_warm_up():
    from spbe.assistant.apps import warm_up

    assert health._warmups["assistant"].run is warm_up


@pytest.mark.django_db
def test_requests_are_counted_per_url_pattern_not_per_path(client):
    before = scrape(client)
    for code in ("AAA111", "BBB222", "CCC333"):
        client.get(f"/lovebali/o/{code}/status/")
    client.get("/no/such/page/")
    after = scrape(client)
    patterns = {dict(labels).get("route") for name, labels in after if name == "spbe_http_requests_total"}
    assert not any(p and "AAA111" in p for p in patterns)  # raw codes never become label values

    def delta(name, **labels):
        key = (name, tuple(sorted(labels.items())))
        return after.get(key, 0) - before.get(key, 0)

    unmatched = delta("spbe_http_requests_total", method="GET", route="unmatched", status="4xx")
    assert unmatched == 1
    assert delta("spbe_http_request_duration_seconds_count", method="GET", route="unmatched") == 1
    pattern = "/lovebali/o/<str:token>/status/"
    assert sum(delta("spbe_http_requests_total", method="GET", route=pattern, status=s) for s in ("2xx", "4xx")) == 3


@pytest.mark.django_db
def test_scrape_time_figures_come_from_the_database(client, settings):
    settings.TASKS_BACKEND = "database"
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": settings.TASK_QUEUES}}
    from spbe.core import scheduler
    from spbe.core.tasks import ping

    ping.enqueue("a")
    ping.enqueue("b")
    scheduler.run_due(table={"ping": {"task": "spbe.core.tasks.ping", "every": "5m", "kwargs": {"value": "c"}}})
    figures = scrape(client)
    assert figures[("spbe_task_queue_depth", (("queue", "default"),))] == 3
    assert figures[("spbe_scheduled_job_runs", (("job", "ping"),))] == 1


@pytest.mark.django_db
def test_metrics_are_closed_to_the_world(client, settings):
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9").status_code == 403
    settings.IS_PRODUCTION = True
    assert client.get("/metrics").status_code == 403  # production without a token: nobody
    settings.METRICS_TOKEN = "scrape-secret-1"
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9",
                      HTTP_AUTHORIZATION="Bearer scrape-secret-1").status_code == 200
