"""`popup up --captive` on loopback: the DNS answers every name with the portal's
address, each OS's probe is sent to the portal until that phone registered or
tapped "continue", then gets the exact "online" answer, and that survives a restart."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx
import pytest
from dnslib import QTYPE, RCODE, DNSRecord

from tests.conftest import ROOT, free_port

# (what the phone sends: Host, path, User-Agent) -> the "online" answer it expects
PROBES = [
    ("connectivitycheck.gstatic.com", "/generate_204",
     "Dalvik/2.1.0 (Linux; U; Android 14; Pixel 7 Build/UQ1A)", 204, "", {}),
    ("www.google.com", "/gen_204", "Dalvik/2.1.0 (Linux; U; Android 9)", 204, "", {}),
    ("clients3.google.com", "/generate_204", "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0)",
     204, "", {}),
    ("captive.apple.com", "/hotspot-detect.html", "CaptiveNetworkSupport-481.60.4 wispr",
     200, "<HTML><HEAD><TITLE>Success</TITLE></HEAD><BODY>Success</BODY></HTML>", {}),
    ("www.apple.com", "/library/test/success.html", "CaptiveNetworkSupport-355.200.27 wispr",
     200, "<HTML><HEAD><TITLE>Success</TITLE></HEAD><BODY>Success</BODY></HTML>", {}),
    ("www.msftconnecttest.com", "/connecttest.txt", "Microsoft NCSI", 200,
     "Microsoft Connect Test", {}),
    ("www.msftncsi.com", "/ncsi.txt", "Microsoft NCSI", 200, "Microsoft NCSI", {}),
    ("detectportal.firefox.com", "/canonical.html",
     "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0", 200,
     '<meta http-equiv="refresh" content="0;url=https://support.mozilla.org/kb/captive-portal"/>',
     {}),
    ("detectportal.firefox.com", "/success.txt?ipv4",
     "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0", 200,
     "success\n", {}),
    ("nmcheck.gnome.org", "/check_network_status.txt", "NetworkManager/1.46.0", 200,
     "NetworkManager is online\n", {"x-networkmanager-status": "online"}),
]


def client(source: str) -> httpx.Client:
    """A phone: its own loopback source address, no redirect following."""
    return httpx.Client(transport=httpx.HTTPTransport(local_address=source), timeout=5,
                        follow_redirects=False)


def probe(phone: httpx.Client, server, host: str, path: str, agent: str) -> httpx.Response:
    return phone.get(server.url + path, headers={"Host": host, "User-Agent": agent})


def ask(name: str, qtype: str, port: int, tcp: bool) -> DNSRecord:
    packet = DNSRecord.question(name, qtype).send("127.0.0.1", port, tcp=tcp, timeout=3)
    return DNSRecord.parse(packet)


@pytest.fixture
def captive(make_server):
    dns_port = free_port()
    server = make_server(extra=["--captive", "--dns-port", str(dns_port)])
    server.dns_port = dns_port
    return server


@pytest.mark.parametrize("tcp", [False, True], ids=["udp", "tcp"])
def test_dns_points_every_name_to_the_portal(captive, tcp):
    for name in ("connectivitycheck.gstatic.com", "captive.apple.com",
                 "www.msftconnecttest.com", "detectportal.firefox.com", "nmcheck.gnome.org",
                 "example.org"):
        answer = ask(name, "A", captive.dns_port, tcp)
        assert [str(rr.rdata) for rr in answer.rr] == ["127.0.0.1"], name
    windows = ask("dns.msftncsi.com", "A", captive.dns_port, tcp)
    assert [str(rr.rdata) for rr in windows.rr] == ["131.107.255.255"]
    aaaa = ask("captive.apple.com", "AAAA", captive.dns_port, tcp)
    assert aaaa.header.rcode == RCODE.NOERROR and not aaaa.rr  # NODATA
    assert aaaa.questions[0].qtype == QTYPE.AAAA


def test_probes_go_to_the_portal_until_registration_per_phone_and_after_a_restart(captive):
    portal = f"{captive.url}/welcome"
    with client("127.0.0.2") as alice, client("127.0.0.3") as bob:
        for host, path, agent, *_ in PROBES:
            response = probe(alice, captive, host, path, agent)
            assert response.status_code == 302, (host, path)
            assert response.headers["location"] == portal

        captive.register(client=alice)

        for host, path, agent, status, body, headers in PROBES:
            response = probe(alice, captive, host, path, agent)
            assert response.status_code == status, (host, path)
            assert response.text == body, (host, path)
            for name, value in headers.items():
                assert response.headers[name] == value
            assert probe(bob, captive, host, path, agent).status_code == 302

    captive.stop()
    captive.start()
    with client("127.0.0.2") as alice, client("127.0.0.3") as bob:
        assert probe(alice, captive, "captive.apple.com", "/hotspot-detect.html",
                     "CaptiveNetworkSupport wispr").text.endswith("Success</BODY></HTML>")
        assert probe(bob, captive, "connectivitycheck.gstatic.com", "/generate_204",
                     "Dalvik/2.1.0").status_code == 302


def test_continue_on_the_welcome_page_lets_the_phone_call_itself_online(captive):
    with client("127.0.0.4") as phone:
        apple = probe(phone, captive, "captive.apple.com", "/hotspot-detect.html", "wispr")
        welcome = phone.get(apple.headers["location"])
        assert welcome.status_code == 200 and "Continuer" in welcome.text
        csrf = re.search(r'name="csrf" value="([^"]*)"', welcome.text).group(1)
        done = phone.post(captive.url + "/welcome", data={"csrf": csrf})
        assert done.status_code == 303
        after = probe(phone, captive, "captive.apple.com", "/hotspot-detect.html", "wispr")
        assert after.text == PROBES[3][4]
        windows = probe(phone, captive, "www.msftconnecttest.com", "/redirect", "Windows")
        assert windows.headers["location"] == captive.url + "/"


def test_unknown_names_redirect_to_the_ip_literal_portal(captive):
    with client("127.0.0.5") as phone:
        for host, path in (("example.org", "/"), ("news.example.com", "/article?id=3"),
                           ("neverssl.com", "/api/v1/health")):
            response = phone.get(captive.url + path, headers={"Host": host})
            assert response.status_code == 302
            assert response.headers["location"] == f"http://127.0.0.1:{captive.port}/welcome"
        own = phone.get(captive.url + "/api/v1/health")
        assert own.status_code == 200
        assert phone.get(captive.url + "/no-such-page",
                         headers={"Accept": "application/json"}).status_code == 404


def test_captive_api_answers_rfc8908_per_phone(captive):
    with client("127.0.0.6") as phone:
        before = phone.get(captive.url + "/api/v1/captive")
        assert before.headers["content-type"] == "application/captive+json"
        assert before.json()["captive"] is True
        assert before.json()["user-portal-url"] == captive.url + "/welcome"
        captive.register(client=phone)
        assert phone.get(captive.url + "/api/v1/captive").json()["captive"] is False


def test_without_captive_probes_are_plain_404_and_the_api_still_answers(server):
    response = httpx.get(server.url + "/generate_204",
                         headers={"Host": "connectivitycheck.gstatic.com"})
    assert response.status_code == 404
    assert httpx.get(server.url + "/api/v1/captive").json()["captive"] is True


def unprivileged(command: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *command]
    return command


@pytest.mark.parametrize("ports,fix", [
    (["--port", "80"], "--port 8000"),
    (["--port", "0", "--dns-port", "53"], "--dns-port 5353"),
], ids=["http-80", "dns-53"])
def test_privileged_ports_give_one_line_with_the_fix(ports, fix):
    # Not pytest's tmp_path: its parents are private to root, the test user could not enter.
    with tempfile.TemporaryDirectory(prefix="popup-captive-") as place:
        os.chmod(place, 0o777)
        done = run_up(Path(place), ports)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("popup: ")
    assert "reserved to root" in lines[0] and "setcap cap_net_bind_service=+ep" in lines[0]
    assert fix in lines[0]


def run_up(place: Path, ports: list[str]) -> subprocess.CompletedProcess[str]:
    folder = place / "event"
    command = unprivileged([sys.executable, "-m", "popup_tierslieu", "up", "--headless",
                            "--no-mdns", "--captive", "--host", "127.0.0.1", "--data",
                            str(folder), *ports])
    return subprocess.run(command, capture_output=True, text=True, timeout=30,
                          env={**os.environ, "POPUP_LANG": "en"}, cwd=place)


# ------------------------------------------------- a phone in its own namespace
# Appended to PHONE_SCRIPT: another name than a probe's gets the portal's address.
PROBE_ADDRESS_CHECK = r"""
seen["portal_name"] = socket.gethostbyname("example.org")
"""
PHONE_SCRIPT = r"""
import json, socket, time, httpx
deadline = time.monotonic() + 20
while True:
    try:
        httpx.get("http://10.199.0.1/api/v1/health", timeout=0.5)
        break
    except httpx.HTTPError:
        if time.monotonic() > deadline:
            raise
        time.sleep(0.2)
seen = {"resolved": socket.gethostbyname("connectivitycheck.gstatic.com")}
probe = "http://connectivitycheck.gstatic.com/generate_204"
first = httpx.get(probe)
seen["before"] = [first.status_code, first.headers.get("location")]
httpx.post("http://10.199.0.1/api/v1/participants", json={
    "name": "Camille", "profile": "Habitant·e", "commune": "Lourmarin", "consent": True,
    "charter": True}).raise_for_status()
seen["after"] = httpx.get(probe).status_code
"""


def netns_available() -> bool:
    if os.geteuid() != 0 or not shutil.which("ip"):
        return False
    return subprocess.run(["unshare", "--net", "true"], capture_output=True).returncode == 0


class Namespaces:
    """Two network namespaces joined by a veth pair: the laptop (real ports 80 and 53) and
    a phone whose resolver is the laptop and whose way out goes through it, as the
    hotspot's DHCP would set them. Everything is removed at the end."""

    def __init__(self, tmp_path: Path) -> None:
        tag = str(os.getpid())
        self.tmp_path = tmp_path
        self.laptop, self.phone = f"popup-laptop-{tag}", f"popup-phone-{tag}"
        self.ends = f"pl{tag}", f"pp{tag}"
        self.resolv = Path("/etc/netns") / self.phone
        self.server: subprocess.Popen[bytes] | None = None

    @staticmethod
    def ip(*args: str) -> None:
        subprocess.run(["ip", *args], check=True, capture_output=True, timeout=10)

    def __enter__(self) -> Namespaces:
        self.ip("netns", "add", self.laptop)
        self.ip("netns", "add", self.phone)
        self.ip("link", "add", self.ends[0], "netns", self.laptop, "type", "veth", "peer",
                "name", self.ends[1], "netns", self.phone)
        for ns, name, address in ((self.laptop, self.ends[0], "10.199.0.1/24"),
                                  (self.phone, self.ends[1], "10.199.0.2/24")):
            self.ip("-n", ns, "addr", "add", address, "dev", name)
            self.ip("-n", ns, "link", "set", name, "up")
            self.ip("-n", ns, "link", "set", "lo", "up")
        self.ip("-n", self.phone, "route", "add", "default", "via", "10.199.0.1")
        self.resolv.mkdir(parents=True, exist_ok=True)
        (self.resolv / "resolv.conf").write_text("nameserver 10.199.0.1\n")
        return self

    def serve(self, host: str) -> None:
        log = open(self.tmp_path / "server.out", "wb")
        self.server = subprocess.Popen(
            ["ip", "netns", "exec", self.laptop, sys.executable, "-m", "popup_tierslieu", "up",
             "--headless", "--no-mdns", "--captive", "--host", host, "--data",
             str(self.tmp_path / "event")], stdout=log, stderr=subprocess.STDOUT,
            cwd=self.tmp_path)

    def on_phone(self, script: str) -> dict:
        done = subprocess.run(["ip", "netns", "exec", self.phone, sys.executable, "-c",
                               script + "\nprint(json.dumps(seen))\n"],
                              capture_output=True, text=True, timeout=60, cwd=ROOT)
        assert done.returncode == 0, done.stderr + (self.tmp_path / "server.out").read_text()
        return json.loads(done.stdout)

    def __exit__(self, *exc: object) -> None:
        if self.server is not None and self.server.poll() is None:
            os.kill(self.server.pid, signal.SIGINT)
            try:
                self.server.wait(15)
            except subprocess.TimeoutExpired:
                os.kill(self.server.pid, signal.SIGKILL)
                self.server.wait(5)
        for ns in (self.laptop, self.phone):
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)
        shutil.rmtree(self.resolv, ignore_errors=True)


needs_netns = pytest.mark.skipif(not netns_available(),
                                 reason="needs root and network namespaces")


@needs_netns
def test_a_phone_in_its_own_network_resolves_and_lands_on_the_portal(tmp_path):
    with Namespaces(tmp_path) as net:
        net.serve("10.199.0.1")
        seen = net.on_phone(PHONE_SCRIPT)
    assert seen["resolved"] == "10.199.0.1"
    assert seen["before"] == [302, "http://10.199.0.1/welcome"]
    assert seen["after"] == 204


@needs_netns
def test_with_the_probe_address_the_probe_reaches_it_and_the_portal_stays_private(tmp_path):
    """As ``popup hotspot`` sets it up: 192.0.2.1 beside the hotspot's address."""
    with Namespaces(tmp_path) as net:
        net.ip("-n", net.laptop, "addr", "add", "192.0.2.1/32", "dev", net.ends[0])
        net.serve("0.0.0.0")  # inside the laptop's own namespace: its two addresses only
        seen = net.on_phone(PHONE_SCRIPT + PROBE_ADDRESS_CHECK)
    assert seen["resolved"] == "192.0.2.1"
    assert seen["portal_name"] == "10.199.0.1"
    assert seen["before"] == [302, "http://10.199.0.1/welcome"]
    assert seen["after"] == 204
