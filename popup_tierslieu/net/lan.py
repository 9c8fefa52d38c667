"""The laptop's addresses on the venue's network, read from its interfaces (no traffic)."""

from __future__ import annotations

import ipaddress
import socket

import ifaddr

from ..domain.captive import PROBE_ADDRESS


def all_ipv4() -> list[tuple[str, str]]:
    return [(adapter.nice_name, ip.ip) for adapter in ifaddr.get_adapters()
            for ip in adapter.ips if isinstance(ip.ip, str)]


def ipv4_addresses() -> list[tuple[str, str]]:
    """(interface, address) for every IPv4 address that is not loopback or link-local,
    nor the captive probe address (phones never use it to reach the portal)."""
    found = []
    for interface, ip in all_ipv4():
        address = ipaddress.ip_address(ip)
        if address.is_loopback or address.is_link_local or ip == PROBE_ADDRESS:
            continue
        found.append((interface, ip))
    # Private LAN ranges first: the hotspot is one of them.
    return sorted(found, key=lambda item: (not ipaddress.ip_address(item[1]).is_private,
                                           item[0]))


def primary_address() -> str | None:
    addresses = ipv4_addresses()
    return addresses[0][1] if addresses else None


def holder_of(address: str) -> str | None:
    """The interface that holds ``address``, or None."""
    return next((interface for interface, ip in all_ipv4() if ip == address), None)


def hostname() -> str:
    return socket.gethostname().split(".")[0] or "popup"


def every_address(host: str) -> bool:
    """Whether a server bound to ``host`` listens on every address of the laptop."""
    return host in ("0.0.0.0", "", "::")


def portal_address(host: str) -> str:
    """The address phones should use for a server bound to ``host``."""
    if every_address(host):
        return primary_address() or "127.0.0.1"
    return host


def url(address: str, port: int) -> str:
    if ":" in address:
        address = f"[{address}]"
    return f"http://{address}" + ("" if port == 80 else f":{port}")
