"""How fast commands start, against a bare ``python -c "import django"`` timed in the same run.

#25's target: ``spbe compute_index`` at most 8 times the baseline. Every command runs with
PYTHONDONTWRITEBYTECODE=1 (as on these machines and in many containers), so only the bytecode
compiled at install counts. Each figure is the median wall time of several runs after one warm-up;
CPU time (user + system of the child) is reported beside it.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent
PAGE = """<!doctype html><html lang="id"><head><title>Dinas Pariwisata</title></head>
<body><main><h1>Berita</h1><p>Pelayanan publik Dinas Pariwisata Provinsi Bali.</p></main></body></html>"""


def _time(cmd: list[str], env: dict, runs: int) -> tuple[float, float]:
    subprocess.run(cmd, env=env, check=True, capture_output=True)  # warm the page cache
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(cmd, env=env, check=True, capture_output=True)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(walls), statistics.median(cpus)


def run(report, runs: int = 7) -> None:
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    page = Path(tempfile.mkdtemp(prefix="spbe-bench-cmd-")) / "index.html"
    page.write_text(PAGE)
    commands = {
        "import_django": [sys.executable, "-c", "import django"],
        "compute_index": [str(BIN / "spbe"), "compute_index", "--domains", "4.60,3.70,2.82,4.57", "--format", "json"],
        "webscan_page": [str(BIN / "spbe"), "webscan_page", str(page), "--no-render", "--format", "json"],
        "scheduler_list": [str(BIN / "spbe"), "scheduler", "--list"],
    }
    baseline_wall, baseline_cpu = _time(commands.pop("import_django"), env, runs)
    report(import_django_s=round(baseline_wall, 3), import_django_cpu_s=round(baseline_cpu, 3))
    for name, cmd in commands.items():
        wall, cpu = _time(cmd, env, runs)
        report(**{f"{name}_s": round(wall, 3), f"{name}_vs_import_django": round(wall / baseline_wall, 1),
                  f"{name}_cpu_vs_import_django": round(cpu / baseline_cpu, 1)})
