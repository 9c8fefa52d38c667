"""Run one event's server: open the folder and the store, bind, serve until Ctrl-C.

Everything that can fail for a reason the organiser can fix (a damaged database,
a port in use or reserved to root, a folder held by another server) fails here,
before Sanic starts, as a ``PopupError`` that the CLI prints on one line.
"""

from __future__ import annotations

import asyncio
import errno
import gc
import logging
import logging.handlers
import os
import re
import shutil
import signal
import socket
import sys
from dataclasses import dataclass
from pathlib import Path

from sanic import Sanic

from . import domain, folderlock, i18n, qr
from .domain import participants
from .domain.captive import PROBE_ADDRESS
from .errors import PopupError
from .folderlock import take_lock, writable_folder
from .kit import Kit
from .net import dns, hotspot, lan
from .net.mdns import host_name
from .settings import Settings, ensure_token
from .store import Store
from .web.app import create_app
from .web.security import GuardedProtocol, raise_open_files_limit

log = logging.getLogger("popup")


@dataclass
class ServeOptions:
    kit: Kit
    data_dir: Path
    host: str = "0.0.0.0"
    port: int = 8000
    mdns: bool = True
    captive: bool = False
    dns_port: int = 53
    print_banner: bool = True


def prepare_folder(data_dir: Path) -> None:
    """The event folder is private: it holds personal data and the concierge token."""
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(data_dir, 0o700)
    (data_dir / "logs").mkdir(exist_ok=True, mode=0o700)


# Secrets a log line must never hold: a pass or check-in URL's token, a bearer value.
_SECRETS = re.compile(r"(/(?:pass|c)/)[A-Za-z0-9_-]+|(?i:(bearer\s+))[^\s'\",]+")


class RedactingFormatter(logging.Formatter):
    """Formats a record, traceback included, with its secrets replaced by "…"."""

    def format(self, record: logging.LogRecord) -> str:
        return _SECRETS.sub(lambda m: (m.group(1) or m.group(2)) + "…", super().format(record))


class PrivateLogFile(logging.handlers.RotatingFileHandler):
    """The server's log, 0600 like everything else in the event folder (it names
    participants' requests), whatever the umask, after every rotation too."""

    def _open(self):  # type: ignore[no-untyped-def]
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        os.fchmod(fd, 0o600)
        return open(fd, "a", encoding=self.encoding, errors=self.errors)


def setup_logging(data_dir: Path) -> None:
    handler = PrivateLogFile(data_dir / "logs" / "server.log", maxBytes=5 * 1024 * 1024,
                             backupCount=3, encoding="utf-8")
    handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.setLevel(logging.INFO)
    root.addHandler(handler)
    console = logging.StreamHandler(sys.stderr)
    console.setLevel(logging.WARNING)
    console.setFormatter(RedactingFormatter("popup: %(message)s"))
    # Only our own warnings reach the terminal; library lines (Sanic's "PRODUCTION mode"
    # notice on a TTY, its errors) go to the event folder's log alone.
    console.addFilter(logging.Filter("popup"))
    root.addHandler(console)
    for noisy in ("sanic.access", "sanic.root", "sanic.server", "sanic.error"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def keep_kit(kit: Kit, data_dir: Path) -> None:
    """Keep the kit beside the data, so reports after the event know its survey and prices."""
    from .kit import KIT_COPY
    from .settings import write_private

    text = kit.text.rstrip("\n")
    if kit.event.logo:
        # The folder stands alone (a report made later, elsewhere): the logo goes with it.
        logo = Path(kit.event.logo)
        copy = data_dir / f"logo{logo.suffix.lower()}"
        if logo.resolve() != copy.resolve():
            shutil.copyfile(logo, copy)
        text = re.sub(r"(?m)^(\s*logo\s*=\s*).*$", lambda m: f'{m.group(1)}"{copy.name}"', text,
                      count=1)
    write_private(data_dir / KIT_COPY, text)


def privileged_port_fix(port: int) -> str:
    return i18n.translate(
        "Port %(port)s is reserved to root. Fix: run with sudo, or "
        "`sudo setcap cap_net_bind_service=+ep %(python)s`, or "
        "`sudo sysctl net.ipv4.ip_unprivileged_port_start=%(port)s`, or choose --port 8000.",
        {"port": port, "python": os.path.realpath(sys.executable)})


def bind(host: str, port: int, kind: int = socket.SOCK_STREAM) -> socket.socket:
    """Bind a listening socket, turning the usual failures into one clear line."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, kind)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EACCES:
            raise PopupError(privileged_port_fix(port)) from None
        if exc.errno == errno.EADDRINUSE:
            raise PopupError(i18n.translate(
                "Port %(port)s is already in use on %(host)s. Fix: stop the other program "
                "or choose another port with --port.", {"port": port, "host": host})) from None
        if exc.errno == errno.EADDRNOTAVAIL:
            raise PopupError(i18n.translate(
                "This machine has no address %(host)s. Fix: run `popup doctor` to see its "
                "addresses, or use --host 0.0.0.0.", {"host": host})) from None
        raise PopupError(i18n.translate("Cannot listen on %(host)s:%(port)s: %(reason)s",
                                        {"host": host, "port": port,
                                         "reason": exc.strerror})) from None
    if kind == socket.SOCK_STREAM:
        sock.listen(512)
    return sock


def banner(kit: Kit, urls: list[str], token_file: Path) -> str:
    lines = [
        "",
        f"  {kit.event.name.get(i18n.current.get())}",
        "",
        "  " + i18n.gettext("Portal for phones:"),
        *[f"    {u}" for u in urls],
        "",
        qr.terminal(urls[0]),
        "  " + i18n.translate("Concierge token: %(path)s", {"path": str(token_file)}),
        "  " + i18n.gettext("Stop with Ctrl-C: nothing is lost."),
        "",
    ]
    return "\n".join(lines)


def portal_urls(address: str, port: int, mdns: bool, host: str) -> list[str]:
    urls = [lan.url(address, port)]
    if mdns and address not in ("127.0.0.1", "::1"):
        urls.append(lan.url(f"{host}.local", port))
    return urls


def probe_address(host: str) -> str | None:
    """The captive probe address (domain/captive.py), when this laptop holds it and the
    server listens there too (bound to every address)."""
    if lan.every_address(host) and lan.holder_of(PROBE_ADDRESS):
        return PROBE_ADDRESS
    return None


def open_captive_dns(options: ServeOptions, address: str) -> tuple[dns.Responder | None, str]:
    """With --captive, bind the DNS responder to the hotspot's address (say which one
    when --host 0.0.0.0 left the choice to us)."""
    if not options.captive:
        return None, ""
    probe = probe_address(options.host)
    responder, notice = dns.open_responder(address, options.dns_port, probe)
    if probe is None:
        notice += "\n" + i18n.translate(
            "The phones' probe names get the portal's private address: some Android phones "
            "(Samsung) may say \"no internet\" and open no sign-in sheet. Fix: start the "
            "hotspot with popup hotspot --apply (it adds %(probe)s), and keep --host 0.0.0.0.",
            {"probe": PROBE_ADDRESS})
    if lan.every_address(options.host):
        interface = next((name for name, ip in lan.ipv4_addresses() if ip == address), "?")
        notice = i18n.translate("Hotspot address: %(address)s (interface %(interface)s); "
                                "choose another with --host.",
                                {"address": address, "interface": interface}) + "\n" + notice
    return responder, notice


def build(options: ServeOptions, lock: int) -> tuple[Sanic, socket.socket, Store]:
    """Everything up to serving, with the folder's lock held; a PopupError here is the
    organiser's to fix."""
    prepare_folder(options.data_dir)
    ensure_token(options.data_dir)
    keep_kit(options.kit, options.data_dir)
    store = Store.open(options.data_dir, indexes=domain.INDEXES, lock_fd=lock)
    if participants.give_checkin_codes(store):
        store.commit_sync()
    try:
        sock = bind(options.host, options.port)
    except PopupError:
        store.close()
        raise
    address = (hotspot.portal_address(options.host) if options.captive
               else lan.portal_address(options.host))
    try:
        responder, dns_notice = open_captive_dns(options, address)
    except PopupError:
        sock.close()
        store.close()
        raise
    settings = Settings(options.data_dir, lan.url(address, options.port),
                        captive=options.captive)
    settings.concierge_token()  # the last good token, should the file break during the run
    app = create_app(options.kit, store, settings)
    mdns_host = host_name(options.kit.event.slug)
    urls = portal_urls(address, options.port, options.mdns, mdns_host)

    @app.before_server_start
    async def start_dns(app: Sanic) -> None:
        app.ctx.dns = responder
        if responder is not None:
            await responder.start()
        if dns_notice:
            print(dns_notice, file=sys.stderr, flush=True)

    @app.before_server_stop
    async def stop_dns(app: Sanic) -> None:
        if getattr(app.ctx, "dns", None) is not None:
            await app.ctx.dns.stop()

    @app.after_server_start
    async def own_the_signals(app: Sanic) -> None:
        # Sanic ignores SIGINT/SIGTERM between its start-up steps, and a stop asked while
        # its start-up listeners run can be lost: the server would then run on after a
        # Ctrl-C. Record the request here and stop once the server is really serving.
        loop = asyncio.get_running_loop()
        app.ctx.stop_asked = asyncio.Event()
        for number in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(number, app.ctx.stop_asked.set)
        app.ctx.stopper = loop.create_task(_stop_when_asked(app))

    @app.after_server_start
    async def settle_memory(app: Sanic) -> None:
        # The event's documents (12,000 participants: some 50,000 objects) live as long
        # as the server. Left to the cyclic garbage collector, a full collection walks
        # them all (about 50 ms at 12,000 participants, the loop stopped) each time the
        # heap grows by a quarter; frozen after start-up, they are never walked again.
        gc.collect()
        gc.freeze()

    @app.after_server_start
    async def announce(app: Sanic) -> None:
        folderlock.announce(lock, urls[0])
        if options.print_banner:
            print(banner(options.kit, urls, settings.token_file), flush=True)
        log.info("serving %s on %s", options.kit.event.slug, ", ".join(urls))
        app.ctx.mdns = None
        if options.mdns and address not in ("127.0.0.1", "::1"):
            from .net.mdns import Advertiser

            advertiser = Advertiser(options.kit.event.name.fr, address, options.port,
                                    mdns_host)
            if await advertiser.start():
                app.ctx.mdns = advertiser
            else:
                print(i18n.gettext("Warning: mDNS is unavailable here; phones must use the "
                                   "IP address or the QR code."), file=sys.stderr, flush=True)

    @app.before_server_stop
    async def unadvertise(app: Sanic) -> None:
        if getattr(app.ctx, "mdns", None) is not None:
            await app.ctx.mdns.stop()

    @app.after_server_stop
    async def close_store(app: Sanic) -> None:
        app.ctx.store.close()
        log.info("stopped; data saved in %s", options.data_dir)

    return app, sock, store


async def _stop_when_asked(app: Sanic) -> None:
    await app.ctx.stop_asked.wait()
    while not app.state.is_running:  # still inside Sanic's start-up
        await asyncio.sleep(0.05)
    app.stop(terminate=False)


def serve(options: ServeOptions) -> None:
    """Serve until Ctrl-C or SIGTERM (called once per process)."""
    # The lock comes first: a second start on a folder in use writes nothing at all.
    writable_folder(options.data_dir)
    lock = take_lock(options.data_dir)
    prepare_folder(options.data_dir)
    setup_logging(options.data_dir)
    raise_open_files_limit()
    app, sock, _ = build(options, lock)
    app.run(sock=sock, single_process=True, motd=False, access_log=False, debug=False,
            auto_reload=False, protocol=GuardedProtocol)
