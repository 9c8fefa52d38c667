"""Phones that really get the portal: the captive DNS answers the OS probe host names
with the probe address (TEST-NET-1, not private in a phone's eyes) and every other name
with the portal's private address. The real responder on loopback, on a high port."""

from __future__ import annotations

import asyncio

from dnslib import DNSRecord

from popup_tierslieu.domain.captive import PROBE_ADDRESS
from popup_tierslieu.kit import Wifi
from popup_tierslieu.net import dns, hotspot

from ..conftest import free_port

PROBE_NAMES = ("connectivitycheck.gstatic.com", "www.google.com", "captive.apple.com",
               "www.msftconnecttest.com", "detectportal.firefox.com", "nmcheck.gnome.org",
               "connect.rom.miui.com")


def resolve(name: str, port: int, tcp: bool) -> list[str]:
    packet = DNSRecord.question(name, "A").send("127.0.0.1", port, tcp=tcp, timeout=3)
    return [str(rr.rdata) for rr in DNSRecord.parse(packet).rr]


async def answers(probe: str | None) -> dict[tuple[str, bool], list[str]]:
    port = free_port()
    responder, _notice = dns.open_responder("127.0.0.1", port, probe)
    await responder.start()
    try:
        return {(name, tcp): await asyncio.to_thread(resolve, name, port, tcp)
                for name in (*PROBE_NAMES, "example.org", "dns.msftncsi.com")
                for tcp in (False, True)}
    finally:
        await responder.stop()


async def test_probe_hosts_get_the_probe_address_and_the_rest_the_portal():
    seen = await answers(PROBE_ADDRESS)
    for tcp in (False, True):
        for name in PROBE_NAMES:
            assert seen[name, tcp] == ["192.0.2.1"], (name, tcp)
        assert seen["example.org", tcp] == ["127.0.0.1"]
        assert seen["dns.msftncsi.com", tcp] == ["131.107.255.255"]


async def test_without_the_probe_address_every_name_gets_the_portal():
    seen = await answers(None)
    assert {tuple(v) for (name, _tcp), v in seen.items() if name != "dns.msftncsi.com"} == {
        ("127.0.0.1",)}


def test_the_hotspot_and_its_dnsmasq_carry_the_probe_address():
    (add,) = [c for c in hotspot.start_commands(
        Wifi("TiersLieu", "changez-moi-2026", "WPA"), "wlan0") if "add" in c]
    # The shared address stays first: NetworkManager's DHCP and DNS serve from it.
    assert add[add.index("ipv4.addresses") + 1] == "10.42.0.1/24,192.0.2.1/32"
    assert "dhcp-option" not in " ".join(add)  # no RFC 8910 captive-portal option
    dropin = dns.dropin_text("10.42.0.1", PROBE_ADDRESS)
    assert "address=/#/10.42.0.1\n" in dropin
    assert "address=/connectivitycheck.gstatic.com/192.0.2.1\n" in dropin
    assert "192.0.2.1" not in dns.dropin_text("10.42.0.1")

