"""The demo's websites are loopback copies: loading the demo data points them there, and a demo
scan finds the two infected ones without touching a real server."""

from __future__ import annotations

import socket

import pytest
from django.core.management import call_command

from spbe.inventory import services as inventory
from spbe.webscan import demosites, services
from spbe.webscan.models import Finding

from tests.support.servers import allow_outbound


def _free_block(size: int) -> int:
    """A first port with ``size`` free ports after it."""
    for base in range(20000, 60000, 97):
        sockets = []
        try:
            for offset in range(size):
                probe = socket.socket()
                probe.bind(("127.0.0.1", base + offset))
                sockets.append(probe)
            return base
        except OSError:
            continue
        finally:
            for probe in sockets:
                probe.close()
    raise RuntimeError("no free port block")


def test_every_demo_site_has_a_port_the_development_settings_allow(settings):
    assert len(demosites.DEMO_SITES) <= settings.WEBSCAN_DEMO_PORTS


@pytest.mark.django_db
def test_a_demo_scan_finds_the_two_infected_sites_and_nothing_else(settings, django_capture_on_commit_callbacks):
    settings.WEBSCAN_DEMO_PORT = _free_block(len(demosites.DEMO_SITES))
    settings.WEBSCAN_REQUEST_INTERVAL = 0.0  # politeness towards real servers; these are ours
    call_command("load_demo_data", "--password", "demo-pass-123", verbosity=0)
    websites = {w.domain: w for w in inventory.websites_to_scan()}
    for site in demosites.DEMO_SITES:
        assert websites[site.domain].base_url == demosites.base_url(site)  # never the real domain
        allow_outbound(settings, "webscan", demosites.base_url(site))

    with demosites.DemoSites():
        for site in demosites.DEMO_SITES:
            with django_capture_on_commit_callbacks(execute=True):
                run = services.request_scan(websites[site.domain])
            run.refresh_from_db()
            assert run.status == run.Status.FINISHED, (site.domain, run.error)

    infected = {f.website.domain: f for f in Finding.objects.select_related("website")}
    assert set(infected) == {"disparda.baliprov.go.id", "disbud.baliprov.go.id"}
    techniques = {t for f in Finding.objects.all() for t in f.techniques}
    assert {"hidden_links", "cloaking", "script_injection"} <= techniques
    doorway = Finding.objects.filter(url__endswith="/promo/slot-gacor-hari-ini")
    assert doorway.exists()
    # the anti-judol article on the Diskominfos site is not a finding
    assert not Finding.objects.filter(website__domain="diskominfos.baliprov.go.id").exists()

    # loading the demo again keeps the loopback addresses
    call_command("load_demo_data", "--password", "demo-pass-123", verbosity=0)
    assert inventory.websites_to_scan().get(domain="disbud.baliprov.go.id").base_url == demosites.base_url(
        demosites.site_for("disbud.baliprov.go.id"))
