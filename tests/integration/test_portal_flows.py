"""The participant's flows over real HTTP, on one server whose kit surrounds today:
bookings follow the event's clock, the pass QR only checks in, the desk can give a pass
link again."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import icalendar
import pytest

from popup_tierslieu.kit import load

from ..conftest import KITS, Server, module_server
from ..portal_kit import write_clock_kit
from ..qrcodes import decode_qr_in
from .test_portal import bearer, browser_like, flash, post_form, register_many, registered


@pytest.fixture(scope="module")
def portal(tmp_path_factory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("flows")
    with module_server(folder, write_clock_kit(folder)) as server:
        yield server


def workshop_item(page: str, title: str) -> str:
    """The programme entry of one workshop on a pass page."""
    found = re.search(r'<li class="workshop[^"]*">(?:(?!</li>).)*?' + re.escape(title)
                      + r".*?</li>", page, re.S)
    assert found, title
    return found.group(0)


# --------------------------------------------------------------- the clock
def test_past_workshops_and_slots_cannot_be_booked_and_labels_follow_the_clock(portal):
    (person,) = register_many(portal, 1)
    api = httpx.post(portal.url + "/api/v1/workshops/hier/registrations",
                     headers=bearer(person["token"]), timeout=10)
    assert api.status_code == 409
    assert api.json()["error"]["message"] == "Les inscriptions à cet atelier sont closes."
    seat = httpx.post(portal.url + "/api/v1/seats/bookings", headers=bearer(person["token"]),
                      json={"slot_id": "hier-matin", "space_id": "coworking"}, timeout=10)
    assert seat.status_code == 409
    with browser_like(portal) as http:
        page = post_form(http, f"/pass/{person['token']}/workshops/hier")
        assert flash(page) == "Les inscriptions à cet atelier sont closes."
        past = workshop_item(page.text, "Atelier d&#39;hier")
        assert "terminé" in past and "Inscriptions closes." in past and "<form" not in past
        running = workshop_item(page.text, "Fil rouge")
        assert "en cours" in running and "à venir" not in running
        coming = workshop_item(page.text, "Plateau ouvert")
        assert "à venir" in coming and "en cours" not in coming
        slots = {m.group(1): m.group(2) for m in re.finditer(
            r'<div class="slot (\w+)">\s*<h3>([^\n]*)</h3>', page.text)}
        assert slots == {"past": slots["past"], "future": slots["future"]}
        assert "Hier matin" in slots["past"] and "en cours" not in page.text.split(
            'id="seats"', 1)[1]
        assert flash(post_form(http, f"/pass/{person['token']}/workshops/plateau")) == \
            "Votre place est confirmée."
    me = httpx.get(portal.url + "/api/v1/me", headers=bearer(person["token"])).json()
    assert [r["workshop_id"] for r in me["registrations"]] == ["plateau"]
    # The desk may still record someone in a workshop that is over.
    desk = httpx.post(portal.url + "/api/v1/desk/workshops/hier/registrations",
                      json={"participant_id": person["id"]}, headers=portal.concierge)
    assert desk.status_code == 201, desk.text
    me = httpx.get(portal.url + "/api/v1/me", headers=bearer(person["token"])).json()
    assert {r["workshop_id"] for r in me["registrations"]} == {"plateau", "hier"}


# -------------------------------------------------------------- check-in code
def test_the_pass_qr_checks_in_but_cannot_manage_the_pass(portal):
    person = portal.register(name="Camille Martin")
    pass_page = httpx.get(f"{portal.url}/pass/{person['token']}").text
    scanned = decode_qr_in(pass_page)
    assert scanned == person["checkin_url"] and "/c/" in scanned
    code = scanned.rsplit("/", 1)[1]
    assert code != person["token"]

    shown = httpx.get(scanned)
    assert shown.status_code == 200 and "Présentez ce code à l'accueil" in shown.text
    assert "Camille" in shown.text and "Martin" not in shown.text
    assert "Lourmarin" not in shown.text and person["token"] not in shown.text
    for path in (f"/pass/{code}", f"/pass/{code}/delete", f"/pass/{code}/fragment"):
        assert httpx.get(portal.url + path).status_code == 404, path
    assert httpx.get(portal.url + "/api/v1/me", headers=bearer(code)).status_code == 401

    checkin = httpx.post(portal.url + "/api/v1/checkins", json={"token": scanned},
                         headers=portal.concierge)
    assert checkin.json()["participant_id"] == person["id"]
    assert checkin.json()["already_checked_in"] is False
    for again in (code, person["pass_url"], person["token"]):  # old passes keep working
        answer = httpx.post(portal.url + "/api/v1/checkins", json={"token": again},
                            headers=portal.concierge)
        assert answer.json()["already_checked_in"] is True, again
    assert httpx.get(portal.url + "/c/" + person["token"]).status_code == 404


def test_the_desk_can_give_a_lost_pass_link_again(portal):
    (person,) = register_many(portal, 1)
    path = f"/api/v1/participants/{person['id']}/pass"
    assert httpx.get(portal.url + path).status_code == 401
    assert httpx.get(portal.url + path, headers=bearer(person["token"])).status_code in (401, 403)
    again = httpx.get(portal.url + path, headers=portal.concierge).json()
    assert again["pass_url"] == person["pass_url"]
    assert again["checkin_url"] == person["checkin_url"]
    assert httpx.get(portal.url + "/api/v1/participants/999999/pass",
                     headers=portal.concierge).status_code == 404


# ---------------------------------------------------- one registration per person
def test_a_registration_form_sent_twice_or_again_from_the_same_phone_registers_once(portal):
    before = registered(portal)
    form = {"name": "Léon Arnaud", "profile": "Habitant·e", "commune": "Goult",
            "consent": "on", "charter": "on"}
    with browser_like(portal) as http:
        welcome = http.get("/").text
        nonce = re.search(r'name="nonce" value="([^"]+)"', welcome).group(1)
        first = post_form(http, "/register", {**form, "nonce": nonce})
        again = post_form(http, "/register", {**form, "nonce": nonce})  # Back, then submit
        assert first.url.path == again.url.path and "/pass/" in first.url.path
        # A new form on the same phone for the same person: still one registration.
        fresh = re.search(r'name="nonce" value="([^"]+)"', http.get("/").text).group(1)
        assert fresh != nonce
        same_person = post_form(http, "/register", {**form, "nonce": fresh,
                                                     "name": "léon ARNAUD"})
        assert same_person.url.path == first.url.path
        charter = re.sub("[\u2066-\u2069]", "", http.get("/charter").text)  # isolate marks
        assert "Ce téléphone a le pass de Léon Arnaud." in charter
        # Someone else registering on that phone (a companion) is a new participant.
        other = post_form(http, "/register", {**form, "name": "Zoé Arnaud", "nonce": re.search(
            r'name="nonce" value="([^"]+)"', http.get("/").text).group(1)})
        assert other.url.path != first.url.path
    assert registered(portal) == before + 2


def pass_holder(page: httpx.Response) -> str:
    """The name a pass page shows at its top."""
    found = re.search(r'<p class="who"><strong><bdi>([^<]*)</bdi>', page.text)
    assert found, page.text[:2000]
    return found.group(1)


def test_a_form_page_sent_again_with_someone_elses_details_is_their_own_pass(portal):
    form = {"profile": "Habitant·e", "commune": "Bonnieux", "consent": "on", "charter": "on"}
    before = registered(portal)
    with browser_like(portal) as tablet:  # the venue's tablet, passed from hand to hand
        nonce = re.search(r'name="nonce" value="([^"]+)"', tablet.get("/").text).group(1)
        anna = post_form(tablet, "/register", {**form, "name": "Anna Vidal",
                                               "email": "anna@example.org", "nonce": nonce})
        # Back, then the same form with the next person's details.
        bruno = post_form(tablet, "/register", {**form, "name": "Bruno Faure", "nonce": nonce})
        assert pass_holder(bruno) == "Bruno Faure" and bruno.url.path != anna.url.path
        charter = re.sub("[\u2066-\u2069]", "", tablet.get("/charter").text)
        assert "Ce téléphone a le pass de Bruno Faure." in charter
        # The same person sending it again, as typed with other case and spaces: one pass.
        again = post_form(tablet, "/register", {**form, "name": " anna  VIDAL ",
                                                "email": "Anna@Example.org", "nonce": nonce})
        assert again.url.path == anna.url.path
    assert registered(portal) == before + 2


def test_the_api_hands_a_replayed_nonce_back_only_for_the_same_person(portal):
    body = {"profile": "Habitant·e", "commune": "Lacoste", "consent": True, "charter": True,
            "nonce": "nonce-of-one-form-page-0001"}
    first = portal.register(**body, name="Chloé Morel")
    other = portal.register(**body, name="David Morel")
    assert other["token"] != first["token"]
    assert httpx.get(portal.url + "/api/v1/me", headers=bearer(other["token"]),
                     timeout=10).json()["name"] == "David Morel"
    assert portal.register(**body, name="chloé morel")["token"] == first["token"]


# ------------------------------------------------------------- the note form
@pytest.mark.parametrize("photo, status, said", [
    (b"\xff\xd8\xff\xe0" + bytes(25 * 1024 * 1024), 413, "Cette photo est trop lourde (25 Mo)"),
    (b"\x00\x00\x00\x18ftypheic" + bytes(2000), 415, "JPEG, PNG ou WebP"),
], ids=["25-MB", "heic"])
def test_a_refused_photo_keeps_the_typed_note_and_is_said_once_at_its_field(portal, photo,
                                                                             status, said):
    person = portal.register(name="Marius Caillat")
    typed = "Le coin café a tout changé :\n- les gens sont restés"
    with browser_like(portal) as http:
        answer = http.post(f"/pass/{person['token']}/notes", data={
            "csrf": http.cookies.get("csrf"), "title": "Coin café", "body": typed,
            "kind": "worked", "tags": "café, accueil"},
            files={"file": ("IMG_0001.jpg", photo, "image/jpeg")}, timeout=60)
    assert answer.status_code == status
    page = answer.text
    assert typed.replace("\n", "\n") in page.replace("&#39;", "'")
    assert 'value="Coin café"' in page and 'value="café, accueil"' in page
    field_error = re.search(r'<p class="error" id="note-file-error"[^>]*>(.*?)</p>', page, re.S)
    assert field_error and said in field_error.group(1)
    assert page.count(field_error.group(1)) == 1  # not again at the top of the form


# ---------------------------------------------------------- forms that guide
@pytest.fixture(scope="module")
def forum(tmp_path_factory) -> Iterator[Server]:
    """The forum kit: its survey has required questions."""
    with module_server(tmp_path_factory.mktemp("forum"), KITS / "forum-journee.toml") as server:
        yield server


def autofocused(page: str) -> list[str]:
    return re.findall(r'<(?:input|select|textarea)\b[^>]*?\bid="([^"]+)"[^>]*\bautofocus\b',
                      page)


def test_the_registration_form_opens_at_its_first_error_and_names_every_field(forum):
    with browser_like(forum) as http:
        welcome = http.get("/").text
        optional = welcome.split('<details class="survey"', 1)[1].split("</details>", 1)[0]
        assert 'id="q-situation"' in welcome and 'id="q-situation"' not in optional
        sent = post_form(http, "/register", {"name": "Aurore Bastide", "profile": "Habitant·e",
                                             "consent": "on"})
        assert sent.status_code == 400
        assert 'action="/register"' in sent.text
        assert autofocused(sent.text) == ["commune"]
        summary = re.search(r'<div class="error-summary".*?</div>', sent.text, re.S).group(0)
        for anchor, label in (("commune", "Votre commune"), ("q-situation", "situation de"),
                              ("charter", "Charte d&#39;usage")):
            assert re.search(rf'<a href="#{anchor}">[^<]*{label}', summary), (anchor, summary)


def test_switching_language_after_an_error_keeps_what_was_typed(forum):
    before = registered(forum)
    with browser_like(forum) as http:
        sent = post_form(http, "/register", {"name": "Aurore Bastide", "email": "a@b.example",
                                             "answers.structure": "Un local"})
        assert sent.status_code == 400 and 'name="switch_lang" value="en"' in sent.text
        english = post_form(http, "/register", {
            "name": "Aurore Bastide", "email": "a@b.example", "answers.structure": "Un local",
            "switch_lang": "en"})
        assert english.status_code == 200 and '<html lang="en">' in english.text
        assert "Sign up" in english.text and "Ce champ est obligatoire" not in english.text
        for kept in ('value="Aurore Bastide"', 'value="a@b.example"', 'value="Un local"'):
            assert kept in english.text
        assert '<html lang="en">' in http.get("/").text  # the choice stays
        assert http.get("/register?lang=fr").status_code == 200  # no 405
    assert registered(forum) == before


def test_pass_forms_answer_their_errors_where_they_are(forum):
    person = forum.register(profile="Habitant·e", answers={"situation": "independant"})
    with browser_like(forum) as http:
        survey = post_form(http, f"/pass/{person['token']}/answers",
                           {"answers.situation": "nope"})
        assert survey.status_code == 400
        assert f'action="/pass/{person["token"]}/answers#survey"' in survey.text
        assert autofocused(survey.text) == ["situation-independant"]
        desk = post_form(http, f"/pass/{person['token']}/desk", {"item": "", "text": ""})
        assert desk.status_code == 400
        assert autofocused(desk.text) == ["desk-text"]
        error = re.search(r'<p class="error" id="desk-text-error"[^>]*>([^<]*)</p>', desk.text)
        said = "Choisissez une demande dans la liste ou écrivez ce dont vous avez besoin."
        assert error and error.group(1) == said and desk.text.count(said) == 1


# --------------------------------------------------------- the public programme
def test_the_public_programme_shows_each_workshop_and_downloads_as_a_calendar(portal):
    (person,) = register_many(portal, 1)
    with browser_like(portal) as http:
        assert 'href="/programme"' in http.get("/").text
        page = http.get("/programme").text
        plateau = workshop_item(page, "Plateau ouvert")
        for shown in ("Salle de réunion", "Élu·e, chef·fe d&#39;entreprise",
                      "Places restantes : 1", "Liste d'attente : 0", "à venir"):
            assert shown in plateau, shown
        assert "On y a appris à réparer un vélo." in workshop_item(page, "Atelier d&#39;hier")
        assert len(page.encode()) < 60_000
        download = http.get("/programme.ics")
    assert download.headers["content-type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(download.content)
    events = {str(e["uid"]).split("@")[0]: e for e in calendar.walk("VEVENT")}
    kit = load(portal.kit)
    assert set(events) == {w.id for w in kit.workshops}
    visio = kit.workshop("visio")
    assert events["visio"].decoded("dtstart").replace(tzinfo=None) == visio.start
    assert str(events["visio"].decoded("dtstart").tzinfo) == "Europe/Paris"
    assert not calendar.walk("VALARM")

    httpx.post(portal.url + "/api/v1/workshops/visio/registrations",
               headers=bearer(person["token"]), timeout=10)
    mine = httpx.get(f"{portal.url}/pass/{person['token']}/workshops/visio/calendar.ics")
    (event,) = icalendar.Calendar.from_ical(mine.content).walk("VEVENT")
    assert str(event["summary"]) == visio.title.fr
    (alarm,) = event.walk("VALARM")
    assert alarm.decoded("trigger").total_seconds() == -15 * 60
    assert httpx.get(f"{portal.url}/pass/{person['token']}/workshops/plateau/"
                     "calendar.ics").status_code == 404


def test_the_erasure_page_lists_everything_it_removes(portal):
    person = portal.register(name="Odile Brun", answers={"frequence": "hebdo"})
    me = bearer(person["token"])
    assert httpx.post(portal.url + "/api/v1/notes", headers=me, json={
        "title": "Le coin café", "body": "On est restés discuter.", "kind": "worked"},
        timeout=10).status_code == 201
    assert httpx.post(portal.url + "/api/v1/swap", headers=me, json={
        "kind": "offer", "title": "Réparer un vélo", "description": "Freins, chaîne.",
        "category": "Vie locale"}, timeout=10).status_code == 201
    httpx.post(portal.url + "/api/v1/workshops/plateau/registrations", headers=me, timeout=10)
    page = httpx.get(f"{portal.url}/pass/{person['token']}/delete").text
    listed = [re.sub(r"\s+", " ", item).strip()
              for item in re.findall(r"<li>(.*?)</li>", page.split('class="erasure"', 1)[1])]
    for line in ("vos inscriptions aux ateliers et vos places en liste d'attente (1)",
                 "vos réponses au questionnaire (1)", "vos notes (1)", "vos photos (0)",
                 "vos offres et demandes du troc des connaissances (1)",
                 "vos rendez-vous du troc (0)"):
        assert line in listed, (line, listed)


def test_a_participant_corrects_their_details_from_the_pass(portal):
    person = portal.register(name="Jule Perrin", commune="Apt")
    pass_path = f"/pass/{person['token']}"
    with browser_like(portal) as http:
        wrong = post_form(http, f"{pass_path}/details", {"name": " ", "commune": "Roussillon"})
        assert wrong.status_code == 400 and autofocused(wrong.text) == ["details-name"]
        assert 'value="Roussillon"' in wrong.text and "Ce champ est obligatoire." in wrong.text
        done = post_form(http, f"{pass_path}/details", {
            "name": "Jules Perrin", "commune": "Roussillon", "contact_optin": "on"})
        assert flash(done) == "Vos informations sont enregistrées."
    me = httpx.get(portal.url + "/api/v1/me", headers=bearer(person["token"])).json()
    assert (me["name"], me["commune"], me["contact_optin"]) == ("Jules Perrin", "Roussillon",
                                                                True)


def test_companions_are_capped_by_the_kit_and_a_resent_form_adds_no_one(portal):
    holder = portal.register(name="Nadia Ferrand")
    form = {"name": "Enfant", "profile": "Habitant·e", "commune": "Apt", "consent": "on",
            "charter": "on"}
    before = registered(portal)
    with browser_like(portal) as http:
        pass_path = f"/pass/{holder['token']}"
        for n in range(3):
            nonce = re.search(r'name="nonce" value="([^"]+)"', http.get(pass_path).text)
            sent = {**form, "name": f"Enfant {n}", "nonce": nonce.group(1)}
            post_form(http, f"{pass_path}/companions", sent)
            post_form(http, f"{pass_path}/companions", sent)  # sent twice: one person
        assert 'action="/pass/' + holder["token"] + '/companions' not in http.get(pass_path).text
        with_three = http.get(pass_path)
        assert len(with_three.content) < 60_000  # the page weight budget, three QR codes in
        refused = post_form(http, f"{pass_path}/companions", {**form, "name": "Enfant 4"})
        assert flash(refused) == "Vous pouvez inscrire au plus 3 personnes avec votre pass."
    assert registered(portal) == before + 3


def test_a_companion_form_carrying_someone_elses_nonce_never_takes_that_person(portal):
    form = {"profile": "Habitant·e", "commune": "Gordes", "consent": "on", "charter": "on"}
    with browser_like(portal) as stranger_phone:
        nonce = re.search(r'name="nonce" value="([^"]+)"',
                          stranger_phone.get("/").text).group(1)
        post_form(stranger_phone, "/register", {**form, "name": "Sacha Roux", "nonce": nonce})
    holder = portal.register(name="Irène Blanc")
    pass_path = f"/pass/{holder['token']}"
    before = registered(portal)
    with browser_like(portal) as http:
        # The holder's form, its nonce swapped for the one Sacha's registration used.
        added = post_form(http, f"{pass_path}/companions",
                          {**form, "name": "Timéo Blanc", "nonce": nonce})
        assert flash(added) == "Timéo Blanc est inscrit·e, avec son propre pass ci-dessous."
        listed = re.findall(r'<div class="companion">\s*<h3><bdi>([^<]*)</bdi>', added.text)
        assert listed == ["Timéo Blanc"]  # Sacha's pass is not handed to the holder
    assert registered(portal) == before + 1


def test_a_companion_form_sent_again_with_another_childs_name_adds_that_child(portal):
    holder = portal.register(name="Hugo Lambert")
    pass_path = f"/pass/{holder['token']}"
    form = {"profile": "Habitant·e", "commune": "Apt", "consent": "on", "charter": "on"}
    with browser_like(portal) as http:
        nonce = re.search(r'name="nonce" value="([^"]+)"', http.get(pass_path).text).group(1)
        post_form(http, f"{pass_path}/companions", {**form, "name": "Lou Lambert",
                                                    "nonce": nonce})
        # Back, then the same form with the second child's name.
        added = post_form(http, f"{pass_path}/companions", {**form, "name": "Noé Lambert",
                                                            "nonce": nonce})
        assert flash(added) == "Noé Lambert est inscrit·e, avec son propre pass ci-dessous."
        listed = re.findall(r'<div class="companion">\s*<h3><bdi>([^<]*)</bdi>', added.text)
        assert listed == ["Lou Lambert", "Noé Lambert"]


def test_swap_matches_read_in_words_not_as_a_raw_score(portal):
    asker, helper = (portal.register(name=n) for n in ("Marc Olivier", "Inès Garnier"))
    for person, kind, title in ((asker, "request", "Apprendre la comptabilité"),
                                (helper, "offer", "Cours de comptabilité pour débuter")):
        assert httpx.post(portal.url + "/api/v1/swap", headers=bearer(person["token"]), json={
            "kind": kind, "title": title, "description": "Recettes, URSSAF, logiciel.",
            "category": "Gestion et comptabilité", "tags": ["compta"]},
            timeout=10).status_code == 201
    page = httpx.get(f"{portal.url}/pass/{asker['token']}").text
    assert "Cours de comptabilité pour débuter" in page
    assert re.search(r"(très proche de|proche de|peut correspondre à) votre annonce", page)
    assert "affinité" not in page


def test_a_multi_day_event_shows_the_day_beside_each_hour(portal):
    from babel.dates import format_date

    person = portal.register(name="Rose Blanc")
    httpx.post(portal.url + "/api/v1/workshops/plateau/registrations",
               headers=bearer(person["token"]), timeout=10)
    page = httpx.get(f"{portal.url}/pass/{person['token']}",
                     headers={"Accept-Language": "fr"}).text
    start = load(portal.kit).workshop("plateau").start
    day = format_date(start.date(), format="EEE d MMM", locale="fr")
    bookings = page.split('id="my-bookings"', 1)[1].split("</section>", 1)[0]
    assert f"{day} · 16h00 · Plateau ouvert" in bookings
    seats = page.split('id="seats"', 1)[1].split("</section>", 1)[0]
    assert f"{day} · 09h00" in seats
