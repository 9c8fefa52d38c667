"""Notes and photos over real HTTP: metadata stripped, real images only, bounded size,
file names that cannot escape the event folder, only the author adds photos."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import zipfile

import httpx
import pytest
from PIL import Image

from ..conftest import Server, free_port

GPS_IFD = 0x8825
NOTE = {"title": "Ce qui a marché à l'atelier visio", "body": "Le **Jitsi** local.",
        "kind": "worked", "workshop_id": "visio"}


def gps_jpeg(size=(1200, 900), noise: bool = False) -> bytes:
    image = Image.effect_noise(size, 80).convert("RGB") if noise else Image.new(
        "RGB", size, (30, 90, 160))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[GPS_IFD] = {1: "N", 2: (43.0, 45.0, 30.0), 3: "E", 4: (5.0, 22.0, 10.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes(), quality=95)
    return out.getvalue()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def add_note(server, token: str, **fields) -> int:
    response = httpx.post(server.url + "/api/v1/notes", json={**NOTE, **fields},
                          headers=bearer(token), timeout=10)
    assert response.status_code == 201, response.text
    return response.json()["id"]


def upload(server, token: str, note_id: int, data: bytes, name: str = "photo.jpg",
           mime: str = "image/jpeg", **fields) -> httpx.Response:
    return httpx.post(f"{server.url}/api/v1/notes/{note_id}/photos", headers=bearer(token),
                      files={"file": (name, data, mime)}, data=fields, timeout=20)


def uploads(server) -> set[str]:
    folder = server.data_dir / "uploads"
    return {p.name for p in folder.iterdir()} if folder.exists() else set()


@pytest.fixture(scope="module")
def event(tmp_path_factory):
    """One server for the tests that only look at what they add: starting a server
    costs more than all of them together."""
    server = Server(tmp_path_factory.mktemp("notes") / "event", free_port())
    yield server.start()
    server.stop()


def test_a_photo_with_gps_is_stored_and_served_without_it(event):
    server = event
    before = uploads(server)
    me = server.register()
    note_id = add_note(server, me["token"])
    data = gps_jpeg(size=(3000, 2000))
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(GPS_IFD)

    response = upload(server, me["token"], note_id, data)
    assert response.status_code == 201, response.text
    photo = response.json()
    assert (photo["width"], photo["height"]) == (1600, 1067)

    (stored,) = uploads(server) - before
    on_disk = (server.data_dir / "uploads" / stored).read_bytes()
    assert dict(Image.open(io.BytesIO(on_disk)).getexif()) == {}
    assert b"PhoneMaker" not in on_disk and b"Exif" not in on_disk
    served = httpx.get(server.url + photo["url"], timeout=10)
    assert served.status_code == 200 and served.headers["content-type"] == "image/jpeg"
    assert served.content == on_disk

    page = httpx.get(server.url + "/notes/workshop/visio", timeout=10).text
    assert "Ce qui a marché à l&#39;atelier visio" in page and photo["url"] in page


def test_a_text_file_named_jpg_is_refused_with_415(event):
    server = event
    before = uploads(server)
    me = server.register()
    note_id = add_note(server, me["token"])
    response = upload(server, me["token"], note_id, b"Ceci n'est pas une image.\n" * 20,
                      name="vacances.jpg")
    assert response.status_code == 415
    assert response.json()["error"]["code"] == "unsupported_media"
    assert uploads(server) == before


def test_above_the_limit_the_answer_is_413_in_json(make_server, monkeypatch):
    monkeypatch.setenv("POPUP_MAX_UPLOAD_BYTES", str(300_000))
    server = make_server()
    me = server.register()
    note_id = add_note(server, me["token"])
    data = gps_jpeg(size=(600, 500), noise=True)
    assert 300_000 < len(data) < 300_000 + 256 * 1024  # past the photo limit only
    response = upload(server, me["token"], note_id, data)
    assert response.status_code == 413
    error = response.json()["error"]
    assert error["code"] == "too_large" and "0.3 M" in error["message"]  # MB or Mo

    # Far past the limit, the server refuses the request before reading it.
    response = upload(server, me["token"], note_id, os.urandom(2 * 1024 * 1024))
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"
    assert uploads(server) == set()


NAMES = ["../../../escaped.jpg", "/tmp/escaped.jpg", "..\\..\\escaped.jpg",
         "uploads/../../escaped.jpg", "%2e%2e%2fescaped.jpg", "escaped.jpg\x00.png"]


def test_file_names_sent_by_the_phone_change_nothing_outside_the_event(event):
    server = event
    already = uploads(server)
    me = server.register()
    note_id = add_note(server, me["token"])
    root = server.data_dir.parent
    before = {p for p in root.rglob("*") if "uploads" not in p.parts}
    for name in NAMES:
        response = upload(server, me["token"], note_id, gps_jpeg(size=(200, 150)), name=name)
        assert response.status_code == 201, name
    stored = uploads(server) - already
    assert len(stored) == len(NAMES)
    assert not any("escaped" in s or ".." in s for s in stored)
    after = {p for p in root.rglob("*") if "uploads" not in p.parts}
    assert not any("escaped" in p.name for p in after - before)
    assert not os.path.exists("/tmp/escaped.jpg")


def test_only_the_author_adds_photos(event):
    server = event
    before = uploads(server)
    author, other = server.register(), server.register(name="Samir Benali")
    note_id = add_note(server, author["token"])
    assert upload(server, other["token"], note_id, gps_jpeg()).status_code == 403
    assert upload(server, server.token, note_id, gps_jpeg()).status_code == 403
    anonymous = httpx.post(f"{server.url}/api/v1/notes/{note_id}/photos",
                           files={"file": ("a.jpg", gps_jpeg(), "image/jpeg")}, timeout=10)
    assert anonymous.status_code == 401
    assert uploads(server) == before


def test_a_photo_of_people_who_did_not_agree_is_not_shown_publicly(event):
    server = event
    me = server.register()
    note_id = add_note(server, me["token"])
    photo = upload(server, me["token"], note_id, gps_jpeg(), people="on").json()
    assert photo["published"] is False
    assert httpx.get(server.url + photo["url"], timeout=10).status_code == 404
    assert httpx.get(server.url + photo["url"], headers=server.concierge,
                     timeout=10).status_code == 200
    public = httpx.get(f"{server.url}/api/v1/notes/{note_id}", timeout=10).json()
    assert public["photos"] == []
    own = httpx.get(f"{server.url}/api/v1/notes/{note_id}", headers=bearer(me["token"]),
                    timeout=10).json()
    assert [p["id"] for p in own["photos"]] == [photo["id"]]


def test_notes_are_rendered_safely_and_reach_the_screen(event):
    server = event
    me = server.register()
    add_note(server, me["token"], title="Atelier <b>visio</b>",
             body="<script>alert(1)</script> [x](javascript:alert(2)) **ok**")
    concierge_note = add_note(server, server.token, title="Prévoir des multiprises",
                              kind="tip", workshop_id=None)
    page = httpx.get(server.url + "/notes/workshop/visio", timeout=10).text
    assert "<script>alert(1)" not in page and "&lt;script&gt;" in page
    assert 'href="javascript' not in page and "<strong>ok</strong>" in page
    assert "Atelier &lt;b&gt;visio&lt;/b&gt;" in page
    listed = httpx.get(server.url + "/api/v1/notes", timeout=10).json()["notes"]
    assert [n["id"] for n in listed][0] == concierge_note
    assert listed[0]["author"] == "La conciergerie"  # in the reader's language
    screen = httpx.get(server.url + "/screen/fragment", timeout=10).text
    assert "Prévoir des multiprises" in screen


def test_the_concierge_keeps_a_log_and_marks_a_host(event):
    server = event
    me = server.register()
    for text in ("Ouverture, café prêt", "Coupure Wi-Fi 10 min"):
        response = httpx.post(server.url + "/api/v1/journal", json={"text": text},
                              headers=server.concierge, timeout=10)
        assert response.status_code == 201
    entries = httpx.get(server.url + "/api/v1/journal", headers=server.concierge,
                        timeout=10).json()["entries"]
    assert [e["text"] for e in entries] == ["Ouverture, café prêt", "Coupure Wi-Fi 10 min"]
    assert httpx.get(server.url + "/api/v1/journal", timeout=10).status_code == 401
    response = httpx.post(server.url + "/api/v1/workshops/visio/hosts",
                          json={"participant_id": me["id"]}, headers=server.concierge,
                          timeout=10)
    assert response.json()["hosts"] == ["visio"]
    pass_page = httpx.get(f"{server.url}/pass/{me['token']}", timeout=10).text
    assert f"/pass/{me['token']}/notes/new?workshop_id=visio&amp;template=1" in pass_page
    form = httpx.get(f"{server.url}/pass/{me['token']}/notes/new",
                     params={"workshop_id": "visio", "template": "1"},
                     headers={"Accept-Language": "fr"}, timeout=10).text
    for section in ("## Ce qui a été présenté", "## Questions posées", "## Ressources",
                    "## Suites à donner"):
        assert section in form


def test_popup_export_docs_writes_the_folder_and_the_zip(server, tmp_path):
    me = server.register(name="Hélène Roux")
    note_id = add_note(server, me["token"], body="## Bilan\n\nLe **Jitsi** local a tenu.")
    assert upload(server, me["token"], note_id, gps_jpeg()).status_code == 201
    assert upload(server, me["token"], note_id, gps_jpeg(), people="on").status_code == 201
    out = tmp_path / "published"
    result = subprocess.run(
        [sys.executable, "-m", "popup_tierslieu", "export", str(server.data_dir), "--format",
         "docs", "--out", str(out)], capture_output=True, text=True, timeout=60,
        env={**os.environ, "POPUP_LANG": "fr"})
    assert result.returncode == 0, result.stderr
    root = out / "tiers-lieu-ephemere-documentation"
    assert str(root.with_suffix(".zip")) in result.stdout
    (page,) = (root / "notes" / "visio" / "worked").iterdir()
    assert "Hélène Roux" in page.read_text() and "**Jitsi**" in page.read_text()
    assert "'''Jitsi'''" in (root / "mediawiki" / "index.wiki").read_text()
    assert len(list((root / "photos").iterdir())) == 1
    assert "1 photo(s)" in (root / "index.md").read_text()
    assert "Creative Commons" in (root / "LICENSE").read_text()
    with zipfile.ZipFile(root.with_suffix(".zip")) as archive:
        assert archive.testzip() is None
        assert f"{root.name}/index.md" in archive.namelist()


def test_erasing_my_data_removes_my_notes_and_my_photo_files(event):
    server = event
    before = uploads(server)
    me, other = server.register(), server.register(name="Samir Benali")
    mine = add_note(server, me["token"])
    kept = add_note(server, other["token"])
    assert upload(server, me["token"], mine, gps_jpeg()).status_code == 201
    assert upload(server, other["token"], kept, gps_jpeg()).status_code == 201
    assert len(uploads(server) - before) == 2
    response = httpx.delete(server.url + "/api/v1/me", headers=bearer(me["token"]), timeout=10)
    assert response.status_code == 200
    assert len(uploads(server) - before) == 1
    listed = httpx.get(server.url + "/api/v1/notes", timeout=10).json()["notes"]
    ids = [n["id"] for n in listed]
    assert mine not in ids and kept in ids
    assert len(listed[ids.index(kept)]["photos"]) == 1


def test_the_pass_page_form_works_without_javascript(event):
    server = event
    me = server.register(name="Nadia Lefèvre")
    with httpx.Client(base_url=server.url, timeout=10, follow_redirects=False) as phone:
        phone.get(f"/pass/{me['token']}")
        csrf = phone.cookies["csrf"]
        fields = {"csrf": csrf, "title": "Le coin calme", "kind": "idea",
                  "about": "space:coworking", "body": "Une cabine pour téléphoner.",
                  "attribution": "anonymous"}
        response = phone.post(f"/pass/{me['token']}/notes", data=fields,
                              files={"file": ("IMG.jpg", gps_jpeg(), "image/jpeg")})
        assert response.status_code == 303
        note_page = phone.get(response.headers["location"]).text
        assert "Le coin calme" in note_page and "Nadia" not in note_page
        assert "Espace coworking" in note_page and "/photos/" in note_page

        withheld = phone.post(f"/pass/{me['token']}/notes", data={**fields, "people": "on"},
                              files={"file": ("IMG.jpg", gps_jpeg(), "image/jpeg")})
        withheld_page = phone.get(withheld.headers["location"]).text
        assert "n&#39;ont pas accepté sa publication" in withheld_page
        assert "/photos/" not in withheld_page

        refused = phone.post(f"/pass/{me['token']}/notes",
                             data={**fields, "about": "space:cave", "title": "Encore"})
        assert refused.status_code == 400
        assert "Choisissez un espace dans la liste." in refused.text
        assert "Une cabine pour téléphoner." in refused.text


def test_the_desk_hides_a_note_everywhere_and_its_author_deletes_one(event):
    server = event
    me, other = server.register(), server.register(name="Samir Benali")
    hidden_id = add_note(server, me["token"], title="Une note à masquer")
    photo = upload(server, me["token"], hidden_id, gps_jpeg()).json()
    response = httpx.post(f"{server.url}/api/v1/notes/{hidden_id}/hide", json={},
                          headers=server.concierge, timeout=10)
    assert response.json() == {"id": hidden_id, "hidden": True}
    assert hidden_id not in [n["id"] for n in httpx.get(
        server.url + "/api/v1/notes", timeout=10).json()["notes"]]
    assert httpx.get(f"{server.url}/notes/{hidden_id}", timeout=10).status_code == 404
    assert httpx.get(server.url + photo["url"], timeout=10).status_code == 404
    assert "Une note à masquer" not in httpx.get(server.url + "/screen/fragment",
                                                 timeout=10).text
    desk = httpx.get(server.url + "/api/v1/notes", params={"all": "1"},
                     headers=server.concierge, timeout=10).json()["notes"]
    assert [n["hidden"] for n in desk if n["id"] == hidden_id] == [True]
    assert httpx.post(f"{server.url}/api/v1/notes/{hidden_id}/hide",
                      headers=bearer(me["token"]), timeout=10).status_code == 403
    httpx.post(f"{server.url}/api/v1/notes/{hidden_id}/hide", json={"hidden": False},
               headers=server.concierge, timeout=10)
    assert httpx.get(f"{server.url}/notes/{hidden_id}", timeout=10).status_code == 200

    before = uploads(server)
    assert httpx.delete(f"{server.url}/api/v1/notes/{hidden_id}", headers=bearer(
        other["token"]), timeout=10).status_code == 403
    assert httpx.delete(f"{server.url}/api/v1/notes/{hidden_id}", headers=bearer(
        me["token"]), timeout=10).json() == {"deleted": True}
    assert len(before - uploads(server)) == 1  # the photo's file is gone
    assert httpx.get(f"{server.url}/api/v1/notes/{hidden_id}", timeout=10).status_code == 404


def test_a_new_note_is_announced_on_the_public_stream(event):
    server = event
    me = server.register()
    with httpx.stream("GET", server.url + "/api/v1/stream", timeout=10) as stream:
        lines = stream.iter_lines()
        assert next(lines).startswith("retry:")
        note_id = add_note(server, me["token"], title="Annoncée")
        seen = []
        for line in lines:
            seen.append(line)
            if line.startswith("data:") and seen[-2] == "event: note":
                break
    assert f'"id":{note_id}' in seen[-1] and '"action":"created"' in seen[-1]
