"""The outbound guard: no server-side request reaches loopback, private, link-local or metadata
addresses unless allow-listed for its purpose, on any hop; decompression is bounded."""

from __future__ import annotations

import gzip
import io
import re
import socket
import zipfile
from pathlib import Path

import httpx
import pytest

from spbe.core import outbound
from spbe.core.loopback import LoopbackServer, QuietHandler
from spbe.core.uploads import zip_within_limits
from tests.support.servers import allow_outbound


class Recorder(QuietHandler):
    hits: list = []
    redirect_to = ""

    def do_GET(self):  # noqa: N802
        type(self).hits.append(self.path)
        if self.redirect_to:
            self.send_response(302)
            self.send_header("Location", self.redirect_to)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_body(200, "<html><body>ok</body></html>", "text/html")

    do_POST = do_GET


@pytest.fixture
def target():
    Recorder.hits, Recorder.redirect_to = [], ""
    server = LoopbackServer(Recorder)
    url = server.start()
    yield url
    server.stop()


def _infos(*addresses):
    return [(socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, 443)) for a in addresses]


@pytest.mark.parametrize("address", [
    "127.0.0.1", "10.10.1.11", "172.16.0.9", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0",
    "224.0.0.1", "::1", "fd00:ec2::254", "fe80::1", "::ffff:127.0.0.1",
])
def test_non_public_addresses_are_refused(address, settings):
    with pytest.raises(outbound.OutboundRefused):
        outbound.choose_address("evil.example", 443, _infos(address), "webscan")


def test_public_addresses_pass_and_a_name_with_any_private_answer_is_refused():
    assert outbound.choose_address("bali.example", 443, _infos("36.86.63.182"), "webscan") == "36.86.63.182"
    # DNS answering with a public and a private address: the private one could be chosen at connect.
    with pytest.raises(outbound.OutboundRefused):
        outbound.choose_address("rebind.example", 443, _infos("36.86.63.182", "10.0.0.5"), "webscan")


def test_allow_list_is_per_purpose_and_metadata_needs_an_exact_entry(settings):
    settings.OUTBOUND_ALLOW = {"wazuh": ["10.10.0.0/16"], "webscan": []}
    assert outbound.choose_address("indexer", 9200, _infos("10.10.1.50"), "wazuh") == "10.10.1.50"
    with pytest.raises(outbound.OutboundRefused):
        outbound.choose_address("indexer", 9200, _infos("10.10.1.50"), "webscan")
    settings.OUTBOUND_ALLOW = {"wazuh": ["169.254.0.0/16"]}
    assert outbound.choose_address("md", 80, _infos("169.254.169.254"), "wazuh")  # an admin's explicit choice


@pytest.mark.django_db
def test_a_website_registered_with_a_loopback_address_is_not_scanned(world, target, django_capture_on_commit_callbacks):
    """Pen-test probe: a website whose base URL is the bank simulator made the scanner call it."""
    from spbe.inventory import services as inventory
    from spbe.inventory.models import Website
    from spbe.webscan import services

    website = inventory.create_asset(Website, agency=world.agency_a, name="Bank?", domain="bank.test", base_url=target)
    with django_capture_on_commit_callbacks(execute=True):
        run = services.request_scan(website)
    run.refresh_from_db()
    assert Recorder.hits == []
    assert run.status == "failed" and "not a public address" in run.error


def test_a_redirect_to_a_private_address_is_refused_on_that_hop(settings, target):
    """The first hop is allowed; it redirects to another loopback port that is not."""
    other = LoopbackServer(Recorder)
    other_url = other.start()
    try:
        allow_outbound(settings, "webscan", target)
        Recorder.redirect_to = other_url + "/internal"
        with outbound.client("webscan", follow_redirects=True) as client, pytest.raises(outbound.OutboundRefused):
            client.get(target)
        assert Recorder.hits == ["/"]  # the redirect target was never contacted
    finally:
        other.stop()


def test_webhook_targets_on_private_addresses_are_refused(target):
    with pytest.raises(httpx.TransportError):
        outbound.post("webhooks", target, content=b"{}")
    assert Recorder.hits == []


def test_connections_go_to_the_checked_address(settings, target, monkeypatch):
    """A name that resolves differently at connect time still reaches the checked address."""
    allow_outbound(settings, "webscan", target)
    port = int(target.rsplit(":", 1)[1])
    settings.OUTBOUND_ALLOW = {"webscan": [f"example.test:{port}"]}
    real = socket.getaddrinfo
    looked_up = []

    def resolver(host, *args, **kwargs):
        looked_up.append(host)
        if host == "example.test":  # the name resolves once; connecting uses the checked address
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    with outbound.client("webscan") as client:
        response = client.get(f"http://example.test:{port}/page")
    assert response.status_code == 200 and Recorder.hits == ["/page"]
    assert looked_up.count("example.test") == 1


def test_a_gzip_sitemap_bomb_is_not_inflated_beyond_the_cap():
    bomb = gzip.compress(b"\0" * (201 * 1024 * 1024), compresslevel=9)
    assert len(bomb) < 250 * 1024
    with pytest.raises(outbound.TooLarge):
        outbound.inflate_capped(bomb, 50 * 1024 * 1024)
    from spbe.webscan.crawler import _sitemap_locs

    assert _sitemap_locs(bomb) == ([], [])


def test_a_gzip_encoded_response_is_read_only_up_to_the_cap(settings):
    bomb = gzip.compress(b"A" * (100 * 1024 * 1024), compresslevel=9)

    class Bomb(QuietHandler):
        def do_GET(self):  # noqa: N802
            self.send_body(200, bomb, "text/html", headers={"Content-Encoding": "gzip"})

    server = LoopbackServer(Bomb)
    url = server.start()
    try:
        allow_outbound(settings, "webscan", url)
        with outbound.client("webscan") as client, client.stream("GET", url) as response:
            body, cut = outbound.read_capped(response, 5 * 1024 * 1024)
        assert cut and len(body) == 5 * 1024 * 1024
    finally:
        server.stop()


def test_office_zip_bombs_are_not_documents():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"\0" * (300 * 1024 * 1024))
    assert not zip_within_limits(buffer.getvalue())
    from spbe.evaluation.evidence import EvidenceRejected, check_upload

    with pytest.raises(EvidenceRejected):
        check_upload("bukti.docx", buffer.getvalue())


def test_every_server_side_request_goes_through_the_guard():
    """No module builds its own HTTP client (the bank simulator is the bank, not the platform)."""
    src = Path(__file__).resolve().parents[2] / "src" / "spbe"
    pattern = re.compile(r"httpx\.(Client|AsyncClient|get|post|put|request|stream)\(|urllib\.request\.urlopen|aiohttp\.ClientSession\(")
    offenders = []
    for path in src.rglob("*.py"):
        if path.name in ("outbound.py",) or path.name == "banksim.py":
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if pattern.search(line):
                offenders.append(f"{path.relative_to(src)}:{number}: {line.strip()}")
    assert not offenders, offenders
