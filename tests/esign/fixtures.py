"""TTE fixtures: one test PKI per session (CRL/OCSP/TSA on loopback), a fake BSrE, SoftHSM."""

from __future__ import annotations

import io
import os
import shutil
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from spbe.esign.bsre_fake import FakeBsre
from spbe.esign.pki import TestPki
from spbe.esign.pkiserver import PkiServer

PASSPHRASE = "kata-sandi-rahasia-77"
SOFTHSM_LIB = "/usr/lib/softhsm/libsofthsm2.so"
SOFTHSM_PIN = "5678"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class EsignEnv:
    pki: TestPki
    bsre: FakeBsre
    bsre_url: str
    softhsm_conf: str | None
    pki_server: PkiServer | None = None


@pytest.fixture(scope="session")
def esign_env(tmp_path_factory):
    for tool in ("qpdf", "pdfsig", "pdftoppm", "softhsm2-util"):
        if not shutil.which(tool):
            pytest.fail(f"{tool} is missing; run `make test` (it installs qpdf, poppler-utils and softhsm2 with apt)")
    root = tmp_path_factory.mktemp("esign")
    port = _free_port()
    pki = TestPki.create(root / "pki", f"http://127.0.0.1:{port}")
    server = PkiServer(pki)
    server.start(port=port)
    bsre = FakeBsre(pki)
    for label in ("gubernur", "sekda", "kadis"):
        bsre.enroll(label, PASSPHRASE)
    bsre.enroll("pensiun", PASSPHRASE, status="REVOKE")
    bsre_url = bsre.start()
    # SoftHSM token with the institutional seal key (PKCS#8 PEM import).
    tokens = root / "tokens"
    tokens.mkdir()
    conf = root / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {tokens}\nobjectstore.backend = file\nlog.level = ERROR\n")
    env = {**os.environ, "SOFTHSM2_CONF": str(conf)}
    subprocess.run(["softhsm2-util", "--init-token", "--free", "--label", "spbe-seal", "--pin", SOFTHSM_PIN, "--so-pin", "12345678"],
                   check=True, env=env, capture_output=True)
    subprocess.run(["softhsm2-util", "--import", str(pki.path("seal.key.pem")), "--token", "spbe-seal", "--label", "seal",
                    "--id", "01", "--pin", SOFTHSM_PIN], check=True, env=env, capture_output=True)
    os.environ["SOFTHSM2_CONF"] = str(conf)
    yield EsignEnv(pki, bsre, bsre_url, str(conf), server)
    bsre.stop()
    server.stop()


@pytest.fixture
def esign(esign_env, settings):
    pki = esign_env.pki
    settings.ESIGN_TRUST_ROOTS = [str(pki.path("root.pem"))]
    settings.ESIGN_TSA_URL = pki.tsa_url()
    settings.ESIGN_PKCS12_PATH = str(pki.path("kadis.p12"))
    settings.ESIGN_PKI_DIR = pki.dir
    settings.ESIGN_PKCS12_PASSWORD = "uji-only"
    settings.ESIGN_PKCS11_LIB = SOFTHSM_LIB
    settings.ESIGN_PKCS11_TOKEN = "spbe-seal"
    settings.ESIGN_PKCS11_PIN = SOFTHSM_PIN
    settings.ESIGN_PKCS11_KEY_LABEL = "seal"
    settings.ESIGN_SEAL_CERT = str(pki.path("seal.pem"))
    settings.ESIGN_SEAL_CHAIN = [str(pki.path("bsre.pem")), str(pki.path("root.pem"))]
    settings.ESIGN_BSRE_URL = esign_env.bsre_url
    settings.ESIGN_BSRE_CLIENT_ID = esign_env.bsre.client_id
    settings.ESIGN_BSRE_CLIENT_SECRET = esign_env.bsre.client_secret
    settings.ESIGN_BSRE_API_VERSION = "v2"
    from django.utils import translation

    with translation.override("en"):
        yield esign_env


def letter(pages: int = 1, text: str = "Surat uji") -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    for page in range(pages):
        pdf.drawString(72, 760, f"{text} — halaman {page + 1}")
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path
