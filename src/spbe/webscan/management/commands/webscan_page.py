"""``spbe webscan_page TARGET [TARGET ...] --format json``: the judol verdict for pages.

A TARGET is an HTML file, a directory (every ``*.html``/``*.htm`` under it, sorted) or an
http(s) URL. A URL is fetched the ways cloakers distinguish (browser, Googlebot desktop and
smartphone, Google referrer, mobile with Google referrer), each with a fresh client; a file is
analysed as the browser sees it. Pages whose scripts write content are rendered in Chromium
(``--no-render`` turns that off).

One target prints ``{"verdict": "infected"|"clean", "score": ..., "techniques": [...],
"signals": [...]}`` exactly as before. Several targets (or a directory) print one JSON object per
line, the same keys plus ``"target"``; a target that cannot be read or fetched prints
``{"target": ..., "error": ...}`` and the run goes on (exit status 2 at the end). Django and the
model are loaded once for the whole batch.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

HTML_SUFFIXES = (".html", ".htm", ".xhtml")


class TargetError(Exception):
    pass


def expand(targets: list[str]) -> list[str]:
    """URLs as given, files as given, directories as their HTML files in a stable order."""
    expanded = []
    for target in targets:
        path = Path(target)
        if target.startswith(("http://", "https://")) or not path.is_dir():
            expanded.append(target)
            continue
        expanded.extend(str(p) for p in sorted(path.rglob("*")) if p.is_file() and p.suffix.lower() in HTML_SUFFIXES)
    return expanded


class Command(BaseCommand):
    help = "Scan pages (HTML files, directories of them, or http(s) URLs) for injected online-gambling content."
    requires_system_checks = []  # a scan needs no URL configuration; checks cost seconds per run

    def add_arguments(self, parser):
        parser.add_argument("targets", nargs="+", metavar="target",
                            help="path to an HTML file, a directory of HTML files, or an http(s) URL")
        parser.add_argument("--format", choices=["json", "text"], default="text")
        parser.add_argument("--no-render", action="store_true",
                            help="never open pages in Chromium (static analysis and script decoding only)")

    def handle(self, *args, targets, **options):
        expanded = expand(targets)
        single = len(targets) == 1 and len(expanded) == 1 and not Path(targets[0]).is_dir()
        render = False if options["no_render"] else None
        if not expanded:
            raise CommandError(f"no HTML files in {', '.join(targets)}", returncode=2)
        failures = 0
        for target, outcome in self._verdicts(expanded, render):
            if isinstance(outcome, TargetError):
                if single:
                    raise CommandError(str(outcome), returncode=2)
                failures += 1
                self._print_error(target, str(outcome), options["format"])
                continue
            self._print(target, outcome.as_dict(), options["format"], single)
        if failures:
            raise CommandError(f"{failures} of {len(expanded)} targets could not be scanned", returncode=2)

    def _verdicts(self, targets: list[str], render):
        """(target, Verdict | TargetError) in order; files share one Chromium."""
        from spbe.webscan.scan import analyze_documents, analyze_url

        files: list[str] = []

        def read(name: str):
            path = Path(name)
            return (path.read_bytes().decode("utf-8", errors="replace") if path.is_file() else None), path.resolve().as_uri()

        def flush():
            verdicts = analyze_documents((read(n) for n in files), render=render, render_budget=len(files))
            for name, verdict in zip(list(files), verdicts):
                yield name, verdict if verdict is not None else TargetError(f"no such file: {name}")
            files.clear()

        for target in targets:
            if not target.startswith(("http://", "https://")):
                files.append(target)
                continue
            yield from flush()
            verdict, fetched = analyze_url(target, render=render)
            errors = {v: f.error for v, f in fetched.items() if f.error}
            if fetched and len(errors) == len(fetched):
                yield target, TargetError(f"could not fetch {target}: {next(iter(errors.values()))}")
            else:
                yield target, verdict
        yield from flush()

    def _print_error(self, target: str, message: str, fmt: str) -> None:
        if fmt == "json":
            self.stdout.write(json.dumps({"target": target, "error": message}, ensure_ascii=False))
        else:
            self.stderr.write(f"{target}: {message}")

    def _print(self, target: str, data: dict, fmt: str, single: bool) -> None:
        if fmt == "json":
            self.stdout.write(json.dumps(data if single else {"target": target, **data}, ensure_ascii=False))
            return
        prefix = "" if single else f"{target}  "
        self.stdout.write(f"{prefix}{data['verdict'].upper()}  score {data['score']}  {', '.join(data['techniques'])}")
        for signal in data["signals"]:
            self.stdout.write(f"  [{signal['variant']}] {signal['name']}: {signal['detail']}")
            for excerpt in signal["excerpts"]:
                self.stdout.write(f"      … {excerpt} …")
