"""Run every benchmark module: `python -m benchmarks [name ...]`."""

from __future__ import annotations

import importlib
import inspect
import json
import os
import sys
import tempfile
from pathlib import Path

MODULES = ["bench_commands", "bench_audit", "bench_webscan", "bench_levy", "bench_esign", "bench_assistant"]


def setup_django(database_url: str | None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "spbe.config.settings")
    os.environ.setdefault("SPBE_TASKS_BACKEND", "database")  # as in production
    os.environ.setdefault("DEBUG", "false")  # DEBUG keeps every SQL statement in memory
    os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.dummy.EmailBackend")
    if "DATABASE_URL" not in os.environ:
        # A throwaway database: benchmarks never touch the development database.
        os.environ["DATABASE_URL"] = database_url or f"sqlite:///{tempfile.mkdtemp(prefix='spbe-bench-')}/bench.sqlite3"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def main(argv: list[str]) -> int:
    from benchmarks.pg import throwaway_postgres

    with throwaway_postgres() as database_url:
        return _run(argv, database_url)


def _run(argv: list[str], database_url: str | None) -> int:
    setup_django(database_url)
    from django.db import connection

    print(f"database: {connection.vendor}")
    selected = argv or MODULES
    results = {"database": connection.vendor}
    for name in selected:
        module = importlib.import_module(f"benchmarks.{name}")
        print(f"== {name}", flush=True)
        if "report" in inspect.signature(module.run).parameters:
            # The module prints each figure as it is measured; what it measured survives a failure.
            figures: dict = {}
            results[name] = figures

            def report(figures=figures, **measured):
                for key, value in measured.items():
                    figures[key] = value
                    print(f"   {key}: {value}", flush=True)

            module.run(report=report)
        else:
            results[name] = module.run()
            for key, value in results[name].items():
                print(f"   {key}: {value}")
    out = Path("benchmarks/results")
    out.mkdir(parents=True, exist_ok=True)
    (out / "latest.json").write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
