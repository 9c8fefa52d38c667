"""What a curious or careless visitor of the open Wi-Fi meets: headers, CSRF, rate
limits, size and time limits, the concierge token's rotation."""

from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
import sys
import time

import httpx
import pytest

FR = {"Accept-Language": "fr-FR,fr;q=0.9"}


@pytest.fixture
def guarded(make_server, monkeypatch):
    """A server with tight limits, so that the test reaches them quickly."""
    monkeypatch.setenv("POPUP_RATE_REGISTER", "3/60")
    monkeypatch.setenv("POPUP_RATE_FAILED_TOKENS", "5/300")
    monkeypatch.setenv("POPUP_REQUEST_TIMEOUT", "1.5")
    monkeypatch.setenv("POPUP_MAX_UPLOAD_BYTES", "20000")
    monkeypatch.setenv("POPUP_MAX_CONNECTIONS_PER_CLIENT", "8")
    return make_server()


def test_security_headers_on_pages_api_errors_and_static_files(server):
    with httpx.Client(base_url=server.url, timeout=10) as http:
        created = server.register(http)
        answers = [http.get("/"), http.get(f"/pass/{created['token']}"),
                   http.get("/api/v1/event"), http.get("/api/v1/stats"),
                   http.get("/nowhere"), http.get("/api/v1/nowhere"),
                   http.get("/static/style.css"), http.delete("/api/v1/health")]
    assert [a.status_code for a in answers] == [200, 200, 200, 401, 404, 404, 200, 405]
    for answer in answers:
        policy = answer.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in policy and "'unsafe-inline'" not in policy
        assert "script-src 'self'" in policy
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["referrer-policy"] == "no-referrer"


def test_a_form_posted_from_elsewhere_is_refused_in_the_visitors_language(server):
    with httpx.Client(base_url=server.url, timeout=10, headers=FR) as http:
        form = {"name": "Léa Petit", "profile": "Habitant·e", "commune": "Apt",
                "consent": "on", "charter": "on"}
        forged = http.post("/register", data=form)  # no cookie, no field: another site
        assert forged.status_code == 403
        assert "Ce formulaire a expiré" in forged.text
        csrf = server.csrf(http)
        wrong = http.post("/register", data={**form, "csrf": csrf[::-1]})
        assert wrong.status_code == 403
        page = http.get("/").text
        assert f'name="csrf" value="{csrf}"' in page
        done = http.post("/register", data={**form, "csrf": csrf})
        assert done.status_code == 303
        assert http.get("/api/v1/stats", headers=server.concierge).json()["registered"] == 1
    # Scripts using the API with JSON and a bearer token need no cookie.
    checked = httpx.post(server.url + "/api/v1/checkins", headers=server.concierge,
                         json={"token": done.headers["location"]})
    assert checked.status_code == 200


def test_registrations_are_rate_limited_per_address_but_not_for_the_desk(guarded):
    with httpx.Client(base_url=guarded.url, timeout=10, headers=FR) as http:
        for n in range(3):
            guarded.register(http, name=f"Personne {n}")
        limited = http.post("/api/v1/participants", json={"name": "Une de trop"})
        assert limited.status_code == 429
        assert int(limited.headers["retry-after"]) >= 1
        error = limited.json()["error"]
        assert error["code"] == "rate_limited" and "Trop d'inscriptions" in error["message"]
        desk = http.post("/api/v1/participants", headers=guarded.concierge, json={
            "name": "Inscrite au comptoir", "profile": "Habitant·e", "commune": "Apt",
            "consent": True, "charter": True})
        assert desk.status_code == 201
    # Another phone of the room is not affected.
    other = httpx.Client(base_url=guarded.url, timeout=10,
                         transport=httpx.HTTPTransport(local_address="127.0.0.2"))
    with other:
        assert guarded.register(other, name="Autre téléphone")["id"]


def test_guessing_passes_is_stopped_after_a_few_failures(guarded):
    with httpx.Client(base_url=guarded.url, timeout=10, headers=FR) as http:
        real = guarded.register(http)
        mine = {"Authorization": f"Bearer {real['token']}"}
        for _ in range(8):  # a good pass asking for something missing is not a guess
            assert http.get("/api/v1/swap/99999", headers=mine).status_code == 404
        assert http.get(f"/pass/{real['token']}").status_code == 200
        for n in range(5):
            assert http.get(f"/pass/{'x' * 21}{n}").status_code == 404
        blocked = http.get(f"/pass/{real['token']}")
        assert blocked.status_code == 429 and "Trop de passes" in blocked.text
        api = http.get("/api/v1/me", headers=mine)
        assert api.status_code == 429 and "retry-after" in api.headers
        # The desk keeps scanning, even wrong passes.
        for _ in range(3):
            assert http.post("/api/v1/checkins", json={"token": "y" * 22},
                             headers=guarded.concierge).status_code == 404
        assert http.post("/api/v1/checkins", json={"token": real["token"]},
                         headers=guarded.concierge).status_code == 200


def test_oversized_bodies_are_refused_with_413(guarded):
    answer = httpx.post(guarded.url + "/api/v1/participants", content=b"{" + b" " * 400_000,
                        headers={"Content-Type": "application/json", **FR}, timeout=10)
    assert answer.status_code == 413
    assert answer.json()["error"]["code"] == "too_large"


def test_a_chunked_body_is_read_whole_and_refused_with_413_when_oversized(guarded):
    """Bodies sent without a length (Transfer-Encoding: chunked), as some scanners' apps
    and phones do: the request receives all of them, and the size limit still holds."""
    person = guarded.register(name="Maëlle Roux")

    def chunks(body: bytes, size: int = 7):
        yield from (body[i:i + size] for i in range(0, len(body), size))

    scanned = httpx.post(guarded.url + "/api/v1/checkins",
                         content=chunks(json.dumps({"token": person["token"]}).encode()),
                         headers={"Content-Type": "application/json", **guarded.concierge},
                         timeout=10)
    assert scanned.request.headers["Transfer-Encoding"] == "chunked"
    assert scanned.status_code == 200, scanned.text
    assert scanned.json()["participant_id"] == person["id"]
    answer = httpx.post(guarded.url + "/api/v1/participants",
                        content=chunks(b"{" + b" " * 400_000, 64 * 1024),
                        headers={"Content-Type": "application/json", **FR}, timeout=10)
    assert answer.status_code == 413
    assert answer.json()["error"]["code"] == "too_large"


@pytest.mark.parametrize("drip", ["headers", "body"])
def test_a_client_dripping_bytes_is_cut_off(guarded, drip):
    head = b"POST /api/v1/participants HTTP/1.1\r\nHost: x\r\nContent-Length: 200\r\n"
    with socket.create_connection(("127.0.0.1", guarded.port)) as sock:
        sock.settimeout(0.05)
        if drip == "body":
            sock.sendall(head + b"Content-Type: application/json\r\n\r\n")
        started = time.monotonic()
        answer = b""
        for n in range(60):  # one byte every 0.1 s: each arrives well within any idle timeout
            # Read before sending: a byte sent after the server's answer and close would
            # draw a reset that can wipe the unread answer on loopback.
            try:
                answer += sock.recv(4096)
            except (TimeoutError, BlockingIOError):
                pass
            except OSError:
                break
            if answer:
                break
            try:
                sock.send(b"X-Slow: 1\r\n"[n % 11:n % 11 + 1] if drip == "headers" else b" ")
            except OSError:
                break
            time.sleep(0.1)
        elapsed = time.monotonic() - started
    assert answer.startswith(b"HTTP/1.1 408"), answer[:80]
    assert elapsed < 4


def test_a_slow_but_steady_upload_is_not_cut(guarded):
    """A phone on a crowded Wi-Fi: 64 KB at about 20 KB/s takes twice the request
    timeout, and still arrives."""
    body = b'{"answers": {"pad": "' + b"a" * 65_500 + b'"}}'
    head = (b"PUT /api/v1/me/answers HTTP/1.1\r\nHost: x\r\nContent-Type: application/json"
            b"\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n")
    with socket.create_connection(("127.0.0.1", guarded.port)) as sock:
        sock.sendall(head)
        started = time.monotonic()
        for start in range(0, len(body), 2048):
            sock.sendall(body[start:start + 2048])
            time.sleep(0.1)
        assert time.monotonic() - started > 2 * 1.5
        sock.settimeout(5)
        answer = sock.recv(4096)
    assert answer.startswith(b"HTTP/1.1 401"), answer[:80]  # read whole, then refused: no pass


def test_one_device_cannot_take_every_connection(guarded):
    held = [socket.create_connection(("127.0.0.1", guarded.port)) for _ in range(8)]
    try:
        time.sleep(0.2)
        with socket.create_connection(("127.0.0.1", guarded.port)) as extra:
            extra.settimeout(5)
            assert extra.recv(200).startswith(b"HTTP/1.1 429")
        other = httpx.Client(transport=httpx.HTTPTransport(local_address="127.0.0.2"))
        with other:  # another phone of the room still gets in
            assert other.get(guarded.url + "/api/v1/health").status_code == 200
    finally:
        for sock in held:
            sock.close()
    time.sleep(0.2)
    assert httpx.get(guarded.url + "/api/v1/health").status_code == 200


def test_the_server_lifts_the_open_files_limit(tmp_path):
    """A laptop's usual soft limit (1,024 files) would refuse phones past a thousand."""
    import resource

    from ..conftest import free_port

    port = free_port()
    command = [sys.executable, "-m", "popup_tierslieu", "up", "--headless", "--no-mdns",
               "--host", "127.0.0.1", "--port", str(port), "--data", str(tmp_path / "e")]
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_NOFILE,
                                                                  (256, hard)))
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/v1/health").status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        limits = open(f"/proc/{proc.pid}/limits").read()
        soft = next(line.split()[3] for line in limits.splitlines()
                    if line.startswith("Max open files"))
        assert int(soft) >= min(hard, 4096) > 256
    finally:
        proc.kill()  # nothing to save in this folder
        proc.wait(15)


def test_rotating_the_concierge_token_stops_the_old_one_at_once(server):
    old = server.concierge
    assert httpx.get(server.url + "/api/v1/stats", headers=old).status_code == 200
    rotated = subprocess.run([sys.executable, "-m", "popup_tierslieu", "token", "--rotate",
                              "--data", str(server.data_dir)], capture_output=True, text=True,
                             timeout=30)
    assert rotated.returncode == 0, rotated.stderr
    new = rotated.stdout.strip()
    assert stat.S_IMODE(server.data_dir.joinpath("concierge.token").stat().st_mode) == 0o600
    assert new == server.token and f"Bearer {new}" != old["Authorization"]
    assert httpx.get(server.url + "/api/v1/stats", headers=old).status_code == 403
    assert httpx.get(server.url + "/api/v1/stats",
                     headers={"Authorization": f"Bearer {new}"}).status_code == 200


def rotate_token(folder) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "popup_tierslieu", "token", "--rotate",
                           "--data", str(folder)], capture_output=True, text=True, timeout=30,
                          env={**os.environ, "POPUP_LANG": "fr"})


def test_a_folder_put_in_place_of_the_token_keeps_the_desk_open_and_rotating_says_the_fix(
        server):
    old = server.concierge
    token = server.data_dir / "concierge.token"
    token.unlink()
    token.mkdir()
    for _ in range(2):
        assert httpx.get(server.url + "/api/v1/stats", headers=old).status_code == 200
    log = (server.data_dir / "logs" / "server.log").read_text()
    said = [line for line in log.splitlines() if "concierge token" in line]
    assert len(said) == 1 and str(token) in said[0] and "Fix:" in said[0], log
    assert "Traceback" not in log
    refused = rotate_token(server.data_dir)
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert refused.stderr.strip() == (
        f"popup: Impossible d'écrire le jeton de conciergerie {token} : un dossier ou un "
        "fichier que vous ne pouvez pas remplacer occupe sa place. Solution : déplacez-le "
        f"(mv {token} {token}.old), puis relancez la commande.")
    assert sorted(p.name for p in server.data_dir.glob("concierge.token*")) == [
        "concierge.token"]
    token.rename(f"{token}.old")  # the fix it gave
    rotated = rotate_token(server.data_dir)
    assert rotated.returncode == 0, rotated.stderr
    new = {"Authorization": f"Bearer {rotated.stdout.strip()}"}
    assert httpx.get(server.url + "/api/v1/stats", headers=new).status_code == 200
    assert httpx.get(server.url + "/api/v1/stats", headers=old).status_code == 403
