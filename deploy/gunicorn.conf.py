"""gunicorn settings for the platform (systemd unit spbe-web.service and the container image).

Everything can be overridden from the environment file: SPBE_BIND, SPBE_WEB_WORKERS,
SPBE_WEB_THREADS, SPBE_WEB_TIMEOUT."""

import os
import shutil
from pathlib import Path

bind = os.environ.get("SPBE_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("SPBE_WEB_WORKERS", str(min(2 * (os.cpu_count() or 1) + 1, 8))))
threads = int(os.environ.get("SPBE_WEB_THREADS", "4"))
worker_class = "gthread"
timeout = int(os.environ.get("SPBE_WEB_TIMEOUT", "60"))
graceful_timeout = 30
max_requests = 2000  # recycle workers now and then: bounded memory, no restart needed
max_requests_jitter = 200
forwarded_allow_ips = os.environ.get("SPBE_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")  # nginx on this host
accesslog = None  # the platform logs each request itself (spbe.access, JSON in production)
errorlog = "-"
wsgi_app = "spbe.config.wsgi:application"


def on_starting(server):
    # Prometheus multiprocess mode: each worker writes its samples here; /metrics sums them.
    # Samples of a previous run would be summed too, so the directory starts empty.
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        shutil.rmtree(directory, ignore_errors=True)
        Path(directory).mkdir(parents=True, exist_ok=True)


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
