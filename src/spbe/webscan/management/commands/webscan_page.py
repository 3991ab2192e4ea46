"""``spbe webscan_page FILE_OR_URL --format json``: the judol verdict for one page.

A URL is fetched the four ways cloakers distinguish (browser, Googlebot, Google referrer,
mobile with Google referrer); a file is analysed as the browser variant. Prints
``{"verdict": "infected"|"clean", "score": ..., "signals": [...]}``.
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from spbe.webscan.scan import analyze_html, analyze_url


class Command(BaseCommand):
    help = "Scan one page (a file or an http(s) URL) for injected online-gambling content."

    def add_arguments(self, parser):
        parser.add_argument("target", help="path to an HTML file, or an http(s) URL")
        parser.add_argument("--format", choices=["json", "text"], default="text")

    def handle(self, *args, target, **options):
        if target.startswith(("http://", "https://")):
            verdict, fetched = analyze_url(target)
            errors = {v: f.error for v, f in fetched.items() if f.error}
            if len(errors) == len(fetched):
                raise CommandError(f"could not fetch {target}: {next(iter(errors.values()))}", returncode=2)
        else:
            path = Path(target)
            if not path.is_file():
                raise CommandError(f"no such file: {target}", returncode=2)
            html = path.read_bytes().decode("utf-8", errors="replace")
            verdict = analyze_html(html, url=path.resolve().as_uri())
        data = verdict.as_dict()
        if options["format"] == "json":
            self.stdout.write(json.dumps(data, ensure_ascii=False))
            return
        self.stdout.write(f"{data['verdict'].upper()}  score {data['score']}  {', '.join(data['techniques'])}")
        for signal in data["signals"]:
            self.stdout.write(f"  [{signal['variant']}] {signal['name']}: {signal['detail']}")
            for excerpt in signal["excerpts"]:
                self.stdout.write(f"      … {excerpt} …")
