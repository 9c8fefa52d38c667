"""What each portal page weighs on the wire: its HTML and the static files it links,
as sent (gzip) and unpacked, with the event's photos left out.

Targets: every page under 60 kB unpacked with its static files (issue 15), and the
gzip answers several times smaller than the unpacked ones. A second visit costs only
the HTML: the static files carry their hash and are kept for a year.

Run: .venv/bin/python bench/page_weight.py
"""

from __future__ import annotations

import asyncio
import re
import sys
import tempfile
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from loopback import start_server  # noqa: E402

LINKED = re.compile(r'<(?:link|script)\b[^>]*?(?:href|src)="(/static/[^"]+)"')
LIMIT = 60 * 1024


def weigh(http: httpx.Client, path: str) -> tuple[int, int, int] | None:
    """(HTML as sent, HTML unpacked, static files unpacked) in bytes, or None if absent."""
    with http.stream("GET", path, headers={"Accept-Encoding": "gzip"}) as answer:
        if answer.status_code != 200:
            return None
        sent = len(b"".join(answer.iter_raw()))
    page = http.get(path, headers={"Accept-Encoding": "identity"})
    assets = sum(len(http.get(href, headers={"Accept-Encoding": "identity"}).content)
                 for href in set(LINKED.findall(page.text)))
    return sent, len(page.content), assets


async def main() -> None:
    with tempfile.TemporaryDirectory(prefix="popup-weight-") as place:
        server = await start_server(Path(place) / "event")
        try:
            url = f"http://127.0.0.1:{server.port}"
            with httpx.Client(base_url=url, timeout=10) as http:
                person = http.post("/api/v1/participants", json={
                    "name": "Camille Martin", "profile": "Habitant·e", "commune": "Lourmarin",
                    "consent": True, "charter": True}).json()
                pages = ["/", "/programme", f"/pass/{person['token']}",
                         f"/pass/{person['token']}/delete", "/screen", "/swap", "/notes",
                         "/charter", "/welcome"]
                print(f"{'page':<28} {'HTML sent':>10} {'HTML':>8} {'static':>8} "
                      f"{'total':>8}  under 60 kB")
                for path in pages:
                    found = weigh(http, path)
                    if found is None:
                        continue
                    sent, html, assets = found
                    shown = path.replace(person["token"], "<token>")
                    print(f"{shown:<28} {sent / 1024:>8.1f}kB {html / 1024:>6.1f}kB "
                          f"{assets / 1024:>6.1f}kB {(html + assets) / 1024:>6.1f}kB  "
                          f"{'yes' if html + assets < LIMIT else 'NO'}"
                          f"   (gzip {html / max(sent, 1):.1f}x)")
        finally:
            server.stop()


if __name__ == "__main__":
    asyncio.run(main())
