"""Cost of an audited write: appending to the hash chain vs a plain single-row insert."""

from __future__ import annotations

import time

from django.db import transaction


def _rate(fn, n: int) -> float:
    start = time.perf_counter()
    for i in range(n):
        with transaction.atomic():
            fn(i)
    return n / (time.perf_counter() - start)


def run(n: int = 2000) -> dict:
    from spbe.audit import services
    from spbe.audit.models import ChainHead
    from spbe.core.models import Institution

    def plain_insert(i):
        Institution.objects.create(code=f"bench-{i}-{time.monotonic_ns()}", name="Bench", kind="city")

    def audited(i):
        services.record("bench.event", data={"i": i})

    baseline = _rate(plain_insert, n)
    chained = _rate(audited, n)
    start = time.perf_counter()
    report = services.verify_chain()
    verify_rate = report.checked / (time.perf_counter() - start)
    assert report.ok and ChainHead.objects.get().last_sequence >= n
    return {
        "plain_inserts_per_s": round(baseline),
        "audit_appends_per_s": round(chained),
        "audit_append_vs_plain_insert": round(chained / baseline, 3),
        "chain_verifications_per_s": round(verify_rate),
        "verify_vs_plain_insert": round(verify_rate / baseline, 2),
    }
