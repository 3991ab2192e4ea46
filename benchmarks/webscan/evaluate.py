"""`make eval-webscan`: crawl every corpus site through the cloaking server and score the
verdicts against the labels — precision and recall per technique, false alerts per 1,000
clean pages (hard negatives counted separately), Wilson 95% intervals."""

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


def run(concurrency: int = 4) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "spbe.config.settings")
    import django

    django.setup()
    from benchmarks.webscan.server import CorpusServers
    from spbe.webscan.crawler import crawl

    results: dict[tuple[str, str], object] = {}
    started = time.monotonic()
    requests = 0
    with CorpusServers() as servers:
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
        else:
            if record["kind"] == "clean":
                clean_total += 1
            else:
                hard_total += 1
            if flagged:
                false_alerts[record["kind"]] += 1
                for technique in verdict.techniques or ["unspecified"]:
                    per_technique[technique]["fp"] += 1

    scored = {t: c for t, c in per_technique.items() if not t.endswith("blind_spot")}
    tp = sum(c["tp"] for t, c in scored.items())
    n = sum(c["n"] for t, c in scored.items())
    fp = false_alerts["clean"] + false_alerts["hard_negative"]
    report = {
        "pages": len(records),
        "missing": missing[:10],
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


def main() -> int:
    report = run()
    print(f"Judol scanner evaluation — {report['pages']} pages, {report['requests']} requests in "
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
    if "--json" in sys.argv:
        print(json.dumps(report, indent=2))
    ok = overall["recall"] >= 0.95 and overall["precision"] >= 0.98
    print("targets (recall >= 0.95, precision >= 0.98):", "met" if ok else "NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
