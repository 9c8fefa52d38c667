"""The participant portal over real HTTP: races for the last places, the pass page's
forms without JavaScript, bad input, page weight and no external request."""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urljoin

import httpx
import pytest

from popup_tierslieu import domain
from popup_tierslieu.domain import bookings
from popup_tierslieu.kit import load
from popup_tierslieu.store import Store

from ..conftest import Server, free_port
from ..portal_kit import write_portal_kit

RACERS = 50


@pytest.fixture(scope="module")
def portal(tmp_path_factory) -> Iterator[Server]:
    """One server for the module (starting one costs seconds on a busy machine): each
    test works on its own workshop or slot, or compares counts before and after."""
    folder = tmp_path_factory.mktemp("portal")
    server = Server(folder / "event", free_port(),
                    str(write_portal_kit(folder, capacity=10))).start()
    yield server
    server.stop()


@pytest.fixture
def own_portal(make_server, tmp_path):
    """A server of its own, for a test that stops and restarts it."""
    return make_server(kit=str(write_portal_kit(tmp_path, capacity=10)))


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def register_many(server, count: int) -> list[dict]:
    """Participants registered at the desk (the desk is not rate-limited)."""
    with httpx.Client(base_url=server.url, timeout=10, headers=server.concierge) as http:
        return [server.register(http, name=f"Participant·e {n}") for n in range(count)]


def race(server, method: str, path: str, people: list[dict], json: dict | None = None) -> list:
    """Everyone presses at the same instant, each from their own connection."""
    start = threading.Barrier(len(people))

    def press(person: dict) -> httpx.Response:
        with httpx.Client(base_url=server.url, timeout=30) as http:
            start.wait()
            return http.request(method, path, json=json, headers=bearer(person["token"]))

    with ThreadPoolExecutor(len(people)) as pool:
        return list(pool.map(press, people))


def me(server, person: dict) -> dict:
    return httpx.get(server.url + "/api/v1/me", headers=bearer(person["token"]), timeout=10).json()


@contextlib.contextmanager
def browser_like(server, lang: str = "fr") -> Iterator[httpx.Client]:
    """A phone without JavaScript: cookies kept, redirects followed, one language."""
    with httpx.Client(base_url=server.url, timeout=10, follow_redirects=True,
                      headers={"Accept-Language": "fr-FR,fr;q=0.9" if lang == "fr"
                               else "en-GB,en;q=0.9"}) as http:
        http.get("/")
        yield http


def post_form(http: httpx.Client, path: str, data: dict | None = None) -> httpx.Response:
    return http.post(path, data={"csrf": http.cookies.get("csrf"), **(data or {})})


def registered(server) -> int:
    return httpx.get(server.url + "/api/v1/stats", headers=server.concierge,
                     timeout=10).json()["registered"]


def flash(page: httpx.Response) -> str:
    found = re.search(r'<p id="flash"[^>]*>(.*?)</p>', page.text, re.S)
    assert found, page.text[:2000]
    return found.group(1).strip()


# -------------------------------------------------------------------- races
def test_fifty_phones_for_ten_places_then_a_cancel_promotes_the_first_waiting(portal):
    people = register_many(portal, RACERS)
    answers = race(portal, "POST", "/api/v1/workshops/visio/registrations", people)
    assert {r.status_code for r in answers} == {201}
    results = [r.json() for r in answers]
    confirmed = [p for p, r in zip(people, results, strict=True) if r["status"] == "confirmed"]
    waiting = sorted(((r["position"], p) for p, r in zip(people, results, strict=True)
                      if r["status"] == "waitlisted"), key=lambda item: item[0])
    assert len(confirmed) == 10
    assert [position for position, _ in waiting] == list(range(1, 41))
    event = httpx.get(portal.url + "/api/v1/event").json()
    visio = next(w for w in event["workshops"] if w["id"] == "visio")
    assert (visio["confirmed"], visio["waitlisted"], visio["left"]) == (10, 40, 0)

    first, second = waiting[0][1], waiting[1][1]
    cancelled = httpx.request("DELETE", portal.url + "/api/v1/workshops/visio/registrations",
                              headers=bearer(confirmed[0]["token"]), timeout=10)
    assert cancelled.json() == {"status": "cancelled", "promoted": 1}
    promoted = [r for r in me(portal, first)["registrations"] if r["workshop_id"] == "visio"]
    assert promoted[0]["status"] == "confirmed" and promoted[0]["position"] is None
    moved_up = [r for r in me(portal, second)["registrations"] if r["workshop_id"] == "visio"]
    assert moved_up[0]["position"] == 1
    page = httpx.get(f"{portal.url}/pass/{first['token']}", headers={"Accept-Language": "fr"})
    assert "confirmé" in page.text


def test_fifty_phones_for_twelve_seats(portal):
    people = register_many(portal, RACERS)
    answers = race(portal, "POST", "/api/v1/seats/bookings", people,
                   json={"slot_id": "matin", "space_id": "coworking"})
    booked = [r.json() for r in answers if r.status_code == 201]
    refused = [r for r in answers if r.status_code != 201]
    assert len(booked) == 12
    assert sorted(b["seat"] for b in booked) == list(range(1, 13))
    assert {r.status_code for r in refused} == {409}
    assert all(r.json()["error"]["code"] == "conflict" for r in refused)
    seats = httpx.get(portal.url + "/api/v1/seats").json()["seats"]
    morning = next(s for s in seats if s["slot_id"] == "matin" and s["space_id"] == "coworking")
    assert (morning["taken"], morning["free"]) == (12, 0)


def test_a_promotion_reaches_the_open_pass_page_live(portal):
    people = register_many(portal, 6)  # "journee" has 5 places
    for person in people:
        httpx.post(portal.url + "/api/v1/workshops/journee/registrations",
                   headers=bearer(person["token"]), timeout=10)
    first, waiting = people[0], people[5]
    seen: list[str] = []
    ready = threading.Event()

    def listen() -> None:
        with httpx.stream("GET", f"{portal.url}/api/v1/stream?token={waiting['token']}",
                          timeout=10) as stream:
            for line in stream.iter_lines():
                if line.startswith("event:"):
                    seen.append(line.split(":", 1)[1].strip())
                    if seen[-1] == "hello":
                        ready.set()
                    if seen[-1] == "promoted":
                        return

    listener = threading.Thread(target=listen, daemon=True)
    listener.start()
    assert ready.wait(10)
    httpx.request("DELETE", portal.url + "/api/v1/workshops/journee/registrations",
                  headers=bearer(first["token"]), timeout=10)
    listener.join(10)
    assert "promoted" in seen


# ------------------------------------------------- the pass page, no JavaScript
def test_a_participant_does_everything_from_the_pass_page_without_javascript(portal):
    with browser_like(portal) as http:
        page = post_form(http, "/register", {
            "name": "Noémie Garnier", "profile": "Indépendant·e", "commune": "Bonnieux",
            "consent": "on", "charter": "on", "answers.frequence": "hebdo"})
        assert page.status_code == 200 and "/pass/" in str(page.url)
        pass_path = page.url.path
        token = pass_path.rsplit("/", 1)[1]

        page = post_form(http, f"{pass_path}/workshops/plateau")
        assert flash(page) == "Votre place est confirmée."
        assert "Annuler mon inscription" in page.text

        page = post_form(http, f"{pass_path}/workshops/journee")
        assert flash(page).startswith("Vous êtes déjà inscrit·e à « Plateau ouvert")
        assert page.status_code == 200

        page = post_form(http, f"{pass_path}/seats", {"slot_id": "apres-midi",
                                                      "space_id": "coworking"})
        assert flash(page) == "Le poste 1 est à vous."
        page = post_form(http, f"{pass_path}/seats", {"slot_id": "apres-midi",
                                                      "space_id": "coworking"})
        assert flash(page) == "Le poste 1 est à vous."  # a double submit books once
        assert len(me(portal, {"token": token})["seats"]) == 1

        page = post_form(http, f"{pass_path}/answers", {
            "answers.frequence": "quotidien", "answers.services": ["wifi", "fablab"],
            "answers.convivialite": "5"})
        assert flash(page) == "Vos réponses sont enregistrées. Merci !"
        assert me(portal, {"token": token})["answers"] == {
            "frequence": "quotidien", "services": ["wifi", "fablab"], "convivialite": 5}
        wrong = post_form(http, f"{pass_path}/answers", {"answers.prix-journee": "9999"})
        assert wrong.status_code == 400 and "0 à 100" in wrong.text

        page = post_form(http, f"{pass_path}/workshops/plateau/cancel")
        assert flash(page) == "Votre inscription est annulée."
        assert me(portal, {"token": token})["registrations"] == []

        confirm = http.get(f"{pass_path}/delete")
        assert "Oui, tout supprimer" in confirm.text
        unconfirmed = post_form(http, f"{pass_path}/delete")
        assert unconfirmed.url.path == f"{pass_path}/delete"
        assert httpx.get(portal.url + "/api/v1/me", headers=bearer(token)).status_code == 200
        gone = post_form(http, f"{pass_path}/delete", {"confirm": "yes"})
        assert flash(gone) == "Votre inscription et toutes vos données sont supprimées."
        assert httpx.get(portal.url + "/api/v1/me", headers=bearer(token)).status_code == 401
        assert http.get(pass_path).status_code == 404


def test_messages_follow_the_visitors_language(portal):
    (person,) = register_many(portal, 1)
    with browser_like(portal, "en") as http:
        page = post_form(http, f"/pass/{person['token']}/workshops/visio-2")
        assert flash(page) == "Your place is confirmed."
        page = post_form(http, f"/pass/{person['token']}/workshops/nope")
        assert flash(page) == "Unknown workshop."
        french = http.get(f"/pass/{person['token']}?lang=fr")
        assert "confirmé" in french.text and "Ateliers" in french.text


# ------------------------------------------------------------------ bad input
def test_bad_registrations_get_a_clear_message_and_keep_what_was_typed(portal):
    before = registered(portal)
    with browser_like(portal) as http:
        empty = post_form(http, "/register")
        assert empty.status_code == 400
        assert "Ce champ est obligatoire." in empty.text
        huge = post_form(http, "/register", {"name": "x" * 10_000, "profile": "Habitant·e",
                                             "commune": "Gordes", "consent": "on",
                                             "charter": "on"})
        assert huge.status_code == 400 and "80 caractères au plus." in huge.text
        assert 'value="Gordes"' in huge.text
    with browser_like(portal, "en") as http:
        assert "This field is required." in post_form(http, "/register").text
    assert registered(portal) == before


def test_unknown_and_cancelled_workshops_and_double_submits(own_portal):
    portal = own_portal
    (person, other) = register_many(portal, 2)
    pass_path = f"/pass/{person['token']}"
    with browser_like(portal) as http:
        assert flash(post_form(http, f"{pass_path}/workshops/nope")) == "Atelier inconnu."
        assert flash(post_form(http, f"{pass_path}/workshops/{'x' * 2000}")) == "Atelier inconnu."
        assert flash(post_form(http, f"{pass_path}/seats/99999/cancel")) == \
            "Réservation de poste inconnue."
        for _ in range(3):
            assert flash(post_form(http, f"{pass_path}/workshops/visio")) == \
                "Votre place est confirmée."
    assert len(me(portal, person)["registrations"]) == 1
    api = httpx.post(portal.url + "/api/v1/workshops/visio/registrations",
                     headers=bearer(other["token"]), timeout=10)
    assert api.json() == {"status": "confirmed", "position": None}

    portal.stop()
    kit = load(portal.kit)
    with Store.open(portal.data_dir, indexes=domain.INDEXES) as store:
        bookings.set_cancelled(store, kit, "visio")
        store.commit_sync()
    portal.start()

    with browser_like(portal) as http:
        page = http.get(pass_path)
        assert "Annulé" in page.text
        assert flash(post_form(http, f"/pass/{other['token']}/workshops/visio")) != ""
    refused = httpx.post(portal.url + "/api/v1/workshops/visio/registrations",
                         headers={**bearer(register_many(portal, 1)[0]["token"]),
                                  "Accept-Language": "fr"}, timeout=10)
    assert refused.status_code == 409
    assert refused.json()["error"]["message"] == "Cet atelier est annulé."
    # Nothing was lost: the registration is still on record, marked as cancelled.
    (kept,) = me(portal, person)["registrations"]
    assert kept["workshop_id"] == "visio" and kept["cancelled"] is True


# ------------------------------------------------------------- weight, hosts
ASSET = re.compile(r'<(?:link|script|img)\b[^>]*?(?:href|src)="([^"]+)"')


def test_the_registration_page_weighs_under_60_kb_with_its_assets(portal):
    with httpx.Client(base_url=portal.url, timeout=10) as http:
        page = http.get("/")
        total = len(page.content)
        assets = ASSET.findall(page.text)
        assert any(re.fullmatch(r"/static/style\.[0-9a-f]{10}\.css", href) for href in assets)
        for href in assets:
            total += len(http.get(href).content)
    assert total < 60 * 1024, total


EXTERNAL = re.compile(r"""(?:src|href|action)\s*=\s*["']?\s*((?:https?:)?//[^"'\s>]+)"""
                      r"""|url\(\s*["']?((?:https?:)?//[^"')]+)""", re.I)


def test_no_page_references_an_external_host(portal):
    (person,) = register_many(portal, 1)
    own = portal.url
    pages = ["/", f"/pass/{person['token']}", f"/pass/{person['token']}/fragment",
             f"/pass/{person['token']}/delete", "/screen", "/screen/fragment", "/charter",
             "/swap"]
    checked = 0
    with httpx.Client(base_url=own, timeout=10) as http:
        for path in pages:
            page = http.get(path)
            if path == "/swap" and page.status_code == 404:
                continue
            assert page.status_code == 200, path
            texts = [page.text] + [http.get(urljoin(own, href)).text
                                   for href in ASSET.findall(page.text)]
            for text in texts:
                for match in EXTERNAL.finditer(text):
                    url = match.group(1) or match.group(2)
                    assert url.startswith(own), f"{path} refers to {url}"
            checked += 1
    assert checked >= 7
