"""``popup doctor``: is this laptop ready to be the venue's hotspot and portal?

It only looks (interfaces, sockets it binds and closes at once, processes in
/proc); it changes nothing and sends no packet.
"""

from __future__ import annotations

import contextlib
import errno
import os
import socket
import struct
from dataclasses import dataclass
from pathlib import Path

from .. import i18n
from ..domain.captive import PROBE_ADDRESS
from . import hotspot, lan

MDNS_GROUP = "224.0.0.251"
# Socket states in /proc/net/tcp: 0A is LISTEN; UDP sockets bound to a port are 07.
LISTENING = {"tcp": "0A", "udp": "07"}


@dataclass(frozen=True)
class Finding:
    ok: bool
    text: str
    fix: str = ""


def processes() -> dict[int, str]:
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                found[int(entry.name)] = (entry / "comm").read_text().strip()
    return found


def holders(port: int, proto: str) -> list[str]:
    """Names of the processes that hold ``port`` (tcp listening, or udp bound)."""
    inodes = set()
    for table in (f"/proc/net/{proto}", f"/proc/net/{proto}6"):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                fields = line.split()
                if int(fields[1].rsplit(":", 1)[1], 16) == port and \
                        fields[3] == LISTENING[proto]:
                    inodes.add(fields[9])
    names = set()
    for pid, name in processes().items():
        with contextlib.suppress(OSError):
            for fd in os.listdir(f"/proc/{pid}/fd"):
                link = os.readlink(f"/proc/{pid}/fd/{fd}")
                if link.startswith("socket:[") and link[8:-1] in inodes:
                    names.add(name)
    return sorted(names)


def bind_error(address: str, port: int, kind: int) -> int | None:
    """The errno of binding ``address:port`` (None if it can be bound); closed at once."""
    with socket.socket(socket.AF_INET, kind) as sock:
        try:
            sock.bind((address, port))
        except OSError as exc:
            return exc.errno
    return None


def multicast_works(address: str) -> bool:
    """Whether this interface can join the mDNS group (nothing is sent)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        try:
            sock.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP,
                            struct.pack("4s4s", socket.inet_aton(MDNS_GROUP),
                                        socket.inet_aton(address)))
        except OSError:
            return False
    return True


def _port(address: str, port: int, proto: str) -> Finding:
    kind = socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM
    params = {"port": port, "proto": proto, "address": address}
    error = bind_error(address, port, kind)
    if error is None:
        return Finding(True, i18n.translate("Port %(port)s/%(proto)s is free on %(address)s.",
                                            params))
    if error == errno.EACCES:
        return Finding(False, i18n.translate(
            "Port %(port)s/%(proto)s is reserved to root.", params), i18n.translate(
            "run popup with sudo, or `sudo setcap cap_net_bind_service=+ep` on Python, or "
            "`sudo sysctl net.ipv4.ip_unprivileged_port_start=%(port)s`.", params))
    if error == errno.EADDRINUSE:
        held = holders(port, proto)
        params["who"] = ", ".join(held) or "?"
        text = i18n.translate("Port %(port)s/%(proto)s on %(address)s is held by %(who)s.",
                              params)
        if port == 53 and "dnsmasq" in held:
            return Finding(True, text, i18n.translate(
                "NetworkManager's hotspot answers DNS: popup up --captive writes its dnsmasq "
                "drop-in and tells you the command to reload it.", params))
        return Finding(False, text, i18n.translate(
            "stop that program, or serve another port (--port, --dns-port).", params))
    return Finding(False, i18n.translate("Port %(port)s/%(proto)s cannot be bound on "
                                         "%(address)s: %(reason)s",
                                         {**params, "reason": os.strerror(error)}))


def probe_finding(interface: str) -> Finding:
    """Whether the laptop holds the address the captive DNS gives the OS probe hosts."""
    holder = lan.holder_of(PROBE_ADDRESS)
    params = {"probe": PROBE_ADDRESS, "interface": holder or interface}
    if holder:
        return Finding(True, i18n.translate(
            "Captive probe address %(probe)s is on %(interface)s: phones' connectivity checks "
            "reach a public-looking address, then the portal.", params))
    return Finding(False, i18n.translate(
        "No captive probe address %(probe)s on this laptop: some Android phones (Samsung) "
        "will say \"no internet\" and open no sign-in sheet.", params), i18n.translate(
        "popup hotspot --apply adds it, or: sudo ip addr add %(probe)s/32 dev %(interface)s",
        params))


def checks() -> list[Finding]:
    found: list[Finding] = []
    running = set(processes().values())
    chosen = hotspot.address()
    wireless = hotspot.wireless_interfaces()
    found.append(Finding(bool(wireless), i18n.translate(
        "Wi-Fi interfaces: %(names)s", {"names": ", ".join(wireless) or "-"}),
        "" if wireless else i18n.gettext("plug in a Wi-Fi adapter that supports access "
                                         "point mode.")))
    if chosen is None:
        found.append(Finding(False, i18n.gettext("No network address besides loopback."),
                             i18n.gettext("start the hotspot: popup hotspot --apply")))
        return found
    interface, address = chosen
    in_shared = address.startswith("10.42.")
    found.append(Finding(in_shared, i18n.translate(
        "Hotspot address: %(address)s on %(interface)s.",
        {"address": address, "interface": interface}),
        "" if in_shared else i18n.gettext(
            "no NetworkManager hotspot is up (10.42.x.x): start it with popup hotspot "
            "--apply, or give the address with popup up --host.")))
    for port, proto in ((80, "tcp"), (53, "udp"), (53, "tcp")):
        found.append(_port(address, port, proto))
    found.append(probe_finding(interface))
    manager = "NetworkManager" in running
    found.append(Finding(manager, i18n.gettext("NetworkManager is running.") if manager
                         else i18n.gettext("NetworkManager is not running."),
        "" if manager else i18n.gettext(
            "start the hotspot by other means (hostapd and a DHCP server), then popup up "
            "--captive --host <its address>.")))
    if "systemd-resolve" in running:
        found.append(Finding(True, i18n.gettext(
            "systemd-resolved holds 127.0.0.53:53 only; popup binds its DNS to the hotspot "
            "address, so they do not collide.")))
    if "avahi-daemon" in running:
        found.append(Finding(True, i18n.gettext(
            "avahi-daemon announces the laptop's name; popup announces the event's own "
            "name beside it.")))
    multicast = multicast_works(address)
    where = {"interface": interface}
    found.append(Finding(multicast, i18n.translate(
        "Multicast (mDNS) works on %(interface)s.", where) if multicast else i18n.translate(
        "Multicast (mDNS) is unavailable on %(interface)s.", where),
        "" if multicast else i18n.gettext("phones will use the IP address or the QR code.")))
    return found


def report(findings: list[Finding]) -> str:
    lines = []
    for finding in findings:
        lines.append(("✔ " if finding.ok else "✘ ") + finding.text)
        if finding.fix:
            lines.append("    → " + i18n.gettext("To do:") + " " + finding.fix)
    return "\n".join(lines)
