"""The ``popup`` command. Each subcommand parses, builds the core object, hands over;
an error the user can fix is one line on stderr and a non-zero exit, never a traceback."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from . import i18n
from .cli_words import speak_the_current_language
from .errors import N_, PopupError
from .folderlock import in_use, lock_holder, writable_folder
from .kit import KIT_COPY, Kit, default_kit, load, parse, starter_text
from .settings import PRINTS, TOKEN_FILE, read_token

_ = i18n.gettext
DATA_ROOT = Path("popup-data")
T = TypeVar("T")
# Said when the token of a running server cannot be read: deleting it would lock every
# desk out until the server restarts, so the way round is the token itself.
UNREADABLE_RUNNING_TOKEN = N_("Cannot read the concierge token %(path)s. Fix: make it a file "
                              "you can read (chmod 600, owned by the user who runs popup), or "
                              "open the console with popup console --url %(url)s --token "
                              "TOKEN.")


class Fail(PopupError):
    """A command-line error: printed as one line, exit status 1."""


def choose_language() -> None:
    lang = os.environ.get("POPUP_LANG", "fr")
    i18n.current.set(lang if lang in i18n.LANGUAGES else "fr")


def load_kit(path: str | None) -> Kit:
    return load(path) if path else default_kit()


def data_dir(kit: Kit, given: str | None) -> Path:
    return Path(given) if given else DATA_ROOT / kit.event.slug


def find_token_dir(given: str | None) -> Path:
    """The event folder whose token the console uses when none is given."""
    if given:
        return Path(given)
    found = sorted(p.parent for p in DATA_ROOT.glob("*/concierge.token"))
    if len(found) == 1:
        return found[0]
    if not found:
        raise Fail(_("No event folder with a concierge token here. Fix: give --token TOKEN "
                     "(or --data DIR), or run popup up first."))
    raise Fail(_("Several event folders here. Fix: choose one with --data DIR."))


# ------------------------------------------------------------------------ up
def cmd_up(args: argparse.Namespace) -> int:
    kit = load_kit(args.kit)
    folder = data_dir(kit, args.data)
    port = args.port if args.port is not None else (80 if args.captive else 8000)
    interactive = sys.stdin.isatty() and sys.stdout.isatty()
    if args.headless or not interactive:
        if not args.headless:
            print(_("No terminal for the console: running the server alone (--headless)."),
                  file=sys.stderr)
        return serve_here(kit, folder, args, port)
    return serve_with_console(folder, args, port)


def serve_here(kit: Kit, folder: Path, args: argparse.Namespace, port: int) -> int:
    from .server import ServeOptions, serve

    options = ServeOptions(kit=kit, data_dir=folder, host=args.host, port=port,
                           mdns=not args.no_mdns, captive=args.captive, dns_port=args.dns_port)
    serve(options)
    return 0


def serve_with_console(folder: Path, args: argparse.Namespace, port: int) -> int:
    """The server runs as a child process (so quitting the console does not stop data
    collection); the console runs in the foreground against it."""
    from .net import lan

    command = [sys.executable, "-m", "popup_tierslieu", "up", "--headless", "--data",
               str(folder), "--host", args.host, "--port", str(port), "--dns-port",
               str(args.dns_port)]
    command += [args.kit] if args.kit else []
    command += ["--no-mdns"] if args.no_mdns else []
    command += ["--captive"] if args.captive else []
    running = lock_holder(folder)
    if running:  # nothing is written in a folder another server holds
        if args.attach and running.get("url"):
            token = read_token(folder / TOKEN_FILE, UNREADABLE_RUNNING_TOKEN,
                               url=running["url"])
            run_console(running["url"], token, folder / PRINTS, folder / TOKEN_FILE)
            return 0
        raise in_use(folder, running)
    writable_folder(folder)
    (folder / "logs").mkdir(exist_ok=True, mode=0o700)
    log_path = folder / "logs" / "server.out"
    with open(os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600), "ab") as out:
        child = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT,
                                 stdin=subprocess.DEVNULL, start_new_session=True)
    local = "127.0.0.1" if lan.every_address(args.host) else args.host
    url = lan.url(local, port)
    if not wait_ready(url, child):
        tail = log_path.read_text(errors="replace").strip().splitlines()[-1:]
        # The server's own one-line error already starts with "popup: ".
        raise Fail(tail[0].removeprefix("popup: ") if tail
                   else _("The server did not start; see %s") % log_path)
    token = read_token(folder / TOKEN_FILE, UNREADABLE_RUNNING_TOKEN, url=url)
    show_desk_card(url, folder / TOKEN_FILE)
    run_console(url, token, folder / PRINTS, folder / TOKEN_FILE)
    return after_console(child, folder)


def show_desk_card(url: str, token_file: Path) -> None:
    """The portal's URL and QR and the second-desk command, on the terminal before the
    console covers it (F9 shows them again)."""
    import httpx

    from . import qr
    from .console import seconddesk

    try:
        event = httpx.get(url + "/api/v1/event", timeout=5).json()
    except (httpx.HTTPError, ValueError):
        return  # the console's banner will say what is wrong
    print(seconddesk.banner(event["name"], event["portal_url"], qr.terminal(event["portal_url"]),
                            token_file))
    try:
        input(_("Enter opens the console… "))
    except (EOFError, KeyboardInterrupt):
        pass


def wait_ready(url: str, child: subprocess.Popen[bytes], timeout: float = 20.0) -> bool:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if child.poll() is not None:
            return False
        try:
            if httpx.get(url + "/api/v1/health", timeout=1.0).status_code == 200:
                return True
        except httpx.HTTPError:
            pass
        time.sleep(0.15)
    return False


def after_console(child: subprocess.Popen[bytes], folder: Path) -> int:
    print(i18n.translate("The console is closed; the server keeps running (PID %(pid)s) and "
                         "keeps collecting.", {"pid": child.pid}))
    try:
        answer = input(_("Stop the server now? [y/N] ")).strip().lower()
    except (EOFError, KeyboardInterrupt):
        answer = ""
    if answer in ("o", "oui", "y", "yes"):
        child.send_signal(signal.SIGINT)
        try:
            child.wait(15)
        except subprocess.TimeoutExpired:
            child.terminate()
            child.wait(5)
        print(_("Server stopped; everything is saved."))
    else:
        print(i18n.translate("To stop it later: popup stop --data %(dir)s",
                             {"dir": str(folder)}))
    return 0


def run_console(url: str, token: str, paper_dir: Path | None,
                token_file: Path | None = None) -> None:
    from .console.app import PAPER_DIR, create_app
    from .console.client import ApiClient

    create_app(ApiClient(url, token, lang=i18n.current.get()),
               paper_dir=paper_dir or PAPER_DIR, token_file=token_file).run()


# ------------------------------------------------------------------ console
def cmd_console(args: argparse.Namespace) -> int:
    token = args.token
    # Printed passes go beside the event's data when this laptop has it, else here.
    paper_dir = Path(args.data) / PRINTS if args.data else None
    token_file = None
    if not token:
        folder = find_token_dir(args.data)
        paper_dir = folder / PRINTS
        token_file = folder / TOKEN_FILE
        token = read_token(token_file, N_("Cannot read %(path)s. Fix: give --token TOKEN."))
    run_console(args.url, token, paper_dir, token_file)
    return 0


def cmd_stop(args: argparse.Namespace) -> int:
    folder = find_token_dir(args.data)
    pid = lock_holder(folder).get("pid")
    if not isinstance(pid, int):
        raise Fail(i18n.translate("No running server holds %(dir)s.", {"dir": str(folder)}))
    try:
        os.kill(pid, signal.SIGINT)
    except ProcessLookupError:
        raise Fail(i18n.translate("The server (PID %(pid)s) is not running.",
                                  {"pid": pid})) from None
    print(i18n.translate("Stopping the server (PID %(pid)s); everything is saved.",
                         {"pid": pid}))
    return 0


# ---------------------------------------------------------------------- kit
def cmd_kit_check(args: argparse.Namespace) -> int:
    path = Path(args.file)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise Fail(i18n.translate("Cannot read %(path)s: %(reason)s",
                                  {"path": str(path), "reason": str(exc)})) from None
    kit, problems = parse(text, str(path))
    if problems:
        for problem in problems:
            where = f"{path}:{problem.line}" if problem.line else str(path)
            message, fix = problem.say()
            print(f"{where}: {problem.path}: {message} — " + _("fix: %s") % fix)
        print(i18n.translate("%(count)s problem(s) in %(path)s.",
                             {"count": len(problems), "path": str(path)}), file=sys.stderr)
        return 1
    assert kit is not None
    print(i18n.translate("%(path)s is valid: %(name)s, %(days)s day(s), %(workshops)s "
                         "workshop(s), %(seats)s coworking seat(s), %(questions)s survey "
                         "question(s).", {
                             "path": str(path), "name": kit.event.name.fr,
                             "days": len(kit.event.days), "workshops": len(kit.workshops),
                             "seats": sum(s.seats for s in kit.coworking_spaces),
                             "questions": len(kit.survey)}))
    return 0


def cmd_kit_new(args: argparse.Namespace) -> int:
    path = Path(args.file)
    if path.exists() and not args.force:
        raise Fail(i18n.translate("%(path)s already exists. Fix: choose another name or add "
                                  "--force.", {"path": str(path)}))
    try:
        path.write_text(starter_text(), encoding="utf-8")
    except OSError as exc:
        raise Fail(i18n.translate("Cannot write %(path)s: %(reason)s. Fix: choose another "
                                  "file name.", {"path": str(path),
                                                 "reason": exc.strerror or exc})) from None
    print(i18n.translate("Starter kit written to %(path)s. Edit it, then: popup kit check "
                         "%(path)s", {"path": str(path)}))
    return 0


# ------------------------------------------------------------ safekeeping
def cmd_backup(args: argparse.Namespace) -> int:
    from .backup import backup

    target = backup(Path(args.dir), Path(args.to))
    print(i18n.translate("Backup written to %(path)s. Restore it with: popup restore %(dir)s "
                         "--from %(path)s", {"path": str(target), "dir": args.dir}))
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from .backup import restore

    done = restore(Path(args.dir), Path(args.source))
    print(i18n.translate("Restored %(source)s into %(dir)s; the replaced files are kept in "
                         "%(aside)s.", {"source": args.source, "dir": args.dir,
                                        "aside": str(done.aside)}))
    print(i18n.translate("Acknowledged writes kept from the journal after it: %(kept)s; "
                         "journal lines set aside: %(aside)s.",
                         {"kept": done.kept, "aside": done.set_aside}))
    return 0


def cmd_token(args: argparse.Namespace) -> int:
    from .settings import ensure_token

    folder = find_token_dir(args.data)
    # An event folder whose token was moved away (a folder had taken its place) gets a new
    # one with --rotate; a folder that holds no event is a mistyped --data.
    event_folder = args.rotate and (folder / KIT_COPY).is_file()
    if not (folder / TOKEN_FILE).exists() and not event_folder:
        raise Fail(i18n.translate("No concierge token in %(dir)s.", {"dir": str(folder)}))
    token = ensure_token(folder, rotate=args.rotate)
    if args.rotate:
        print(_("New concierge token (the old one no longer works, even in open "
                "consoles):"), file=sys.stderr)
    print(token)
    return 0


def cmd_purge(args: argparse.Namespace) -> int:
    from .backup import purge

    if not args.yes:
        try:
            answer = input(i18n.translate(
                "Remove the personal data of %(dir)s for good (names, e-mails and passes "
                "of everyone who did not ask to be contacted)? [y/N] ",
                {"dir": args.dir})).strip().lower()
        except EOFError:
            answer = ""
        if answer not in ("o", "oui", "y", "yes"):
            raise Fail(_("Nothing was removed."))
    changed = purge(Path(args.dir))
    print(i18n.translate("Purged: %(pseudonymised)s participant(s) made anonymous, "
                         "%(kept_for_contact)s kept for contact as they asked, %(removed)s "
                         "private record(s) removed; the aggregates are kept.", changed))
    return 0


# -------------------------------------------------------------------- venue
def cmd_poster(args: argparse.Namespace) -> int:
    from .poster import Poster, default_address, find_browser, to_pdf

    kit = load_kit(args.kit)
    poster = Poster(kit, args.address or default_address(), args.port)
    out = Path(args.out or f"poster-{kit.event.slug}.html")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(poster.html(), encoding="utf-8")
    except OSError as exc:
        raise Fail(i18n.translate("Cannot write %(path)s: %(reason)s",
                                  {"path": str(out), "reason": exc.strerror})) from None
    print(i18n.translate("Poster written to %(path)s (portal: %(url)s, %(name)s).",
                         {"path": str(out), "url": poster.portal_url,
                          "name": poster.name_url}))
    browser = None if args.no_pdf else find_browser()
    if browser and to_pdf(out, out.with_suffix(".pdf"), browser):
        print(i18n.translate("PDF written to %(path)s.", {"path": str(out.with_suffix(".pdf"))}))
    elif browser:
        print(_("Chromium could not print the PDF: print the HTML page from a browser, in A4."),
              file=sys.stderr)
    elif not args.no_pdf:
        print(_("No PDF (Chromium is not installed): print the HTML page from a browser, "
                "in A4."), file=sys.stderr)
    return 0


def cmd_doctor(args: argparse.Namespace) -> int:
    from .net.doctor import checks, report

    findings = checks()
    print(report(findings))
    return 0 if all(f.ok for f in findings) else 1


def cmd_hotspot(args: argparse.Namespace) -> int:
    import shlex

    from .net import hotspot

    interface = args.ifname or next(iter(hotspot.wireless_interfaces()), "wlan0")
    wifi = None if args.stop else load_kit(args.kit).wifi
    commands = hotspot.stop_commands() if wifi is None else hotspot.start_commands(wifi,
                                                                                 interface)
    if not args.apply:
        print(_("Commands to run (or add --apply):"))
        for command in commands:
            print("  sudo " + shlex.join(command))
        return 0
    if not hotspot.nmcli_available():
        raise Fail(_("nmcli is not installed: install NetworkManager, or start the hotspot "
                     "by other means."))
    for position, command in enumerate(commands):
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        # Deleting a hotspot that does not exist yet is expected to fail.
        if done.returncode != 0 and not (position == 0 and not args.stop):
            raise Fail(i18n.translate("%(command)s failed: %(reason)s",
                                      {"command": shlex.join(command),
                                       "reason": (done.stderr or done.stdout).strip()}))
    print(_("Hotspot stopped.") if wifi is None else i18n.translate(
        "Hotspot %(ssid)s started on %(interface)s; now run: popup up --captive",
        {"ssid": wifi.ssid, "interface": interface}))
    return 0


# ------------------------------------------------------------------- report
def output_folder(out: Path) -> Path:
    """The folder a report or an export is written into, made if missing; a file in the
    way is one line with the fix, not a traceback."""
    try:
        out.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise Fail(i18n.translate("Cannot make the folder %(path)s: a file is in its way. "
                                  "Fix: choose another folder with --out DIR.",
                                  {"path": str(out)})) from None
    except OSError as exc:
        raise Fail(i18n.translate("Cannot make the folder %(path)s: %(reason)s. Fix: choose "
                                  "another folder with --out DIR.",
                                  {"path": str(out), "reason": exc.strerror or exc})) from None
    return out


def write_out(out: Path, write: Callable[[Path], T]) -> T:
    """Write a report or an export into ``out`` (made if missing): a folder in the place
    of one of its files, a full or read-only disk, is one line with the fix too."""
    folder = output_folder(out)
    try:
        return write(folder)
    except OSError as exc:
        raise Fail(i18n.translate("Cannot write %(path)s: %(reason)s. Fix: choose another "
                                  "folder with --out DIR.",
                                  {"path": str(exc.filename or out),
                                   "reason": exc.strerror or exc})) from None


def cmd_report(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.progress import Progress

    from .report import territory
    from .report.render import write_report
    from .report.source import budget_event, read_event

    folders = [Path(d) for d in args.dirs]
    out = Path(args.out) if args.out else folders[0] / "report"
    communes = territory.load(args.communes) if args.communes else None
    console = Console(stderr=True)
    with Progress(console=console, transient=True, disable=not console.is_terminal) as progress:
        task = progress.add_task(_("Building the appetite report"), total=len(folders) + 4)
        events = []
        for folder in folders:
            events.append(read_event(folder))
            progress.advance(task)
        budget_from = budget_event(events, args.budget_kit)
        write_out(out, lambda folder: write_report(
            events, folder, args.lang, step=lambda _name: progress.advance(task),
            budget_from=budget_from, communes=communes))
    print(i18n.translate("Appetite report written to %(path)s",
                         {"path": str(out / "report.html")}))
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from .report.source import read_event

    folder = Path(args.dir)
    out = Path(args.out) if args.out else folder / "export"
    event = read_event(folder)
    if args.format == "docs":
        from .report.docs_bundle import write_bundle

        path = write_out(out, lambda into: write_bundle(folder, into))
    else:
        from .report.export import export

        path = write_out(out, lambda into: export(event, into, args.format))[-1].parent
    print(i18n.translate("Export written to %(path)s", {"path": str(path)}))
    return 0


# ------------------------------------------------------------------- parser
class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, then the usage hint
        self.exit(2, f"popup: {message} (popup --help)\n")


def command(sub: Any, name: str, text: str) -> argparse.ArgumentParser:
    """A subcommand whose one-line help is also the heading of its own --help."""
    return sub.add_parser(name, help=text, description=text)  # type: ignore[no-any-return]


def build_parser() -> argparse.ArgumentParser:
    speak_the_current_language()
    parser = Parser(prog="popup", description=_("Pop-up tiers-lieu kit."))
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser,
                                title=_("commands"), metavar=_("COMMAND"))

    up = command(sub, "up", _("start the portal (and the console)"))
    up.add_argument("kit", nargs="?", help=_("kit file (default: the embedded kit)"))
    up.add_argument("--data", help=_("event folder (default: ./popup-data/<slug>)"))
    up.add_argument("--host", default="0.0.0.0",
                    help=_("address to listen on (default: 0.0.0.0, every network)"))
    up.add_argument("--port", type=int, default=None,
                    help=_("port of the portal (default: 8000, or 80 with --captive)"))
    up.add_argument("--headless", action="store_true", help=_("server only, no console"))
    up.add_argument("--attach", action="store_true",
                    help=_("if a server already runs on this folder, open the console on it"))
    up.add_argument("--captive", action="store_true", help=_("answer captive-portal probes"))
    up.add_argument("--dns-port", type=int, default=53,
                    help=_("port of the captive DNS (default: 53)"))
    up.add_argument("--no-mdns", action="store_true",
                    help=_("do not announce popup.local on the network (mDNS)"))
    up.set_defaults(func=cmd_up)

    console = command(sub, "console", _("open a concierge desk"))
    console.add_argument("--url", default="http://127.0.0.1:8000",
                         help=_("the server's address (default: http://127.0.0.1:8000)"))
    console.add_argument("--token", help=_("concierge token (default: read from the "
                                           "event folder's concierge.token)"))
    console.add_argument("--data", help=_("event folder holding concierge.token"))
    console.set_defaults(func=cmd_console)

    stop = command(sub, "stop", _("stop a running server"))
    stop.add_argument("--data", help=_("event folder (default: the only one in "
                                       "./popup-data)"))
    stop.set_defaults(func=cmd_stop)

    backup = command(sub, "backup", _("copy the event data, even while it runs"))
    backup.add_argument("dir", help=_("event folder"))
    backup.add_argument("--to", required=True, help=_("a folder (a USB stick) or a new path"))
    backup.set_defaults(func=cmd_backup)

    restore = command(sub, "restore", _("bring back a snapshot or a backup"))
    restore.add_argument("dir", help=_("event folder"))
    restore.add_argument("--from", dest="source", required=True,
                         help=_("a snapshot file, or a folder made by popup backup"))
    restore.set_defaults(func=cmd_restore)

    token = command(sub, "token", _("show or replace the concierge token"))
    token.add_argument("--data", help=_("event folder"))
    token.add_argument("--rotate", action="store_true", help=_("replace it at once"))
    token.set_defaults(func=cmd_token)

    purge = command(sub, "purge", _("remove personal data after the event"))
    purge.add_argument("dir", help=_("event folder"))
    purge.add_argument("--yes", action="store_true", help=_("do not ask"))
    purge.set_defaults(func=cmd_purge)

    kit = command(sub, "kit", _("check or create a kit"))
    kit_sub = kit.add_subparsers(dest="kit_command", required=True, parser_class=Parser,
                                 title=_("commands"), metavar=_("COMMAND"))
    check = command(kit_sub, "check", _("print every problem of a kit file, with a fix"))
    check.add_argument("file", help=_("kit file (TOML)"))
    check.set_defaults(func=cmd_kit_check)
    new = command(kit_sub, "new", _("write a commented starter kit"))
    new.add_argument("file", help=_("kit file to write"))
    new.add_argument("--force", action="store_true", help=_("replace an existing file"))
    new.set_defaults(func=cmd_kit_new)

    poster = command(sub, "poster", _("printable poster with the Wi-Fi and portal QR codes"))
    poster.add_argument("kit", nargs="?", help=_("kit file (default: the embedded kit)"))
    poster.add_argument("--out", help=_("HTML file to write (a PDF is written beside it)"))
    poster.add_argument("--address", help=_("the hotspot's address (default: 10.42.0.1)"))
    poster.add_argument("--port", type=int, default=80,
                        help=_("the portal's port in the printed address (default: 80)"))
    poster.add_argument("--no-pdf", action="store_true", help=_("write the HTML file only"))
    poster.set_defaults(func=cmd_poster)

    doctor = command(sub, "doctor", _("check this laptop before the event"))
    doctor.set_defaults(func=cmd_doctor)

    hotspot = command(sub, "hotspot", _("start or stop the Wi-Fi hotspot (NetworkManager)"))
    hotspot.add_argument("kit", nargs="?", help=_("kit file (default: the embedded kit)"))
    hotspot.add_argument("--ifname", help=_("Wi-Fi interface (default: the first one)"))
    hotspot.add_argument("--apply", action="store_true", help=_("run the commands"))
    hotspot.add_argument("--stop", action="store_true", help=_("stop the hotspot"))
    hotspot.set_defaults(func=cmd_hotspot)

    report = command(sub, "report", _("write the appetite report of one or several events"))
    report.add_argument("dirs", nargs="+", metavar="DIR", help=_("event folder(s)"))
    report.add_argument("--out", help=_("output folder (default: DIR/report)"))
    report.add_argument("--lang", choices=i18n.LANGUAGES, default="fr",
                        help=_("language of the report (default: fr)"))
    report.add_argument("--budget-kit", metavar="SLUG",
                        help=_("the event whose kit gives the budget's prices and charges "
                               "(default: the first DIR)"))
    report.add_argument("--communes", metavar="FILE",
                        help=_("your own list of communes (CSV: code, name, epci, "
                               "population, departement), over the official list shipped "
                               "with the kit"))
    report.set_defaults(func=cmd_report)

    export = command(sub, "export", _("export the event's data for open-data tools"))
    export.add_argument("dir", metavar="DIR", help=_("event folder"))
    export.add_argument("--format", choices=("csv", "json", "docs"), default="csv",
                        help=_("csv or json tables, or docs: the documentation bundle "
                               "(default: csv)"))
    export.add_argument("--out", help=_("output folder (default: DIR/export)"))
    export.set_defaults(func=cmd_export)
    return parser


def main(argv: list[str] | None = None) -> Any:
    choose_language()
    args = build_parser().parse_args(argv)
    try:
        code = args.func(args)
    except PopupError as exc:
        print(f"popup: {i18n.translate(exc.message, exc.params)}", file=sys.stderr)
        code = 1
    except KeyboardInterrupt:
        code = 130
    sys.exit(code)
