"""Prometheus metrics: request counts and latencies measured in-process, the rest read at scrape.

* Requests are counted per URL *pattern* (``lovebali/pay/<str:code>/``), never per raw path, so
  the number of series stays bounded. Under gunicorn with several workers set
  ``PROMETHEUS_MULTIPROC_DIR`` (the deployment kit does): each process writes its samples there
  and ``/metrics`` adds them up.
* Business figures (queue depth and failures, payment notifications, scans, scheduled jobs) come
  from the database when scraped, so they are right across hosts, workers and restarts. Modules
  add theirs with ``register_collector`` in their ``AppConfig.ready`` (core imports no module).
"""

from __future__ import annotations

import ipaddress
import logging
import os
import time
from collections.abc import Callable, Iterable

from django.conf import settings
from django.http import HttpResponse, HttpResponseForbidden
from django.views.decorators.cache import never_cache
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, disable_created_metrics, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric

log = logging.getLogger("spbe.metrics")
disable_created_metrics()  # no *_created series: half the lines, and Prometheus does not need them

REQUESTS = Counter("spbe_http_requests_total", "HTTP requests answered, by URL pattern and status class.",
                   ["method", "route", "status"])
LATENCY = Histogram("spbe_http_request_duration_seconds", "Time to answer an HTTP request, by URL pattern.",
                    ["method", "route"],
                    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30))

_collectors: list[Callable[[], Iterable[Metric]]] = []


def register_collector(collect: Callable[[], Iterable[Metric]]) -> None:
    """``collect()`` yields metric families (e.g. ``GaugeMetricFamily``) computed at scrape time."""
    if collect not in _collectors:
        _collectors.append(collect)


def gauge(name: str, documentation: str, labels: list[str], rows: Iterable[tuple]) -> GaugeMetricFamily:
    """A gauge family from ``(label values..., value)`` rows."""
    family = GaugeMetricFamily(name, documentation, labels=labels)
    for *values, number in rows:
        family.add_metric([str(v) for v in values], float(number))
    return family


class _ScrapeTimeCollector:
    def collect(self):
        for collect in list(_collectors):
            try:
                yield from collect()
            except Exception:  # noqa: BLE001 - one broken figure must not hide the others
                log.exception("metrics collector failed", extra={"collector": getattr(collect, "__qualname__", "?")})


def _route(request) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "unmatched"
    return "/" + (match.route or match.view_name or "")


class MetricsMiddleware:
    """Outermost timing of every request (including answers from rate limits and security)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        route = _route(request)
        if route != "/metrics":
            REQUESTS.labels(request.method, route, f"{response.status_code // 100}xx").inc()
            LATENCY.labels(request.method, route).observe(time.perf_counter() - started)
        return response


def _allowed(request) -> bool:
    """A bearer token when METRICS_TOKEN is set; otherwise only from loopback (not in production)."""
    import hmac

    token = settings.METRICS_TOKEN
    if token:
        given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        return hmac.compare_digest(given.encode(), token.encode())
    if settings.IS_PRODUCTION:
        return False
    try:
        return ipaddress.ip_address(request.META.get("REMOTE_ADDR", "")).is_loopback
    except ValueError:
        return False


_SCRAPE_TIME = _ScrapeTimeCollector()
_MULTIPROCESS = bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))
if not _MULTIPROCESS:
    REGISTRY.register(_SCRAPE_TIME)


def _registry() -> CollectorRegistry:
    if not _MULTIPROCESS:
        return REGISTRY  # this process's samples (and the default process/platform figures)
    from prometheus_client import multiprocess

    registry = CollectorRegistry()  # every gunicorn worker's samples, summed
    multiprocess.MultiProcessCollector(registry)
    registry.register(_SCRAPE_TIME)
    return registry


@never_cache
def metrics_view(request):
    if not _allowed(request):
        return HttpResponseForbidden("metrics need the METRICS_TOKEN bearer token\n", content_type="text/plain")
    from prometheus_client import CONTENT_TYPE_LATEST

    return HttpResponse(generate_latest(_registry()), content_type=CONTENT_TYPE_LATEST)


# --- figures core itself owns -----------------------------------------------------------------

def _task_queue_figures():
    """Depth and failures per queue, for the database or the Redis backend."""
    if settings.TASKS_BACKEND == "database":
        from django.db.models import Count
        from django_tasks_db.models import DBTaskResult

        rows = DBTaskResult.objects.values_list("queue_name", "status").annotate(n=Count("id"))
        counts = {(queue, status): n for queue, status, n in rows}
        yield gauge("spbe_task_queue_depth", "Tasks waiting for a worker.", ["queue"],
                    [(q, counts.get((q, "READY"), 0)) for q in settings.TASK_QUEUES])
        yield gauge("spbe_task_running", "Tasks a worker is running now.", ["queue"],
                    [(q, counts.get((q, "RUNNING"), 0)) for q in settings.TASK_QUEUES])
        yield gauge("spbe_task_failed", "Failed task results kept (pruned after 14 days).", ["queue"],
                    [(q, counts.get((q, "FAILED"), 0)) for q in settings.TASK_QUEUES])
    elif settings.TASKS_BACKEND == "redis":
        import django_rq

        depth, running, failed = [], [], []
        for name in settings.TASK_QUEUES:
            queue = django_rq.get_queue(name)
            depth.append((name, queue.count))
            running.append((name, queue.started_job_registry.count))
            failed.append((name, queue.failed_job_registry.count))
        yield gauge("spbe_task_queue_depth", "Tasks waiting for a worker.", ["queue"], depth)
        yield gauge("spbe_task_running", "Tasks a worker is running now.", ["queue"], running)
        yield gauge("spbe_task_failed", "Failed tasks in the queue's failed registry.", ["queue"], failed)


def _scheduler_figures():
    from .models import ScheduledJob

    jobs = list(ScheduledJob.objects.values_list("name", "runs", "failures", "skipped", "last_enqueued_at"))
    yield gauge("spbe_scheduled_job_runs", "Runs enqueued by the scheduler.", ["job"], [(n, r) for n, r, *_ in jobs])
    yield gauge("spbe_scheduled_job_failures", "Runs that failed or could not be enqueued.", ["job"],
                [(n, f) for n, _r, f, *_ in jobs])
    yield gauge("spbe_scheduled_job_skipped", "Slots skipped because the previous run was unfinished.", ["job"],
                [(n, s) for n, _r, _f, s, _e in jobs])
    yield gauge("spbe_scheduled_job_last_enqueued_timestamp_seconds", "When the job was last enqueued.", ["job"],
                [(n, e.timestamp()) for n, _r, _f, _s, e in jobs if e is not None])


register_collector(_task_queue_figures)
register_collector(_scheduler_figures)
