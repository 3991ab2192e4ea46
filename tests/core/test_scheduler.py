"""The periodic scheduler: rhythms, one run per slot across processes, no pile-up, outcomes."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ImproperlyConfigured
from django_tasks import task

from spbe.core import scheduler
from spbe.core.models import ScheduledJob
from tests.support.servers import run_worker, worker_env

WITA = ZoneInfo("Asia/Makassar")


@task()
def always_fails() -> None:
    raise RuntimeError("disk full")


PING = {"ping": {"task": "spbe.core.tasks.ping", "every": "5m", "kwargs": {"value": "jadwal"}}}


def test_rhythms_give_the_next_slot_in_bali_time():
    daily, every = scheduler.jobs({
        "d": {"task": "spbe.core.tasks.ping", "daily": "02:00"},
        "e": {"task": "spbe.core.tasks.ping", "every": "90s"},
    })
    late_evening = datetime(2026, 12, 3, 23, 30, tzinfo=WITA)
    assert daily.next_after(late_evening) == datetime(2026, 12, 4, 2, 0, tzinfo=WITA)
    assert daily.next_after(datetime(2026, 12, 3, 1, 59, tzinfo=WITA)) == datetime(2026, 12, 3, 2, 0, tzinfo=WITA)
    # exactly at the slot: the next one is tomorrow, never the same instant again
    assert daily.next_after(datetime(2026, 12, 3, 2, 0, tzinfo=WITA)) == datetime(2026, 12, 4, 2, 0, tzinfo=WITA)
    assert every.next_after(late_evening) == late_evening + timedelta(seconds=90)
    assert every.first_slot(late_evening) == late_evening  # interval jobs start at once
    assert daily.first_slot(late_evening) == datetime(2026, 12, 4, 2, 0, tzinfo=WITA)


@pytest.mark.parametrize("entry, message", [
    ({"task": "x.y", "every": "5 minutes"}, "interval"),
    ({"task": "x.y", "every": "0m"}, "interval"),
    ({"task": "x.y", "daily": "25:00"}, "HH:MM"),
    ({"task": "x.y"}, "exactly one of"),
    ({"task": "x.y", "every": "5m", "daily": "01:00"}, "exactly one of"),
    ({"task": "x.y", "every": "5m", "queue": "crawler"}, r"unknown keys: \['queue'\]"),
])
def test_a_malformed_entry_is_refused_with_its_name(entry, message):
    with pytest.raises(ImproperlyConfigured, match=message) as raised:
        scheduler.jobs({"broken-job": entry})
    assert "broken-job" in str(raised.value)


def test_the_shipped_schedule_names_real_tasks(settings):
    from django_tasks.base import Task

    names = {spec.name for spec in scheduler.jobs()}
    assert {"levy-sweep", "assistant-sweep", "judol-scans", "audit-verify", "esign-archive-timestamps",
            "api-token-reminders"} <= names
    for spec in scheduler.jobs():
        assert isinstance(spec.task(), Task), spec.name
        queue = spec.task().queue_name
        assert queue in settings.TASK_QUEUES, (spec.name, queue)


@pytest.mark.django_db(transaction=True)
def test_a_slot_is_enqueued_once_and_an_unfinished_run_is_not_doubled(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": settings.TASK_QUEUES}}
    from django_tasks_db.models import DBTaskResult

    now = datetime(2026, 12, 3, 9, 0, tzinfo=WITA)
    assert scheduler.run_due(now, PING) == ["ping"]
    assert scheduler.run_due(now, PING) == []  # same slot, nothing new
    assert scheduler.run_due(now + timedelta(minutes=4), PING) == []  # not due yet
    # Next slot is due, but the first run still waits for a worker: skipped, not queued twice.
    assert scheduler.run_due(now + timedelta(minutes=5), PING) == []
    state = ScheduledJob.objects.get(pk="ping")
    assert (state.runs, state.skipped, state.last_outcome) == (1, 1, "enqueued")
    assert DBTaskResult.objects.count() == 1

    worker = run_worker("database")
    assert worker.returncode == 0, worker.stderr
    assert scheduler.run_due(now + timedelta(minutes=10), PING) == ["ping"]
    state.refresh_from_db()
    assert (state.runs, state.failures) == (2, 0)
    assert state.next_run_at == now + timedelta(minutes=15)
    first = DBTaskResult.objects.order_by("enqueued_at").first()
    assert first.status == "SUCCESSFUL" and first.return_value["echo"] == "jadwal"


@pytest.mark.django_db
def test_a_failed_run_is_recorded_with_its_error_class():
    table = {"fails": {"task": "tests.core.test_scheduler.always_fails", "every": "1m"}}
    now = datetime(2026, 12, 3, 9, 0, tzinfo=WITA)
    assert scheduler.run_due(now, table) == ["fails"]  # the immediate backend runs it inline
    state = ScheduledJob.objects.get(pk="fails")
    assert state.last_outcome == "failed" and state.failures == 1
    assert state.last_error == "builtins.RuntimeError"
    assert scheduler.run_due(now + timedelta(minutes=1), table) == ["fails"]  # a failure does not block the next slot


@pytest.mark.django_db
def test_a_disabled_job_is_left_alone():
    table = {"off": {"task": "spbe.core.tasks.ping", "every": "1m", "kwargs": {"value": "x"}, "enabled": False}}
    assert scheduler.run_due(table=table) == []
    assert not ScheduledJob.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_four_schedulers_at_once_enqueue_each_due_job_once():
    """Real processes on one database (the situation of several hosts running the scheduler)."""
    from django.conf import settings as live

    env = worker_env("database")
    procs = [subprocess.Popen([sys.executable, "-m", "spbe.manage", "scheduler", "--once"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(4)]
    outputs = [proc.communicate(timeout=120) for proc in procs]
    assert all(proc.returncode == 0 for proc in procs), [err for _, err in outputs]
    from django_tasks_db.models import DBTaskResult

    enqueued = sorted(DBTaskResult.objects.values_list("task_path", flat=True))
    interval_jobs = sorted(entry["task"] for entry in live.SCHEDULE.values()
                           if "every" in entry and entry.get("enabled", True))
    assert enqueued == interval_jobs  # each once; daily jobs wait for their hour
    claimed = [name for out, _ in outputs for name in out.split(":", 1)[1].strip().split(", ") if name != "nothing due"]
    assert sorted(claimed) == sorted(name for name, entry in live.SCHEDULE.items()
                                     if "every" in entry and entry.get("enabled", True))


@pytest.mark.django_db(transaction=True)
def test_api_token_owners_are_reminded_once_in_their_language(mailoutbox):
    from django.utils import timezone

    from spbe.core import services
    from tests.conftest import make_user

    now = timezone.now()
    ana = make_user("ana")
    ben = make_user("ben")
    ben.preferred_language = "en"
    ben.save()
    services.issue_api_token(user=ana, name="sinkron SIPD", expires_at=now + timedelta(days=3))
    services.issue_api_token(user=ben, name="hotel PMS", expires_at=now + timedelta(days=6, hours=23))
    services.issue_api_token(user=ana, name="masih lama", expires_at=now + timedelta(days=30))
    revoked, _ = services.issue_api_token(user=ana, name="dicabut", expires_at=now + timedelta(days=2))
    services.revoke_api_token(revoked)

    assert services.remind_expiring_api_tokens() == 2
    assert services.remind_expiring_api_tokens() == 0  # a re-run (or a second scheduler) sends nothing again
    by_recipient = {message.to[0]: message for message in mailoutbox}
    assert set(by_recipient) == {"ana@example.go.id", "ben@example.go.id"}
    assert "kedaluwarsa" in by_recipient["ana@example.go.id"].subject
    assert "sinkron SIPD" in by_recipient["ana@example.go.id"].subject
    assert "expires on" in by_recipient["ben@example.go.id"].subject
    assert "/account/" in by_recipient["ben@example.go.id"].body
