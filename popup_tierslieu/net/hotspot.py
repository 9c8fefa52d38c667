"""The laptop as the venue's Wi-Fi hotspot, with NetworkManager: which address the
hotspot has, and the ``nmcli`` commands that start and stop it."""

from __future__ import annotations

import ipaddress
import shutil
from pathlib import Path

from ..domain.captive import PROBE_ADDRESS
from ..kit import Wifi
from . import lan

CONNECTION = "popup-hotspot"
# NetworkManager's "shared" mode gives the hotspot 10.42.0.1/24 unless told otherwise.
NM_SHARED = ipaddress.ip_network("10.42.0.0/16")
NM_DEFAULT_ADDRESS = "10.42.0.1"
SYS_NET = Path("/sys/class/net")


def wireless_interfaces() -> list[str]:
    return sorted(p.name for p in SYS_NET.iterdir() if (p / "wireless").exists()) \
        if SYS_NET.is_dir() else []


def address() -> tuple[str, str] | None:
    """(interface, address) of the hotspot: NetworkManager's shared range first, then a
    Wi-Fi interface's address, then the first private address."""
    found = lan.ipv4_addresses()
    wireless = set(wireless_interfaces())
    for rank in (lambda i, a: ipaddress.ip_address(a) in NM_SHARED,
                 lambda i, a: i in wireless,
                 lambda i, a: True):
        for interface, ip in found:
            if rank(interface, ip):
                return interface, ip
    return None


def portal_address(host: str) -> str:
    """The address phones use for a captive server bound to ``host``."""
    if lan.every_address(host):
        chosen = address()
        return chosen[1] if chosen else "127.0.0.1"
    return host


def start_commands(wifi: Wifi, interface: str) -> list[list[str]]:
    """Create (afresh) and start a NetworkManager hotspot with the kit's Wi-Fi."""
    security: list[str] = []
    if wifi.security == "WPA":
        security = ["wifi-sec.key-mgmt", "wpa-psk", "wifi-sec.psk", wifi.password]
    elif wifi.security == "WEP":
        security = ["wifi-sec.key-mgmt", "none", "wifi-sec.wep-key0", wifi.password]
    return [
        ["nmcli", "connection", "delete", CONNECTION],
        ["nmcli", "connection", "add", "type", "wifi", "ifname", interface,
         "con-name", CONNECTION, "autoconnect", "no", "ssid", wifi.ssid,
         "802-11-wireless.mode", "ap", "802-11-wireless.band", "bg",
         "802-11-wireless.hidden", "yes" if wifi.hidden else "no",
         # The shared address first (NetworkManager's DHCP and DNS use it), then the
         # captive probe address (domain/captive.py) that phones reach through it.
         "ipv4.method", "shared", "ipv4.addresses",
         f"{NM_DEFAULT_ADDRESS}/24,{PROBE_ADDRESS}/32", "ipv6.method", "disabled", *security],
        ["nmcli", "connection", "up", CONNECTION],
    ]


def stop_commands() -> list[list[str]]:
    return [["nmcli", "connection", "down", CONNECTION]]


def nmcli_available() -> bool:
    return shutil.which("nmcli") is not None
