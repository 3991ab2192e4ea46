"""The periodic scheduler: one table in settings (``SCHEDULE``), any number of scheduler processes.

Each entry names a task (dotted path) and when it is due::

    SCHEDULE = {
        "levy-sweep": {"task": "spbe.levy.tasks.levy_sweep", "every": "2m"},
        "audit-verify": {"task": "spbe.audit.tasks.verify_audit_chain", "daily": "03:00"},
    }

``every`` is an interval ("30s", "5m", "1h", "1d"); ``daily`` is a local time (settings.TIME_ZONE).
Optional keys: ``kwargs`` (plain values for the task), ``enabled`` (default true).

The scheduler only enqueues; workers run the task on its own queue, so a job's work goes to
whichever worker host is free. A slot is claimed by a conditional UPDATE of
``ScheduledJob.next_run_at`` (compare-and-swap), which holds on SQLite and PostgreSQL alike and
across hosts: with three schedulers running, each slot is enqueued once. A job whose previous run
is still queued or running is not enqueued again (the slot is counted as skipped), so a slow scan
never piles up behind itself. Slots missed while no scheduler ran are not caught up: the job runs
once, then on its normal rhythm.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import F
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import ScheduledJob

log = logging.getLogger("spbe.scheduler")

_INTERVAL = re.compile(r"^(\d+)\s*([smhd])$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class Outcome:
    ENQUEUED = "enqueued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    ENQUEUE_FAILED = "enqueue_failed"


@dataclass(frozen=True)
class JobSpec:
    name: str
    task_path: str
    every: timedelta | None = None
    daily: time | None = None
    kwargs: dict = field(default_factory=dict)
    enabled: bool = True

    def next_after(self, moment: datetime) -> datetime:
        """The first slot strictly after ``moment``."""
        if self.every is not None:
            return moment + self.every
        zone = ZoneInfo(settings.TIME_ZONE)
        local = moment.astimezone(zone)
        candidate = datetime.combine(local.date(), self.daily, tzinfo=zone)
        if candidate <= local:
            candidate = datetime.combine(local.date() + timedelta(days=1), self.daily, tzinfo=zone)
        return candidate

    def first_slot(self, now: datetime) -> datetime:
        """Interval jobs are due as soon as a scheduler first sees them; daily jobs at their time."""
        return now if self.every is not None else self.next_after(now)

    def describe(self) -> str:
        if self.every is not None:
            return f"every {int(self.every.total_seconds())} s"
        return f"daily at {self.daily:%H:%M} ({settings.TIME_ZONE})"

    def task(self):
        return import_string(self.task_path)


def parse_interval(text: str) -> timedelta:
    match = _INTERVAL.match(text.strip())
    if not match or int(match.group(1)) == 0:
        raise ImproperlyConfigured(f"interval {text!r}: use a positive number with s, m, h or d (e.g. '5m')")
    return timedelta(seconds=int(match.group(1)) * _UNIT_SECONDS[match.group(2)])


def parse_daily(text: str) -> time:
    try:
        return time.fromisoformat(text)
    except ValueError as exc:
        raise ImproperlyConfigured(f"daily time {text!r}: use HH:MM") from exc


def jobs(table: dict | None = None) -> list[JobSpec]:
    """The schedule as specs; a malformed entry stops the scheduler with its name in the error."""
    table = settings.SCHEDULE if table is None else table
    specs = []
    for name, entry in table.items():
        unknown = set(entry) - {"task", "every", "daily", "kwargs", "enabled"}
        if unknown or "task" not in entry or ("every" in entry) == ("daily" in entry):
            raise ImproperlyConfigured(
                f"SCHEDULE[{name!r}] needs 'task' and exactly one of 'every' or 'daily' (unknown keys: {sorted(unknown)})"
            )
        try:
            every = parse_interval(entry["every"]) if "every" in entry else None
            daily = parse_daily(entry["daily"]) if "daily" in entry else None
        except ImproperlyConfigured as exc:
            raise ImproperlyConfigured(f"SCHEDULE[{name!r}]: {exc}") from exc
        specs.append(JobSpec(name=name, task_path=entry["task"], every=every, daily=daily,
                             kwargs=dict(entry.get("kwargs", {})), enabled=bool(entry.get("enabled", True))))
    return specs


def _states(specs: list[JobSpec], now: datetime) -> dict[str, ScheduledJob]:
    """Every job's shared state in two queries, creating the rows of jobs seen for the first time."""
    states = ScheduledJob.objects.in_bulk([spec.name for spec in specs])
    new = [ScheduledJob(name=s.name, next_run_at=s.first_slot(now)) for s in specs if s.name not in states]
    if new:
        # ignore_conflicts: two schedulers meeting a new job at once both succeed; one row remains.
        ScheduledJob.objects.bulk_create(new, ignore_conflicts=True)
        states = ScheduledJob.objects.in_bulk([spec.name for spec in specs])
    return states


def _error_of(result) -> str:
    last = result.errors[-1] if result.errors else None
    return last.exception_class_path if last else "unknown error"


def refresh_outcome(spec: JobSpec, state: ScheduledJob) -> ScheduledJob:
    """Read the last run's result from the task backend and record how it ended."""
    if not state.last_result_id or state.last_outcome not in (Outcome.ENQUEUED, Outcome.RUNNING):
        return state
    try:
        result = spec.task().get_result(state.last_result_id)
    except Exception:  # noqa: BLE001 - result gone (pruned, immediate backend): nothing to learn
        ScheduledJob.objects.filter(pk=state.pk, last_result_id=state.last_result_id).update(last_outcome="")
        state.last_outcome = ""
        return state
    status = str(result.status)
    if status.endswith("RUNNING"):
        outcome, error = Outcome.RUNNING, ""
    elif status.endswith("SUCCESSFUL"):
        outcome, error = Outcome.SUCCEEDED, ""
    elif status.endswith("FAILED"):
        outcome, error = Outcome.FAILED, _error_of(result)
    else:
        return state  # still queued
    if outcome == state.last_outcome:
        return state
    changes = {"last_outcome": outcome, "last_error": error[:300]}
    if outcome in (Outcome.SUCCEEDED, Outcome.FAILED):
        changes["last_finished_at"] = result.finished_at or timezone.now()
    updated = ScheduledJob.objects.filter(pk=state.pk, last_result_id=state.last_result_id,
                                          last_outcome=state.last_outcome).update(**changes)
    if updated and outcome == Outcome.FAILED:
        ScheduledJob.objects.filter(pk=state.pk).update(failures=F("failures") + 1)
        log.error("scheduled job failed", extra={"job": spec.name, "error": error})
    for key, value in changes.items():
        setattr(state, key, value)
    return state


def run_due(now: datetime | None = None, table: dict | None = None) -> list[str]:
    """One scheduler tick: enqueue every due job whose slot this process wins. Returns their names."""
    now = now or timezone.now()
    enqueued = []
    specs = [spec for spec in jobs(table) if spec.enabled]
    states = _states(specs, now)
    for spec in specs:
        state = refresh_outcome(spec, states[spec.name])
        if state.next_run_at > now:
            continue
        won = ScheduledJob.objects.filter(pk=spec.name, next_run_at=state.next_run_at).update(
            next_run_at=spec.next_after(now)
        )
        if not won:
            continue  # another scheduler claimed this slot
        if state.last_outcome in (Outcome.ENQUEUED, Outcome.RUNNING):
            ScheduledJob.objects.filter(pk=spec.name).update(skipped=F("skipped") + 1)
            log.warning("scheduled job skipped: previous run unfinished", extra={"job": spec.name})
            continue
        try:
            result = spec.task().enqueue(**spec.kwargs)
        except Exception as exc:  # noqa: BLE001 - a down queue must not stop the other jobs
            ScheduledJob.objects.filter(pk=spec.name).update(
                last_outcome=Outcome.ENQUEUE_FAILED, last_error=exc.__class__.__name__, failures=F("failures") + 1
            )
            log.error("scheduled job could not be enqueued", extra={"job": spec.name, "error": repr(exc)})
            continue
        changes = {"last_enqueued_at": now, "last_result_id": str(result.id), "runs": F("runs") + 1,
                   "last_outcome": Outcome.ENQUEUED, "last_error": ""}
        if str(result.status).endswith(("SUCCESSFUL", "FAILED")):  # a backend that ran it inline
            failed = str(result.status).endswith("FAILED")
            changes.update(last_outcome=Outcome.FAILED if failed else Outcome.SUCCEEDED,
                           last_finished_at=result.finished_at or timezone.now())
            if failed:
                changes.update(failures=F("failures") + 1, last_error=_error_of(result)[:300])
        ScheduledJob.objects.filter(pk=spec.name).update(**changes)
        enqueued.append(spec.name)
    return enqueued


def status(table: dict | None = None) -> list[dict]:
    """Every job with its rhythm and its shared state, for `spbe scheduler --list` and the console."""
    states = {s.name: s for s in ScheduledJob.objects.all()}
    rows = []
    for spec in jobs(table):
        state = states.get(spec.name)
        rows.append({
            "name": spec.name, "task": spec.task_path, "rhythm": spec.describe(), "enabled": spec.enabled,
            "next_run_at": state.next_run_at if state else None,
            "last_enqueued_at": state.last_enqueued_at if state else None,
            "last_outcome": state.last_outcome if state else "",
            "last_error": state.last_error if state else "",
            "runs": state.runs if state else 0, "failures": state.failures if state else 0,
            "skipped": state.skipped if state else 0,
        })
    return rows
