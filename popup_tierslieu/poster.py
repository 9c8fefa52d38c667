"""The printable poster: join the Wi-Fi, open the portal, in one scan each.

An A4 HTML page with print CSS (always), and a PDF when a headless Chromium is
installed. The portal QR holds the IP-literal URL: it works without mDNS and
without the captive DNS. The portal's name (``slug.local``) and the IP are also
printed in text, for phones that cannot scan.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from . import i18n, qr
from .errors import N_
from .kit import Kit
from .net import hotspot, lan
from .net.mdns import host_name

# Three lines, printed in French then English.
INSTRUCTIONS = (
    N_("1. Scan the left code with your phone's camera to join the Wi-Fi."),
    N_("2. The event's page opens by itself; otherwise scan the right code."),
    N_("3. Register to get your pass: show it at the desk when you arrive."),
)
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


@dataclass(frozen=True)
class Poster:
    kit: Kit
    address: str
    port: int

    @property
    def portal_url(self) -> str:
        return lan.url(self.address, self.port) + "/"

    @property
    def name_url(self) -> str:
        return lan.url(f"{host_name(self.kit.event.slug)}.local", self.port) + "/"

    @property
    def wifi_data(self) -> str:
        wifi = self.kit.wifi
        return qr.wifi_data(wifi.ssid, wifi.password, wifi.security, wifi.hidden)

    def html(self) -> str:
        from .web.render import render

        return render("poster.html", kit=self.kit, poster=self, lang="fr",
                      instructions=[(i18n.gettext(m, "fr"), i18n.gettext(m, "en"))
                                    for m in INSTRUCTIONS])


def default_address() -> str:
    """The hotspot's address if it is up (NetworkManager's shared range), otherwise
    the address NetworkManager gives every hotspot by default."""
    found = hotspot.address()
    if found and found[1].startswith("10.42."):
        return found[1]
    return hotspot.NM_DEFAULT_ADDRESS


def find_browser() -> str | None:
    return next((path for name in BROWSERS if (path := shutil.which(name))), None)


def to_pdf(html_file: Path, pdf_file: Path, browser: str, timeout: float = 90) -> bool:
    """Print the HTML page to PDF with a headless Chromium; False if it failed."""
    with tempfile.TemporaryDirectory(prefix="popup-poster-") as profile:
        command = [browser, "--headless", "--no-sandbox", "--disable-gpu",
                   "--no-pdf-header-footer", f"--user-data-dir={profile}",
                   f"--print-to-pdf={pdf_file}", html_file.resolve().as_uri()]
        try:
            subprocess.run(command, capture_output=True, timeout=timeout, check=False)
        except (OSError, subprocess.TimeoutExpired):
            return False
    return pdf_file.exists() and pdf_file.stat().st_size > 0
