"""The captive portal's rules, the DNS answers, the poster's codes, popup hotspot and
popup doctor, without a server."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from dnslib import QTYPE, RCODE, DNSRecord

from popup_tierslieu.domain import captive
from popup_tierslieu.kit import starter_text
from popup_tierslieu.net import dns
from popup_tierslieu.net.mdns import host_name
from tests.qrcodes import decode_all_in

PORTAL = "http://10.42.0.1"
NAMES = ("atelier.local",)


def popup(*args: str, cwd: Path | None = None, lang: str = "en") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "popup_tierslieu", *args], capture_output=True,
                          text=True, timeout=60, cwd=cwd,
                          env={"PATH": "/usr/bin:/bin", "POPUP_LANG": lang})


def kit_with_password(tmp_path: Path, password: str) -> Path:
    text = starter_text()
    path = tmp_path / "kit.toml"
    path.write_text(text.replace('password = "changez-moi-2026"', f'password = "{password}"'),
                    encoding="utf-8")
    return path


# ------------------------------------------------------------------ the rules
@pytest.mark.parametrize("host,path,system", [
    ("connectivitycheck.gstatic.com", "/generate_204", "Android, ChromeOS"),
    ("www.google.com:80", "/gen_204", "Android, ChromeOS"),
    ("connect.rom.miui.com", "/generate_204", "Android (vendor)"),
    ("CAPTIVE.APPLE.COM.", "/hotspot-detect.html", "iOS, macOS"),
    ("captive.apple.com", "/Xq4mWz/hR7tb2/Lk9pQs.html", "iOS, macOS"),
    ("www.thinkdifferent.us", "/anything.html", "iOS (legacy)"),
    ("www.msftconnecttest.com", "/connecttest.txt", "Windows"),
    ("detectportal.firefox.com", "/canonical.html", "Firefox"),
    ("nmcheck.gnome.org", "/check_network_status.txt", "NetworkManager"),
])
def test_each_os_probe_is_recognised_by_host_and_path(host, path, system):
    assert captive.probe_for(host, path).system == system


def test_the_portal_itself_is_never_captured():
    for host in ("10.42.0.1", "10.42.0.1:8000", "[::1]:80", "localhost", "atelier.local",
                 "laptop-of-the-desk.local:8000"):
        assert captive.answer(host, "/", False, PORTAL, NAMES) is None, host
    taken = captive.answer("example.org", "/", True, PORTAL, NAMES)
    assert (taken.status, taken.headers["Location"]) == (302, PORTAL + "/welcome")


def test_an_android_probe_that_matches_no_known_path_on_a_google_host_goes_to_the_portal():
    answer = captive.answer("www.google.com", "/search", True, PORTAL, NAMES)
    assert answer.status == 302


# ------------------------------------------------------------------------ DNS
def test_dns_answers_every_question_and_ignores_what_is_not_a_query():
    query = DNSRecord.question("captive.apple.com")
    query.add_question(DNSRecord.question("dns.msftncsi.com").q)
    answer = DNSRecord.parse(dns.reply(query.pack(), "10.42.0.1"))
    assert [str(rr.rdata) for rr in answer.rr] == ["10.42.0.1", "131.107.255.255"]
    https = DNSRecord.parse(dns.reply(DNSRecord.question("a.example", "HTTPS").pack(),
                                      "10.42.0.1"))
    assert https.header.rcode == RCODE.NOERROR and not https.rr
    assert https.questions[0].qtype == QTYPE.HTTPS
    for canary in ("use-application-dns.net", "mask.icloud.com"):
        refused = DNSRecord.parse(dns.reply(DNSRecord.question(canary).pack(), "10.42.0.1"))
        assert refused.header.rcode == RCODE.NXDOMAIN and not refused.rr, canary
    assert dns.reply(b"\x00\x01garbage", "10.42.0.1") is None
    assert dns.reply(answer.pack(), "10.42.0.1") is None  # a response is never answered


def test_the_dnsmasq_dropin_points_every_name_to_the_laptop(tmp_path):
    message = dns.write_dropin("10.42.0.1", tmp_path)
    text = (tmp_path / dns.NM_DROPIN).read_text()
    assert "address=/#/10.42.0.1" in text
    assert "address=/dns.msftncsi.com/131.107.255.255" in text
    assert "address=/use-application-dns.net/\n" in text
    assert "nmcli connection up popup-hotspot" in message


def test_the_mdns_name_comes_from_the_event_not_the_laptop():
    assert host_name("Tiers-lieu éphémère de Cucuron") == "tiers-lieu-ephemere-de-cucuron"
    assert host_name("***") == "popup"


# --------------------------------------------------------------------- poster
def test_the_poster_codes_join_the_wifi_and_open_the_portal(tmp_path):
    kit = kit_with_password(tmp_path, "pa;ss:w0rd-2026")
    done = popup("poster", str(kit), "--out", str(tmp_path / "poster.html"), "--no-pdf",
                 "--address", "10.42.0.1")
    assert done.returncode == 0, done.stderr
    html = (tmp_path / "poster.html").read_text(encoding="utf-8")
    wifi, portal = decode_all_in(html)
    assert wifi == r"WIFI:T:WPA;S:TiersLieu-Ephemere;P:pa\;ss\:w0rd-2026;;"
    assert portal == "http://10.42.0.1/"
    assert "pa;ss:w0rd-2026" in html and "http://tiers-lieu-ephemere.local/" in html
    assert "@page { size: A4" in html
    assert "Rejoindre le Wi-Fi" in html and "Join the Wi-Fi" in html


# ----------------------------------------------------------- hotspot, doctor
def test_hotspot_prints_the_networkmanager_commands_without_running_them(tmp_path):
    kit = kit_with_password(tmp_path, "it's;secret")
    done = popup("hotspot", str(kit), "--ifname", "wlan9")
    assert done.returncode == 0, done.stderr
    assert "sudo nmcli connection add type wifi ifname wlan9 con-name popup-hotspot" in done.stdout
    assert "ssid TiersLieu-Ephemere" in done.stdout
    assert "ipv4.method shared" in done.stdout
    assert "wifi-sec.psk 'it'\"'\"'s;secret'" in done.stdout
    stop = popup("hotspot", "--stop")
    assert "sudo nmcli connection down popup-hotspot" in stop.stdout


def test_doctor_reports_in_french_and_changes_nothing():
    done = popup("doctor", lang="fr")
    assert done.returncode in (0, 1)
    assert "Traceback" not in done.stderr
    assert "Interfaces Wi-Fi" in done.stdout
    assert "NetworkManager" in done.stdout
