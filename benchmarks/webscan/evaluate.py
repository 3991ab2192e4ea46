"""`make eval-webscan`: crawl every corpus site through the cloaking server and score the
verdicts against the labels — precision and recall per technique, false alerts per 1,000
clean pages (hard negatives counted separately), Wilson 95% intervals.

Two corpora, reported separately: ``generated`` (``corpus.jsonl.gz``, from templates and word
lists) and ``independent`` (hand-written pages in four CMS shells, ``independent/``)."""

from __future__ import annotations

import json
import math
import os
import sys
import time
from collections import Counter, defaultdict


def wilson(successes: int, total: int, z: float = 1.96) -> tuple[float, float]:
    if total == 0:
        return (0.0, 0.0)
    p = successes / total
    centre = (p + z * z / (2 * total)) / (1 + z * z / total)
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / (1 + z * z / total)
    return (max(0.0, centre - half), min(1.0, centre + half))


CORPORA = ("generated", "independent")


def load(corpus: str) -> list[dict]:
    if corpus == "independent":
        from benchmarks.webscan.independent import records

        return records()
    from benchmarks.webscan.server import load_corpus

    return load_corpus()


def run(concurrency: int = 4, corpus: str = "generated") -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "spbe.config.settings")
    import django

    django.setup()
    from benchmarks.webscan.server import CorpusServers
    from spbe.webscan.crawler import crawl

    results: dict[tuple[str, str], object] = {}
    started = time.monotonic()
    requests = 0
    with CorpusServers(load(corpus)) as servers:
        records = servers.records
        for site, base in servers.urls.items():
            crawl_result = crawl(base, max_pages=1000, concurrency=concurrency, interval=0.0, purpose="operator")
            requests += crawl_result.requests
            for page in crawl_result.pages:
                path = page.url[len(base):]
                results[(site, path)] = page.verdict
    elapsed = time.monotonic() - started

    per_technique = defaultdict(lambda: Counter())
    false_alerts = Counter()
    clean_total = hard_total = 0
    missing = []
    misses: list[str] = []
    for record in records:
        verdict = results.get((record["site"], record["path"]))
        if verdict is None:
            missing.append(f"{record['site']}/{record['path']}")
            continue
        flagged = verdict.verdict == "infected"
        if record["kind"] == "injected":
            bucket = per_technique[record["technique"]]
            bucket["n"] += 1
            bucket["tp"] += int(flagged)
            if not flagged:
                misses.append(f"{record['site']}/{record['path']} ({record['technique']})")
        else:
            if record["kind"] == "clean":
                clean_total += 1
            else:
                hard_total += 1
            if flagged:
                false_alerts[record["kind"]] += 1
                misses.append(f"false alert: {record['site']}/{record['path']} {verdict.techniques}")
                for technique in verdict.techniques or ["unspecified"]:
                    per_technique[technique]["fp"] += 1

    scored = {t: c for t, c in per_technique.items() if not t.endswith("blind_spot")}
    tp = sum(c["tp"] for t, c in scored.items())
    n = sum(c["n"] for t, c in scored.items())
    fp = false_alerts["clean"] + false_alerts["hard_negative"]
    report = {
        "corpus": corpus,
        "pages": len(records),
        "missing": missing[:10],
        "errors": misses,
        "seconds": round(elapsed, 2),
        "requests": requests,
        "requests_per_second": round(requests / elapsed, 1),
        "techniques": {},
        "overall": {
            "recall": round(tp / n, 4) if n else 0.0,
            "recall_95ci": [round(x, 4) for x in wilson(tp, n)],
            "precision": round(tp / (tp + fp), 4) if tp + fp else 0.0,
            "false_alerts_per_1000_clean": round(1000 * false_alerts["clean"] / max(clean_total, 1), 2),
            "false_alerts_per_1000_hard_negatives": round(1000 * false_alerts["hard_negative"] / max(hard_total, 1), 2),
            "clean_pages": clean_total,
            "hard_negative_pages": hard_total,
        },
    }
    for technique, counts in sorted(per_technique.items()):
        if counts["n"] == 0:
            continue
        precision_den = counts["tp"] + counts["fp"]
        report["techniques"][technique] = {
            "pages": counts["n"],
            "detected": counts["tp"],
            "recall": round(counts["tp"] / counts["n"], 4),
            "precision": round(counts["tp"] / precision_den, 4) if precision_den else None,
            "scored": not technique.endswith("blind_spot"),
        }
    return report


def _print(report: dict) -> bool:
    print(f"\n== {report['corpus']} corpus — {report['pages']} pages, {report['requests']} requests in "
          f"{report['seconds']} s ({report['requests_per_second']} req/s)")
    print(f"{'technique':<32}{'pages':>6}{'found':>7}{'recall':>8}{'precision':>11}")
    for technique, row in report["techniques"].items():
        precision = "—" if row["precision"] is None else f"{row['precision']:.3f}"
        note = "" if row["scored"] else "  (blind spot, not scored)"
        print(f"{technique:<32}{row['pages']:>6}{row['detected']:>7}{row['recall']:>8.3f}{precision:>11}{note}")
    overall = report["overall"]
    print(f"overall recall {overall['recall']:.3f} (95% CI {overall['recall_95ci'][0]:.3f}-{overall['recall_95ci'][1]:.3f}), "
          f"precision {overall['precision']:.3f}")
    print(f"false alerts per 1,000 clean pages: {overall['false_alerts_per_1000_clean']} "
          f"({overall['clean_pages']} pages); per 1,000 hard negatives: "
          f"{overall['false_alerts_per_1000_hard_negatives']} ({overall['hard_negative_pages']} pages)")
    if report["missing"]:
        print(f"pages never reached by the crawler: {report['missing']}")
    for line in report["errors"]:
        if "blind_spot" not in line:
            print("  missed or wrong:", line)
    ok = overall["recall"] >= 0.95 and overall["precision"] >= 0.98
    print("targets (recall >= 0.95, precision >= 0.98):", "met" if ok else "NOT met")
    return ok


def main() -> int:
    chosen = [c for c in CORPORA if f"--{c}" in sys.argv] or list(CORPORA)
    reports = [run(corpus=corpus) for corpus in chosen]
    results = [_print(report) for report in reports]
    if "--json" in sys.argv:
        print(json.dumps(reports, indent=2))
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
