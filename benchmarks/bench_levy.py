"""Love Bali levy: paid orders per second end to end, offline voucher verifications per
second, and partner API latency under concurrent load — each against a baseline measured
in the same run.

* paid orders: create order → ask the bank simulator (its own process, real HTTP) for a
  dynamic QRIS → the payer pays it → the signed notification is handled (signature, re-query
  over HTTP, confirm, voucher signed and stored, audit chain) → the voucher e-mail is queued on
  the production (database) task backend. Two processes (two cores). Baseline: plain
  single-row inserts per second. The mail queue's work (PDF + e-mail) is measured on its own.
* verifications: parse + Ed25519 verify of a voucher code, one core. Baseline: a bare
  Ed25519 verify of a message the same length.
* partner API: gunicorn (2 workers × 4 threads) on loopback, 8 concurrent clients sending
  HMAC-signed "already covered?" lookups and order creations. Baseline: /healthz through the
  same server under the same load.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta


def _percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def _setup(sim_url: str):
    from django.conf import settings

    from spbe.core import services as core
    from spbe.core.models import Institution

    settings.LEVY_PROVIDERS = {**settings.LEVY_PROVIDERS, "banksim": {"base_url": sim_url, "server_key": "bench-key"}}
    logging.getLogger("django_tasks").setLevel(logging.WARNING)
    if not Institution.objects.filter(code=settings.LEVY_INSTITUTION_CODE).exists():
        core.create_institution(code=settings.LEVY_INSTITUTION_CODE, name="Pemerintah Provinsi Bali", kind="province")


def _plain_insert_rate(n=1000) -> float:
    from django.db import transaction

    from spbe.core.models import Institution

    start = time.perf_counter()
    for i in range(n):
        with transaction.atomic():
            Institution.objects.create(code=f"levy-bench-{i}-{time.monotonic_ns()}", name="Bench", kind="city")
    return n / (time.perf_counter() - start)


_PAYER: dict = {}


def _payer(sim_url: str):
    """The payer's side (bank app) keeps one HTTP client, like any real app would."""
    import httpx

    if sim_url not in _PAYER:
        _PAYER[sim_url] = httpx.Client(base_url=sim_url, auth=("bench-key", ""))
    return _PAYER[sim_url]


def _one_paid_order(sim_url: str, i: int, arrival) -> None:
    """One order end to end, the way production runs it (only the payer's tap is simulated)."""
    from spbe.levy import services
    from spbe.levy.banksim import native_signature

    order = services.create_order(email=f"bench{i}@example.com",
                                  travellers=[services.TravellerInput("Bench Tourist", "AU", f"PB{i:07d}", arrival)])
    payment = services.start_payment(order, "qris", notify_url="")
    # The tourist's banking app pays the QRIS; the bank then notifies us (signed) about it.
    payer = _payer(sim_url)
    payer.post("/v1/qris/pay", json={"payload": payment.info["qris"]}).raise_for_status()
    view = payer.get(f"/v1/charges/{payment.provider_reference}").json()
    body = json.dumps({"event_id": f"{view['reference']}:paid", "event": "paid", **view}).encode()
    timestamp = str(int(time.time()))
    headers = {"X-Sim-Timestamp": timestamp, "X-Sim-Signature": native_signature("bench-key", timestamp, body)}
    assert services.handle_notification("banksim", headers, body) == "confirmed"


def _paid_order_worker(sim_url: str, offset: int, n: int, start_at: float, results) -> None:
    from django.db import connections
    from django.utils import timezone

    connections.close_all()  # never share the parent's connection after fork
    _PAYER.clear()
    arrival = timezone.localdate() + timedelta(days=5)
    _one_paid_order(sim_url, offset + n, arrival)  # warm up (signing key, HTTP pool)
    while time.time() < start_at:
        time.sleep(0.001)
    begin = time.perf_counter()
    for i in range(n):
        _one_paid_order(sim_url, offset + i, arrival)
    results.put(time.perf_counter() - begin)
    connections.close_all()


def _paid_orders(sim_url: str, n_per_process=150, processes=None) -> float:
    """Worker processes, two per core: the flow is Python-bound (threads would share one
    core) and each process waits on PostgreSQL and the bank part of the time."""
    processes = processes or 2 * (os.cpu_count() or 1)
    import multiprocessing

    from django.db import connections

    from spbe.levy.models import Order

    before = Order.objects.filter(status="paid", vouchers_issued_at__isnull=False).count()
    connections.close_all()
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    start_at = time.time() + 2
    workers = [context.Process(target=_paid_order_worker, args=(sim_url, p * 1_000_000, n_per_process, start_at, results))
               for p in range(processes)]
    for w in workers:
        w.start()
    elapsed = max(results.get(timeout=600) for _ in workers)
    for w in workers:
        w.join()
        assert w.exitcode == 0, "a benchmark worker failed"
    done = Order.objects.filter(status="paid", vouchers_issued_at__isnull=False).count() - before
    assert done == processes * (n_per_process + 1), done
    return processes * n_per_process / elapsed


def _verifications(n=20000) -> tuple[float, float]:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from spbe.levy import codec, services
    from spbe.levy.models import Voucher

    codes = list(Voucher.objects.values_list("code", flat=True)[:200])
    keys = services.public_keys()
    for code in codes:
        codec.verify(code, keys)
    start = time.perf_counter()
    for i in range(n):
        codec.verify(codes[i % len(codes)], keys)
    rate = n / (time.perf_counter() - start)
    key = Ed25519PrivateKey.generate()
    message = b"x" * 92
    signature = key.sign(message)
    public = key.public_key()
    start = time.perf_counter()
    for _ in range(n):
        public.verify(signature, message)
    raw = n / (time.perf_counter() - start)
    return rate, raw


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _partner_api(sim_url: str, emit, clients=8, requests_per_client=120) -> None:
    import httpx

    from spbe.levy import services
    from spbe.levy.partner_auth import signed_headers

    endpoint = services.register_endpoint(name="Bench Hotel", legal_name="PT Bench", nib="8120000000001", kind="accommodation",
                                          address="Kuta", website="bench.example.com", contact_name="Bench", contact_email="b@example.com")
    type(endpoint).objects.filter(pk=endpoint.pk).update(status="approved", pks_number="PKS/BENCH")
    key, secret = services.issue_endpoint_key(endpoint, by=None)

    port = _free_port()
    env = {**os.environ, "LEVY_BANKSIM_URL": sim_url, "LEVY_BANKSIM_KEY": "bench-key", "LEVY_PARTNER_RATE_PER_MINUTE": "1000000",
           "PYTHONPATH": os.pathsep.join(sys.path)}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "spbe.config.wsgi:application", "-w", "2", "--threads", "4", "-b", f"127.0.0.1:{port}",
         "--log-level", "warning"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        arrival = (time.strftime("%Y-%m-%d", time.localtime(time.time() + 5 * 86400)))

        def load(kind: str, client_id: int) -> list[float]:
            latencies = []
            with httpx.Client(base_url=base, timeout=30) as client:
                for i in range(requests_per_client):
                    if kind == "healthz":
                        start = time.perf_counter()
                        response = client.get("/healthz")
                    elif kind == "coverage" or i % 5:
                        body = json.dumps({"nationality": "AU", "passport": f"PB{client_id:02d}{i:05d}"}).encode()
                        path = "/api/v1/levy/partner/coverage"
                        start = time.perf_counter()
                        response = client.post(path, content=body, headers={
                            **signed_headers(key.key_id, secret, "POST", path, body), "Content-Type": "application/json"})
                    else:
                        body = json.dumps({"email": "g@example.com", "method": "va", "travellers": [
                            {"full_name": "Guest", "nationality": "JP", "passport": f"TK{client_id:02d}{i:05d}", "arrival_date": arrival}]}).encode()
                        path = "/api/v1/levy/partner/orders"
                        start = time.perf_counter()
                        response = client.post(path, content=body, headers={
                            **signed_headers(key.key_id, secret, "POST", path, body), "Content-Type": "application/json",
                            "Idempotency-Key": f"bench-{client_id}-{i}"})
                    latencies.append((time.perf_counter() - start) * 1000)
                    assert response.status_code in (200, 201), (response.status_code, response.text[:200])
            return latencies

        def run_all(kind):
            with ThreadPoolExecutor(clients) as pool:
                results = list(pool.map(lambda c: load(kind, c), range(clients)))
            return [x for r in results for x in r]

        run_all("healthz")  # warm up workers
        health = run_all("healthz")
        mixed = run_all("mixed")
    finally:
        _stop(server)
    emit(partner_p50_ms=round(statistics.median(mixed), 1), partner_p99_ms=round(_percentile(mixed, 0.99), 1),
         healthz_p50_ms=round(statistics.median(health), 1), healthz_p99_ms=round(_percentile(health, 0.99), 1),
         partner_p50_vs_healthz_p50=round(statistics.median(mixed) / statistics.median(health), 2),
         partner_requests=len(mixed), partner_concurrent_clients=clients)


def _stop(process: subprocess.Popen, grace: float = 10) -> None:
    """Stop a server we started; one that does not stop in time is killed, never waited on forever."""
    process.terminate()
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)


def run(report=None) -> dict:
    """Each figure is reported as soon as it is measured; a failure later keeps the earlier ones."""
    results: dict = {}

    def emit(**figures):
        results.update(figures)
        if report is not None:
            report(**figures)

    sim_port = _free_port()
    sim_url = f"http://127.0.0.1:{sim_port}"
    # The bank simulator in its own process, as in `make run` (it is a separate system).
    sim = subprocess.Popen([sys.executable, "-m", "spbe.manage", "levy_banksim", "--port", str(sim_port)],
                           env={**os.environ, "LEVY_BANKSIM_KEY": "bench-key", "PYTHONPATH": os.pathsep.join(sys.path)},
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        import httpx

        for _ in range(100):
            try:
                httpx.get(f"{sim_url}/sim/deliveries", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        _setup(sim_url)
        baseline = _plain_insert_rate()
        emit(plain_inserts_per_s=round(baseline))
        paid = _paid_orders(sim_url)
        emit(paid_orders_per_s=round(paid, 1), paid_orders_vs_plain_insert=round(paid / baseline, 3),
             paid_orders_target_100_met=paid >= 100)
        emit(voucher_emails_with_pdf_per_s_one_core=round(_voucher_mail_rate(), 1))
        verify, raw = _verifications()
        emit(offline_verifications_per_s_one_core=round(verify), raw_ed25519_verifies_per_s=round(raw),
             verification_vs_raw_ed25519=round(verify / raw, 3), verifications_target_5000_met=verify >= 5000)
        _partner_api(sim_url, emit)
    except Exception as exc:  # report what failed next to what was measured
        emit(error=f"{type(exc).__name__}: {exc}"[:300])
    finally:
        _stop(sim)
    return results


def _voucher_mail_rate(n=100) -> float:
    """The mail queue's work per paid order (voucher PDF + e-mail), measured on its own."""
    from spbe.levy import services
    from spbe.levy.models import Order

    ids = list(Order.objects.filter(vouchers_issued_at__isnull=False).values_list("pk", flat=True)[:n])
    start = time.perf_counter()
    for order_id in ids:
        services.send_order_vouchers(order_id)
    return len(ids) / (time.perf_counter() - start)
