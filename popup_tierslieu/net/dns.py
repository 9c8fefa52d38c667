"""The captive DNS: every name points to the laptop, so phones find the portal.

Every A query is answered with the portal's address (``dns.msftncsi.com`` with the
address Windows checks; the OS probe hosts with the probe address when the laptop holds
it, see ``domain/captive.py``), AAAA and every other type with NODATA (the name exists,
no record of that type: phones then use IPv4), over UDP and TCP. The canary names
that switch off Firefox's DNS over HTTPS and Apple's Private Relay get NXDOMAIN. The sockets are
bound to the hotspot's address only: binding 0.0.0.0:53 collides with
systemd-resolved's stub on 127.0.0.53.

Where NetworkManager's hotspot ("shared" mode) already runs its own dnsmasq on
port 53 of that address, we do not fight it: we write the dnsmasq drop-in that
points every name to the laptop and tell the organiser how to reload it.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import os
import socket
import struct
import sys
from pathlib import Path

from dnslib import QTYPE, RCODE, RR, A, DNSRecord
from dnslib.dns import DNSError

from .. import i18n
from ..domain.captive import (
    CANARY_NAMES,
    PROBE_HOSTS,
    WINDOWS_DNS_ADDRESS,
    WINDOWS_DNS_NAME,
    dns_address,
)
from ..errors import PopupError
from .hotspot import CONNECTION

log = logging.getLogger("popup.dns")

TTL = 60  # short: a phone leaving the venue soon forgets the captive answers
TCP_IDLE_SECONDS = 10.0
NM_DNSMASQ_DIR = Path("/etc/NetworkManager/dnsmasq-shared.d")
NM_DROPIN = "popup-captive.conf"


def reply(data: bytes, address: str, probe: str | None = None) -> bytes | None:
    """The answer to one DNS message, or None for something that is not a query."""
    try:
        request = DNSRecord.parse(data)
    except (DNSError, struct.error, IndexError, ValueError):
        return None
    if request.header.qr:  # a response, not a query: never answer it
        return None
    response = request.reply()
    if request.header.opcode != 0:
        response.header.rcode = RCODE.NOTIMP
        return response.pack()
    for question in request.questions:
        name = str(question.qname).rstrip(".").lower()
        if name in CANARY_NAMES:
            response.header.rcode = RCODE.NXDOMAIN
        elif question.qtype == QTYPE.A:
            target = dns_address(name, address, probe)
            response.add_answer(RR(question.qname, QTYPE.A, rdata=A(target), ttl=TTL))
        # AAAA, HTTPS, SVCB and the rest: NOERROR without an answer (NODATA).
    return response.pack()


class _Udp(asyncio.DatagramProtocol):
    def __init__(self, address: str, probe: str | None) -> None:
        self.address = address
        self.probe = probe
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def datagram_received(self, data: bytes, peer: tuple[str, int]) -> None:
        answer = reply(data, self.address, self.probe)
        if answer is not None and self.transport is not None:
            self.transport.sendto(answer, peer)


class Responder:
    """The captive DNS on already bound sockets, served on the server's own loop."""

    def __init__(self, address: str, port: int, udp: socket.socket,
                 tcp: socket.socket, probe: str | None = None) -> None:
        self.address = address
        self.probe = probe
        self.port = port
        self._udp_sock = udp
        self._tcp_sock = tcp
        self._udp: asyncio.DatagramTransport | None = None
        self._tcp: asyncio.Server | None = None

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._udp, _ = await loop.create_datagram_endpoint(
            lambda: _Udp(self.address, self.probe), sock=self._udp_sock)
        self._tcp = await asyncio.start_server(self._tcp_client, sock=self._tcp_sock)
        log.info("captive DNS on %s:%s (UDP and TCP)", self.address, self.port)

    async def _tcp_client(self, reader: asyncio.StreamReader,
                          writer: asyncio.StreamWriter) -> None:
        """RFC 7766: two-byte length, message; several queries per connection."""
        try:
            while True:
                size = struct.unpack("!H", await asyncio.wait_for(
                    reader.readexactly(2), TCP_IDLE_SECONDS))[0]
                data = await asyncio.wait_for(reader.readexactly(size), TCP_IDLE_SECONDS)
                answer = reply(data, self.address, self.probe)
                if answer is None:
                    break
                writer.write(struct.pack("!H", len(answer)) + answer)
                await writer.drain()
        except (asyncio.IncompleteReadError, TimeoutError, ConnectionError):
            pass
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def stop(self) -> None:
        if self._udp is not None:
            self._udp.close()
        if self._tcp is not None:
            self._tcp.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._tcp.wait_closed(), 2)
        for sock in (self._udp_sock, self._tcp_sock):
            sock.close()


def _bind(address: str, port: int, kind: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    sock = socket.socket(family, kind)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((address, port))
    except OSError:
        sock.close()
        raise
    if kind == socket.SOCK_STREAM:
        sock.listen(64)
    else:
        # A crowd joining at once sends its queries in one burst; a larger buffer
        # keeps them instead of dropping them (the kernel caps it at rmem_max).
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    sock.setblocking(False)
    return sock


def nm_dnsmasq_running() -> bool:
    """Whether NetworkManager's hotspot dnsmasq runs (it reads dnsmasq-shared.d)."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if b"dnsmasq" in command and b"dnsmasq-shared.d" in command:
            return True
    return False


def dropin_text(address: str, probe: str | None = None) -> str:
    canaries = "".join(f"address=/{name}/\n" for name in sorted(CANARY_NAMES))  # NXDOMAIN
    probes = "".join(f"address=/{name}/{probe}\n" for name in sorted(PROBE_HOSTS)) \
        if probe else ""
    return (f"# Written by popup (captive portal): every name points to the laptop.\n"
            f"address=/#/{address}\n"
            f"address=/{WINDOWS_DNS_NAME}/{WINDOWS_DNS_ADDRESS}\n" + probes + canaries)


def write_dropin(address: str, folder: Path = NM_DNSMASQ_DIR, probe: str | None = None) -> str:
    """Write the dnsmasq drop-in for NetworkManager's hotspot; the message says what
    the organiser does next (one command, or the file to write with sudo)."""
    path = folder / NM_DROPIN
    reload = (f"sudo nmcli connection down {CONNECTION} && "
              f"sudo nmcli connection up {CONNECTION}")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        path.write_text(dropin_text(address, probe), encoding="utf-8")
        os.chmod(path, 0o644)
    except OSError:
        return i18n.translate(
            "NetworkManager's hotspot already answers DNS on %(address)s:53. Fix: write "
            "%(path)s containing `address=/#/%(address)s` (with sudo), then reload it: "
            "%(command)s", {"address": address, "path": str(path), "command": reload})
    return i18n.translate(
        "NetworkManager's hotspot already answers DNS on %(address)s:53: %(path)s now points "
        "every name to the laptop. Reload the hotspot once: %(command)s",
        {"address": address, "path": str(path), "command": reload})


def open_responder(address: str, port: int,
                   probe: str | None = None) -> tuple[Responder | None, str]:
    """Bind the captive DNS (UDP and TCP) before the server starts. Returns the
    responder, or None with a notice when NetworkManager's dnsmasq does the job.
    Raises PopupError (one line, with the fix) when it cannot be done."""
    udp = tcp = None
    try:
        udp = _bind(address, port, socket.SOCK_DGRAM)
        tcp = _bind(address, port, socket.SOCK_STREAM)
    except OSError as exc:
        if udp is not None:
            udp.close()
        if exc.errno == errno.EACCES:
            raise PopupError(
                "DNS port %(port)s is reserved to root. Fix: run with sudo, or "
                "`sudo setcap cap_net_bind_service=+ep %(python)s`, or "
                "`sudo sysctl net.ipv4.ip_unprivileged_port_start=%(port)s`, or choose "
                "--dns-port 5353.",
                params={"port": port, "python": os.path.realpath(sys.executable)}) from None
        if exc.errno == errno.EADDRINUSE:
            if port == 53 and nm_dnsmasq_running():
                return None, write_dropin(address, probe=probe)
            raise PopupError(
                "DNS port %(port)s is already in use on %(address)s. Fix: run `popup doctor` "
                "to see which program holds it, or choose --dns-port.",
                params={"port": port, "address": address}) from None
        if exc.errno == errno.EADDRNOTAVAIL:
            raise PopupError(
                "This machine has no address %(host)s. Fix: run `popup doctor` to see its "
                "addresses, or use --host 0.0.0.0.", params={"host": address}) from None
        raise PopupError("Cannot listen on %(host)s:%(port)s: %(reason)s",
                         params={"host": address, "port": port,
                                 "reason": exc.strerror}) from None
    return Responder(address, port, udp, tcp, probe), i18n.translate(
        "Captive DNS: every name points to %(address)s (port %(port)s, UDP and TCP).",
        {"address": address, "port": port})
