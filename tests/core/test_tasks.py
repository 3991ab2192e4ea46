"""Background tasks: inline in tests, and through the real database and Redis workers."""

from __future__ import annotations

import os
import time

import pytest
from django.core import mail

from spbe.core.tasks import ping, send_notification_email
from tests.support.servers import redis_test_url, run_worker, worker_env


@pytest.mark.django_db
def test_mail_task_sends_email():
    result = send_notification_email.enqueue(["opd@baliprov.go.id"], "Subjek", "Isi")
    assert result.return_value == 1
    assert mail.outbox[0].to == ["opd@baliprov.go.id"]


@pytest.mark.django_db(transaction=True)
def test_database_worker_consumes_enqueued_task(settings):
    # Changing TASKS resets django-tasks' backend handler (its setting_changed receiver).
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": settings.TASK_QUEUES}}
    result = ping.enqueue("halo")
    assert result.status.name == "READY"
    worker = run_worker("database")
    assert worker.returncode == 0, worker.stderr
    result.refresh()
    assert result.status.name == "SUCCESSFUL", worker.stderr
    assert result.return_value["echo"] == "halo"
    assert result.return_value["worker_pid"] != os.getpid()


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_redis_worker_consumes_enqueued_task(settings):
    url = redis_test_url()
    import django_rq.queues

    settings.REDIS_URL = url
    settings.RQ_QUEUES = {name: {"URL": url, "DEFAULT_TIMEOUT": 60} for name in settings.TASK_QUEUES}
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": settings.TASK_QUEUES}}
    django_rq.queues.get_queue("default").empty()
    result = ping.enqueue("selamat")
    worker = run_worker("redis", env=dict(worker_env("redis"), REDIS_URL=url))
    assert worker.returncode == 0, worker.stderr
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        result.refresh()
        if result.status.name == "SUCCESSFUL":
            break
        time.sleep(0.1)
    assert result.status.name == "SUCCESSFUL", worker.stderr
    assert result.return_value["echo"] == "selamat"
    assert result.return_value["worker_pid"] != os.getpid()


@pytest.mark.services
def test_redis_jobs_are_retried_after_a_crash_but_not_after_an_exception(settings, tmp_path):
    """The policy of spbe.core.rqworker; a real lost host is tests/deploy/test_scale_out.py."""
    url = redis_test_url()
    import django_tasks_rq
    from redis import Redis
    from rq.job import Job, JobStatus

    from spbe.core.rqworker import CrashSafeQueue
    from tests.support.crash import always_fails, crash_once

    redis_url = url.rsplit("/", 1)[0] + "/6"  # a database of its own
    redis = Redis.from_url(redis_url)
    redis.flushdb()
    settings.REDIS_URL = redis_url
    settings.RQ_QUEUES = {name: {"URL": redis_url, "DEFAULT_TIMEOUT": 60} for name in settings.TASK_QUEUES}
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": settings.TASK_QUEUES}}
    env = dict(worker_env("redis"), REDIS_URL=redis_url)

    def burst():
        return run_worker("redis", "--queue", "default", env=env)

    runs = tmp_path / "runs"
    failing = Job.fetch(always_fails.enqueue(str(runs)).id, connection=redis)
    assert failing.retries_left == settings.TASK_CRASH_RETRIES == 2
    assert burst().returncode == 0
    assert failing.get_status(refresh=True) == JobStatus.FAILED
    assert runs.read_text() == "run\n"  # once: an exception is the task's own answer, not a crash

    marker = tmp_path / "crashed"
    crashing = Job.fetch(crash_once.enqueue(str(marker)).id, connection=redis)
    crashed = burst()
    assert crashed.returncode == -9 and marker.exists(), crashed.stderr
    assert crashing.get_status(refresh=True) == JobStatus.STARTED
    # What a surviving worker's maintenance round does once the heartbeat has lapsed:
    queue = CrashSafeQueue("default", connection=redis, job_class=django_tasks_rq.Job)
    queue.started_job_registry.cleanup(timestamp=time.time() + 3600)
    crashing.refresh()
    assert crashing.get_status() == JobStatus.QUEUED and crashing.retries_left == 1
    assert burst().returncode == 0
    assert crashing.get_status(refresh=True) == JobStatus.FINISHED
    redis.flushdb()
