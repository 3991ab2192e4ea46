"""TTE signing throughput: our signer (parsed key kept, fixed reserved size) against pyHanko's
stock ``SimpleSigner`` in the same run, PAdES B-B on the same one-page letter, one core.
Also B-T (with the loopback TSA) and a verification rate for scale."""

from __future__ import annotations

import io
import socket
import statistics
import tempfile
import time
from pathlib import Path


def _letter() -> bytes:
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    pdf.drawString(72, 760, "Surat uji benchmark")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _rate(fn, n: int) -> tuple[float, float]:
    fn()  # warm up
    times = []
    start = time.perf_counter()
    for _ in range(n):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return n / (time.perf_counter() - start), statistics.median(times) * 1000


def run(n: int = 60) -> dict:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    from spbe.esign import pades
    from spbe.esign.pki import PKCS12_PASSWORD, TestPki
    from spbe.esign.pkiserver import PkiServer
    from spbe.esign.verify import verify_pdf

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    pki = TestPki.create(Path(tempfile.mkdtemp(prefix="spbe-bench-pki-")), f"http://127.0.0.1:{port}")
    server = PkiServer(pki)
    server.start(port=port)
    pdf = _letter()
    p12 = pki.path("kadis.p12").read_bytes()
    stock = signers.SimpleSigner.load_pkcs12_data(p12, other_certs=None, passphrase=PKCS12_PASSWORD)
    ours = pades.CachedKeySigner.from_pkcs12(p12, PKCS12_PASSWORD)

    def stock_sign():
        meta = signers.PdfSignatureMetadata(field_name="Signature1", md_algorithm="sha256", subfilter=fields.SigSeedSubFilter.PADES)
        return signers.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf)), meta, signer=stock).getvalue()

    def our_sign():
        return pades.sign_pdf(pdf, ours, pades.SignOptions(level="B-B"))

    def our_sign_bt():
        return pades.sign_pdf(pdf, ours, pades.SignOptions(level="B-T", tsa_url=pki.tsa_url()))

    try:
        stock_rate, stock_ms = _rate(stock_sign, max(10, n // 3))
        our_rate, our_ms = _rate(our_sign, n)
        bt_rate, bt_ms = _rate(our_sign_bt, max(10, n // 3))
        signed = our_sign()
        roots = [pades.to_asn1(pki.cert("root"))]
        verify_rate, verify_ms = _rate(lambda: verify_pdf(signed, roots, allow_fetching=False), max(10, n // 3))
        assert verify_pdf(signed, roots, allow_fetching=False).valid and verify_pdf(stock_sign(), roots, allow_fetching=False).valid
    finally:
        server.stop()
    return {
        "stock_pyhanko_signatures_per_s": round(stock_rate, 1),
        "stock_pyhanko_median_ms": round(stock_ms, 1),
        "our_signatures_per_s_B_B": round(our_rate, 1),
        "our_median_ms_B_B": round(our_ms, 1),
        "speedup_vs_stock": round(our_rate / stock_rate, 2),
        "speedup_target_5x_met": our_rate / stock_rate >= 5,
        "our_signatures_per_s_B_T_loopback_tsa": round(bt_rate, 1),
        "verifications_per_s_offline": round(verify_rate, 1),
    }
