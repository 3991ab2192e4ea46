"""Tasks for the crash tests of the Redis worker (tests/core/test_tasks.py)."""

import os
import signal
from pathlib import Path

from django_tasks import task


@task()
def crash_once(marker: str) -> str:
    """First run: the worker and its work horse die at once, as when a host is lost.
    Later runs (the retry): finish."""
    if not Path(marker).exists():
        Path(marker).write_text("crashed")
        os.kill(os.getppid(), signal.SIGKILL)
        os.kill(os.getpid(), signal.SIGKILL)
    return "finished"


@task()
def always_fails(marker: str) -> None:
    with open(marker, "a") as runs:
        runs.write("run\n")
    raise ValueError("this task always fails")
