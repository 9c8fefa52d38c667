"""The captive portal's rules: which request is an OS's connectivity probe, what it
must get back, and which phones already went through the portal.

A phone that joins a Wi-Fi network fetches a well-known URL and compares the
answer with the one the real server gives. If it matches, the phone believes it
is online; if it is a redirect, the phone opens a "sign in to network" sheet on
the redirect's target. So a phone that has not yet registered (or tapped
"continue" on the welcome page) gets a redirect to the portal, and afterwards
the exact "online" answer, so iOS shows "Done" (not a "Cancel" that drops the
Wi-Fi) and Windows stops saying "No Internet".

Primary sources for the probes and how their answers are judged:

* AOSP NetworkStack, ``src/com/android/server/connectivity/NetworkMonitor.java``
  and ``res/values/config.xml``: HTTP probe ``http://connectivitycheck.gstatic.com/
  generate_204`` with fallbacks ``http://www.google.com/gen_204`` and
  ``http://play.googleapis.com/generate_204``; 204 means validated; a 200 with a
  body of 4 bytes or less is a failed probe, not a portal; any other 200-399 is a
  portal, and a 3xx's ``Location`` is the page the sign-in sheet opens. Older
  releases probed ``clients3.google.com`` and ``connectivitycheck.android.com``.
* ChromeOS shill, ``shill/network/portal_detector.h``: HTTP probe
  ``http://connectivitycheck.gstatic.com/generate_204``, fallbacks
  ``www.google.com/gen_204``, ``www.play.googleapis.com``, ``www.gstatic.com``,
  ``safebrowsing.google.com``, ``www.googleapis.com`` (``/generate_204``); success
  is a 204 (or a 200 without content), a redirect with a ``Location`` is
  ``kPortalRedirect``.
* Firefox, ``toolkit/components/captivedetect/CaptiveDetect.sys.mjs`` with the
  ``captivedetect.canonicalURL`` / ``canonicalContent`` prefs (``modules/libpref/
  init/all.js``): status 200 and a body strictly equal (``===``) to the
  canonical content; any 3xx, another 2xx or a 511 starts the login.
  ``success.txt`` (``network.connectivity-service.IPv4.url``) expects
  ``success\\n``.
* NetworkManager, ``src/core/nm-connectivity.c``: a response header
  ``X-NetworkManager-Status: online`` means full connectivity whatever the body;
  otherwise the body must start with the configured response (GNOME's
  ``nmcheck.gnome.org/check_network_status.txt``: ``NetworkManager is online``).
* Apple (closed source; the pages its servers serve): ``captive.apple.com/
  hotspot-detect.html`` and the legacy hosts answer a page titled "Success".
* Windows NCSI (Microsoft's documentation of its active probe):
  ``www.msftconnecttest.com/connecttest.txt`` = ``Microsoft Connect Test``,
  ``www.msftncsi.com/ncsi.txt`` = ``Microsoft NCSI``, the DNS name
  ``dns.msftncsi.com`` = 131.107.255.255; ``/redirect`` is what Windows opens in
  the browser when it found a portal.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Any

from . import clock

TABLE = "captive_clients"
WELCOME_PATH = "/welcome"

# dns.msftncsi.com must resolve to this for Windows to trust its HTTP probe.
WINDOWS_DNS_NAME = "dns.msftncsi.com"
WINDOWS_DNS_ADDRESS = "131.107.255.255"
# Names a network answers with NXDOMAIN to say "use my DNS": Firefox then keeps
# DNS over HTTPS off (Mozilla's canary domain, "Configuring Networks to Disable DNS
# over HTTPS"), Apple devices turn iCloud Private Relay off ("Prepare your network
# or web server for iCloud Private Relay"). Both would bypass the captive DNS.
CANARY_NAMES = frozenset({"use-application-dns.net", "mask.icloud.com",
                          "mask-h2.icloud.com"})

APPLE_SUCCESS = "<HTML><HEAD><TITLE>Success</TITLE></HEAD><BODY>Success</BODY></HTML>"
FIREFOX_CANONICAL = ('<meta http-equiv="refresh" '
                     'content="0;url=https://support.mozilla.org/kb/captive-portal"/>')
NM_ONLINE = "NetworkManager is online\n"
NM_HEADER = ("X-NetworkManager-Status", "online")


@dataclass(frozen=True)
class Answer:
    """An HTTP answer, free of any web framework."""

    status: int
    body: str = ""
    content_type: str = "text/plain; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Probe:
    """One OS's connectivity check: the hosts and paths it fetches, and the answer that
    means "online". ``paths`` empty means any path; ``online`` None means the request
    always goes to the portal (Windows opens ``/redirect`` in the browser)."""

    system: str
    hosts: frozenset[str]
    paths: frozenset[str]
    online: Answer | None

    def matches(self, host: str, path: str) -> bool:
        return host in self.hosts and (not self.paths or path in self.paths)


def _probe(system: str, hosts: str, paths: str, online: Answer | None) -> Probe:
    return Probe(system, frozenset(hosts.split()), frozenset(paths.split()), online)


NO_CONTENT = Answer(204)
GOOGLE_HOSTS = ("connectivitycheck.gstatic.com connectivitycheck.android.com "
                "clients1.google.com clients3.google.com www.google.com www.gstatic.com "
                "play.googleapis.com www.play.googleapis.com safebrowsing.google.com "
                "www.googleapis.com")
GOOGLE_PATHS = "/generate_204 /gen_204"

PROBES: tuple[Probe, ...] = (
    _probe("Android, ChromeOS", GOOGLE_HOSTS, GOOGLE_PATHS, NO_CONTENT),
    # captive.apple.com serves "Success" on any path; some releases ask random ones.
    _probe("iOS, macOS", "captive.apple.com", "", Answer(200, APPLE_SUCCESS, "text/html")),
    _probe("iOS, macOS", "www.apple.com", "/library/test/success.html",
           Answer(200, APPLE_SUCCESS, "text/html")),
    # Legacy iOS probes pick one of these hosts with various paths.
    _probe("iOS (legacy)", "www.appleiphonecell.com www.ibook.com www.itools.info "
           "www.airport.us www.thinkdifferent.us", "", Answer(200, APPLE_SUCCESS, "text/html")),
    _probe("Windows", "www.msftconnecttest.com ipv6.msftconnecttest.com", "/connecttest.txt",
           Answer(200, "Microsoft Connect Test")),
    _probe("Windows", "www.msftncsi.com ipv6.msftncsi.com", "/ncsi.txt",
           Answer(200, "Microsoft NCSI")),
    _probe("Windows", "www.msftconnecttest.com", "/redirect", None),
    _probe("Firefox", "detectportal.firefox.com", "/canonical.html",
           Answer(200, FIREFOX_CANONICAL, "text/html")),
    _probe("Firefox", "detectportal.firefox.com", "/success.txt", Answer(200, "success\n")),
    _probe("NetworkManager", "nmcheck.gnome.org", "/check_network_status.txt",
           Answer(200, NM_ONLINE, headers=dict([NM_HEADER]))),
    _probe("NetworkManager", "ping.archlinux.org", "/nm-check.txt",
           Answer(200, NM_ONLINE, headers=dict([NM_HEADER]))),
    _probe("NetworkManager", "connectivity-check.ubuntu.com", "/",
           Answer(204, headers=dict([NM_HEADER]))),
    _probe("NetworkManager", "fedoraproject.org", "/static/hotspot.txt",
           Answer(200, "OK\n", headers=dict([NM_HEADER]))),
)

# Android vendors replace Google's host with their own (MIUI, EMUI, Samsung...)
# but keep the 204 rule; any host asking these paths gets the Android answer.
_GENERIC_204 = _probe("Android (vendor)", "", GOOGLE_PATHS, NO_CONTENT)
# The vendor hosts known to ask it (Xiaomi's MIUI, Huawei's EMUI).
VENDOR_PROBE_HOSTS = frozenset({"connect.rom.miui.com", "connectivitycheck.platform.hicloud.com"})

# Some Android phones (Samsung's notably) take a private address (10.x, 172.16-31.x,
# 192.168.x) answered for their probe host as a network with no internet, and never open
# the sign-in sheet. So the probe hosts get an address the laptop holds beside the
# hotspot's: one from TEST-NET-1 (RFC 5737, documentation only, routed nowhere), not
# private in the phones' eyes. Its requests are redirected to the portal, which stays on
# the private address. (RFC 8910's DHCP option is not used: phones follow it only to an
# HTTPS page with a certificate they trust, which an offline laptop cannot have.)
PROBE_ADDRESS = "192.0.2.1"
PROBE_HOSTS = frozenset(host for probe in PROBES for host in probe.hosts) | VENDOR_PROBE_HOSTS


def dns_address(name: str, portal: str, probe: str | None = None) -> str:
    """The address the captive DNS answers for ``name`` (lower case, no final dot)."""
    if name == WINDOWS_DNS_NAME:
        return WINDOWS_DNS_ADDRESS
    if probe and name in PROBE_HOSTS:
        return probe
    return portal


def bare_host(host: str | None) -> str:
    """The Host header without its port, lower case, without a trailing dot."""
    host = (host or "").strip().lower()
    if host.startswith("["):
        return host[1:host.find("]")] if "]" in host else host
    if host.count(":") == 1:
        host = host.split(":", 1)[0]
    return host.rstrip(".")


def probe_for(host: str, path: str) -> Probe | None:
    """The connectivity probe a request is, from its Host header and path."""
    host = bare_host(host)
    for probe in PROBES:
        if probe.matches(host, path):
            return probe
    if path in _GENERIC_204.paths:
        return _GENERIC_204
    return None


def is_own_host(host: str, names: tuple[str, ...]) -> bool:
    """Whether a request was meant for the portal itself: an IP literal (a packet only
    reaches us for our own addresses), ``localhost``, our names, or any ``.local``
    name (mDNS resolves it to us only if we announce it: a second desk may use the
    laptop's own name). Any other name reached us through the captive DNS."""
    host = bare_host(host)
    if not host or host == "localhost" or host in names or host.endswith(".local"):
        return True
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def redirect(portal_url: str, path: str = WELCOME_PATH) -> Answer:
    """To the portal by its IP literal: it works even where the phone's DNS is
    encrypted (DNS over HTTPS or TLS never reaches our responder)."""
    return Answer(302, "", headers={"Location": portal_url + path,
                                    "Cache-Control": "no-store"})


def answer(host: str, path: str, online: bool, portal_url: str,
           names: tuple[str, ...]) -> Answer | None:
    """What a request in captive mode gets, or None when the portal serves it normally."""
    probe = probe_for(host, path)
    if probe is not None and not is_own_host(host, names):
        if probe.online is None:
            return redirect(portal_url, WELCOME_PATH if not online else "/")
        if not online:
            return redirect(portal_url)
        return Answer(probe.online.status, probe.online.body, probe.online.content_type,
                      {**probe.online.headers, "Cache-Control": "no-store"})
    if not is_own_host(host, names):
        return redirect(portal_url)
    return None


# ----------------------------------------------------------------- per client
def is_online(store: Any, address: str) -> bool:
    return store.count(TABLE, address=address) > 0


def mark_online(store: Any, address: str, how: str) -> bool:
    """Remember that this address went through the portal (``how``: "register" or
    "continue"); returns whether anything was written."""
    if not address or is_online(store, address):
        return False
    store.insert(TABLE, {"address": address, "how": how, "at": clock.stamp(clock.utcnow())})
    return True


def api_document(online: bool, portal_url: str) -> dict[str, Any]:
    """RFC 8908 Captive Portal API state for one client. Phones fetch it only over
    HTTPS with a certificate they trust, which an offline laptop cannot have: it is
    informative (and used by our own pages and tests)."""
    return {"captive": not online, "user-portal-url": portal_url + WELCOME_PATH,
            "venue-info-url": portal_url + "/"}
