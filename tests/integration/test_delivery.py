"""How pages travel to a phone: HEAD answered, a favicon, gzip for text, static files
under hashed names cached for a year (a real server on loopback)."""

from __future__ import annotations

import gzip
import hashlib
import re
from collections.abc import Iterator

import httpx
import pytest

from ..conftest import Server, module_server


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[Server]:
    """One server for the module: these tests only read (and register people)."""
    with module_server(tmp_path_factory.mktemp("delivery")) as shared:
        yield shared


def test_head_is_answered_wherever_get_is(server):
    person = server.register()
    for path in ("/", "/screen", "/charter", f"/pass/{person['token']}", "/api/v1/health",
                 "/api/v1/event", "/favicon.ico"):
        got = httpx.get(server.url + path, timeout=10)
        head = httpx.head(server.url + path, timeout=10)
        assert head.status_code == got.status_code == 200, path
        assert head.content == b"", path
        assert head.headers["content-type"] == got.headers["content-type"], path


def test_a_favicon_is_served_and_linked(server):
    icon = httpx.get(server.url + "/favicon.ico", timeout=10)
    assert icon.status_code == 200 and icon.content.startswith(b"\x00\x00\x01\x00")
    page = httpx.get(server.url + "/", timeout=10).text
    linked = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', page)
    svg = httpx.get(server.url + linked.group(1), timeout=10)
    assert svg.status_code == 200 and svg.text.startswith("<svg")


def test_text_goes_gzipped_to_clients_that_accept_it(server):
    with httpx.Client(base_url=server.url, timeout=10) as client:
        # httpx would decompress by itself: read the raw bytes as they travelled.
        with client.stream("GET", "/screen", headers={"Accept-Encoding": "gzip"}) as answer:
            travelled = b"".join(answer.iter_raw())
            assert answer.headers["content-encoding"] == "gzip"
            assert "Accept-Encoding" in answer.headers["vary"]
        plain = client.get("/screen", headers={"Accept-Encoding": "identity"})
        assert "content-encoding" not in plain.headers
        assert gzip.decompress(travelled) == plain.content
        assert len(travelled) * 3 < len(plain.content)
        small = client.get("/api/v1/health", headers={"Accept-Encoding": "gzip"})
        assert "content-encoding" not in small.headers  # not worth a gzip header
        refused = client.get("/screen", headers={"Accept-Encoding": "gzip;q=0"})
        assert "content-encoding" not in refused.headers


def test_static_files_carry_their_hash_and_are_kept_a_year(server):
    page = httpx.get(server.url + "/screen", timeout=10).text
    links = re.findall(r'(?:href|src)="(/static/[^"]+)"', page)
    assert {re.sub(r"\.[0-9a-f]{10}\.", ".", link) for link in links} >= {
        "/static/style.css", "/static/screen.css", "/static/live.js", "/static/screen.js"}
    for link in links:
        answer = httpx.get(server.url + link, timeout=10)
        assert answer.status_code == 200, link
        assert answer.headers["cache-control"] == "public, max-age=31536000, immutable"
        # The name is the content's: a changed file is a new name, never a stale copy.
        assert hashlib.sha256(answer.content).hexdigest()[:10] in link
    # The plain name still answers (an old page), revalidated every time.
    plain = httpx.get(server.url + "/static/style.css", timeout=10)
    assert plain.headers["cache-control"] == "no-cache"
    again = httpx.get(server.url + "/static/style.css", timeout=10,
                      headers={"If-None-Match": plain.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    assert httpx.get(server.url + "/static/nothing.css", timeout=10).status_code == 404


def test_every_page_weighs_under_60_kb_with_its_static_files(server):
    person = server.register()
    with httpx.Client(base_url=server.url, timeout=10) as http:
        for path in ("/", "/programme", f"/pass/{person['token']}", "/screen", "/swap",
                     "/notes", "/charter"):
            page = http.get(path)
            assert page.status_code == 200, path
            links = set(re.findall(r'(?:href|src)="(/static/[^"]+)"', page.text))
            total = len(page.content) + sum(len(http.get(link).content) for link in links)
            assert total < 60 * 1024, (path, total)
