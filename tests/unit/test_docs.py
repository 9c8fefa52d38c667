"""Open documentation: safe Markdown, licence and attribution, the publishable bundle."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

import pytest
from PIL import Image

from popup_tierslieu import domain
from popup_tierslieu.domain import docs, participants, photos
from popup_tierslieu.errors import Forbidden, InvalidInput, NotFound, RateLimited
from popup_tierslieu.kit import KIT_COPY, default_kit, parse, starter_text
from popup_tierslieu.report.docs_bundle import write_bundle
from popup_tierslieu.report.wikitext import to_wikitext
from popup_tierslieu.store import Store

DAY = dt.date(2026, 6, 12)
KIT = default_kit(DAY)
MORNING = dt.datetime(2026, 6, 12, 9, 30, tzinfo=dt.UTC)
PERSON = {"name": "Hélène Roux", "profile": KIT.profiles[0], "commune": "Cucuron",
          "consent": True, "charter": True}
NOTE = {"title": "La visio sans stress", "body": "On a testé **Jitsi**.", "kind": "worked",
        "workshop_id": "visio", "tags": "visio, #outils"}


@pytest.fixture
def store(tmp_path):
    with Store.open(tmp_path / "event", indexes=domain.INDEXES) as store:
        yield store


def jpeg(people_color=(10, 120, 60)) -> photos.Photo:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), people_color).save(out, "JPEG")
    return photos.prepare(out.getvalue(), max_bytes=1 << 20)


# ------------------------------------------------------------------ Markdown
@pytest.mark.parametrize("source, forbidden", [
    ("<script>alert(1)</script>", "<script"),
    ("hello <img src=x onerror=alert(1)>", "<img"),
    # A refused link stays as plain text: no href at all.
    ("[clic](javascript:alert(1))", "href"),
    ("[clic](JaVaScRiPt:alert(1))", "href"),
    ("[clic](vbscript:msgbox)", "href"),
    ("[x](data:text/html;base64,PHNjcmlwdD4=)", "href"),
    ("<javascript:alert(1)>", "href"),
    ("<a href='javascript:x'>a</a>", "<a href"),
    ('<div onclick="x()">raw</div>', "<div"),
    ("![pic](http://example.org/track.png)", "<img"),
    ("<iframe src='http://example.org'></iframe>", "<iframe"),
])
def test_markdown_never_lets_html_or_scripts_through(source, forbidden):
    html = docs.render_markdown(source)
    assert forbidden.lower() not in html.lower()


def test_raw_html_is_shown_as_text_not_dropped():
    assert "&lt;script&gt;" in docs.render_markdown("<script>alert(1)</script>")


def test_markdown_formats_what_people_write():
    html = docs.render_markdown("## Bilan\n\n- **Wi-Fi** ok\n- [Movilab](https://movilab.org)")
    assert "<h2>Bilan</h2>" in html and "<strong>Wi-Fi</strong>" in html
    assert 'href="https://movilab.org"' in html and 'rel="noopener noreferrer nofollow"' in html


# --------------------------------------------------------- notes, licence
def test_a_note_carries_the_kit_licence_and_its_authors_name(store):
    person = participants.register(store, KIT, PERSON, MORNING)
    note = docs.add_note(store, KIT, NOTE, docs.Author.participant(person), MORNING)
    assert note["licence"] == "CC-BY-SA-4.0"
    assert docs.credit(note) == "Hélène Roux"
    assert note["tags"] == ["visio", "outils"]
    assert note["participant_id"] == person["id"] and note["author_kind"] == "participant"


def test_a_kit_with_cc0_gives_its_notes_cc0(store):
    kit, problems = parse(starter_text(DAY).replace('licence = "CC-BY-SA-4.0"',
                                                    'licence = "CC0-1.0"'))
    assert not problems
    note = docs.add_note(store, kit, NOTE, docs.Author.concierge(), MORNING)
    assert note["licence"] == "CC0-1.0"
    assert kit.licence_name.startswith("Creative Commons Zero")


def test_an_anonymous_note_credits_nobody(store):
    person = participants.register(store, KIT, PERSON, MORNING)
    note = docs.add_note(store, KIT, {**NOTE, "attribution": "anonymous"},
                         docs.Author.participant(person), MORNING)
    assert docs.credit(note) is None and note["author_name"] is None


def test_attribution_list_names_each_author_once_and_counts_anonymous(store):
    hel = participants.register(store, KIT, PERSON, MORNING)
    sam = participants.register(store, KIT, {**PERSON, "name": "Samir Benali"}, MORNING)
    for who, attribution in ((hel, "name"), (hel, "name"), (sam, "anonymous"),
                             (sam, "name")):
        docs.add_note(store, KIT, {**NOTE, "attribution": attribution},
                      docs.Author.participant(who), MORNING)
    docs.add_note(store, KIT, NOTE, docs.Author.concierge(), MORNING)
    names, anonymous = docs.attributions(docs.notes(store))
    assert names == ["Hélène Roux", "Samir Benali", "The concierge desk"]
    assert anonymous == 1


@pytest.mark.parametrize("change, field", [
    ({"title": ""}, "title"), ({"body": "   "}, "body"), ({"kind": "rant"}, "kind"),
    ({"workshop_id": "nope"}, "workshop_id"), ({"title": "x" * 121}, "title"),
    ({"attribution": "someone else"}, "attribution"), ({"space_id": "cave"}, "space_id"),
    ({"swap_id": "12"}, "swap_id"), ({"tags": ",".join(f"t{i}" for i in range(11))}, "tags"),
])
def test_a_bad_note_says_which_field_is_wrong(store, change, field):
    with pytest.raises(InvalidInput) as caught:
        docs.add_note(store, KIT, {**NOTE, **change}, docs.Author.concierge(), MORNING)
    assert field in caught.value.fields
    assert store.count("notes") == 0


def test_only_the_author_can_add_photos(store, tmp_path):
    hel = participants.register(store, KIT, PERSON, MORNING)
    sam = participants.register(store, KIT, {**PERSON, "name": "Samir Benali"}, MORNING)
    note = docs.add_note(store, KIT, NOTE, docs.Author.participant(hel), MORNING)
    with pytest.raises(Forbidden):
        docs.add_photo(store, tmp_path, note, docs.Author.participant(sam), jpeg(), {})
    with pytest.raises(Forbidden):
        docs.add_photo(store, tmp_path, note, docs.Author.concierge(), jpeg(), {})
    photo = docs.add_photo(store, tmp_path, note, docs.Author.participant(hel), jpeg(), {})
    assert (tmp_path / "uploads" / photo["file"]).read_bytes().startswith(b"\xff\xd8")


def test_erasing_a_participant_erases_their_notes_and_photos(store, tmp_path):
    hel = participants.register(store, KIT, PERSON, MORNING)
    note = docs.add_note(store, KIT, NOTE, docs.Author.participant(hel), MORNING)
    docs.add_photo(store, tmp_path, note, docs.Author.participant(hel), jpeg(), {})
    participants.delete(store, KIT, hel["id"])
    assert store.count("notes") == 0 and store.count("photos") == 0


def test_hosts_are_found_by_name_or_marked_by_the_concierge(store):
    kit, problems = parse(starter_text(DAY).replace(
        'host = "Élu·e, chef·fe d\'entreprise et gestionnaire local"',
        'host = "Nadia Lefèvre et Paul Girard"'))
    assert not problems
    nadia = participants.register(store, kit, {**PERSON, "name": "nadia lefevre"}, MORNING)
    assert [w.id for w in docs.hosted_workshops(store, kit, nadia)] == ["plateau"]
    hel = participants.register(store, kit, PERSON, MORNING)
    assert docs.hosted_workshops(store, kit, hel) == []
    hel = docs.mark_host(store, kit, hel["id"], "visio")
    assert [w.id for w in docs.hosted_workshops(store, kit, hel)] == ["visio"]


def test_the_concierge_log_keeps_timestamped_lines_in_order(store):
    docs.add_log_entry(store, "Ouverture, 14 personnes", MORNING)
    docs.add_log_entry(store, "Coupure Wi-Fi 10 min", MORNING + dt.timedelta(hours=1))
    assert [e["text"] for e in docs.log_entries(store)] == ["Ouverture, 14 personnes",
                                                            "Coupure Wi-Fi 10 min"]
    with pytest.raises(InvalidInput):
        docs.add_log_entry(store, "  ")


# ---------------------------------------------------------------- the export
def test_wikitext_formats_and_neutralises_wiki_markup():
    wiki = to_wikitext("## Bilan\n\n**gras** [Movilab](https://movilab.org) "
                       "{{Modèle}} [[Page]] <script>x</script> [x](javascript:alert(1))")
    assert "== Bilan ==" in wiki and "'''gras'''" in wiki
    assert "[https://movilab.org Movilab]" in wiki
    assert "{{" not in wiki and "[[" not in wiki and "<script" not in wiki
    assert "[javascript" not in wiki  # the refused link stays text, never a wiki link


def test_the_bundle_has_pages_by_workshop_and_kind_photos_licence_and_wiki(tmp_path):
    folder = tmp_path / "event"
    with Store.open(folder, indexes=domain.INDEXES) as store:
        hel = participants.register(store, KIT, PERSON, MORNING)
        author = docs.Author.participant(hel)
        worked = docs.add_note(store, KIT, {**NOTE, "body": "<script>x</script> ok"}, author,
                               MORNING)
        tip = docs.add_note(store, KIT, {"title": "Prévoir des multiprises", "kind": "tip",
                                         "body": "Au moins **trois**.",
                                         "attribution": "anonymous"},
                            docs.Author.concierge(), MORNING)
        shown = docs.add_photo(store, folder, worked, author, jpeg(), {})
        docs.add_photo(store, folder, worked, author, jpeg(), {"people": "on", "agreed": "on"})
        docs.add_photo(store, folder, worked, author, jpeg(), {"people": "on"})
        docs.add_log_entry(store, "Ouverture à 8h30", MORNING)
    (folder / KIT_COPY).write_text(KIT.text, encoding="utf-8")

    archive = write_bundle(folder, tmp_path / "out")
    root = tmp_path / "out" / "tiers-lieu-ephemere-documentation"
    assert archive == root.with_suffix(".zip")
    worked_page = root / f"notes/visio/worked/{worked['id']}-la-visio-sans-stress.md"
    tip_page = root / f"notes/evenement/tip/{tip['id']}-prevoir-des-multiprises.md"
    assert worked_page.is_file() and tip_page.is_file()
    text = worked_page.read_text()
    assert "# La visio sans stress" in text and "Hélène Roux" in text
    assert "<script" not in text
    assert f"../../../photos/tiers-lieu-ephemere-photo-{shown['id']}.jpg" in text
    assert len(list((root / "photos").iterdir())) == 2  # the unagreed one is left out
    index = (root / "index.md").read_text()
    assert index.index("Tout l'événement") < index.index("Bien travailler à distance")
    assert "1 photo(s)" in index and "laissée(s) de côté" in index
    licence = (root / "LICENSE").read_text()
    assert "Creative Commons Attribution-ShareAlike 4.0" in licence
    assert "- Hélène Roux" in licence and "1 contribution(s) anonyme(s)" in licence
    wiki = (root / "mediawiki/index.wiki").read_text()
    assert "=== Ce qui a marché ===" in wiki and "'''trois'''" in wiki
    assert "Ouverture à 8h30" in (root / "journal.md").read_text()
    with zipfile.ZipFile(archive) as handle:
        names = handle.namelist()
    assert "tiers-lieu-ephemere-documentation/LICENSE" in names
    assert sum(n.endswith(".jpg") for n in names) == 2


@pytest.mark.parametrize("change", [
    {"kind": ["worked"]}, {"kind": {"a": 1}}, {"attribution": ["name"]}, {"title": 42},
    {"body": ["x"]}, {"swap_id": 1e308 * 10}, {"swap_id": [1]}, {"workshop_id": ["visio"]},
    {"author_name": "x" * 500}, {"tags": {"a": "b"}}, {"space_id": {"x": 1}},
])
def test_odd_json_values_are_refused_as_input_errors(store, change):
    try:
        docs.add_note(store, KIT, {**NOTE, **change}, docs.Author.concierge(), MORNING)
    except InvalidInput:
        return
    assert store.count("notes") == 1  # accepted as text, never a crash


def test_a_workshop_added_during_the_event_gets_its_notes_and_its_title(tmp_path):
    folder = tmp_path / "event"
    with Store.open(folder, indexes=domain.INDEXES) as store:
        store.insert("workshops", {"key": "compta", "title": "Compta d'indépendant",
                                   "room": "salle-1", "capacity": 8,
                                   "start": "2026-06-12T15:00:00",
                                   "end": "2026-06-12T16:00:00"})
        note = docs.add_note(store, KIT, {**NOTE, "workshop_id": "compta"},
                             docs.Author.concierge(), MORNING)
    (folder / KIT_COPY).write_text(KIT.text, encoding="utf-8")
    write_bundle(folder, tmp_path / "out")
    root = tmp_path / "out" / "tiers-lieu-ephemere-documentation"
    assert (root / f"notes/compta/worked/{note['id']}-la-visio-sans-stress.md").is_file()
    assert "## Compta d'indépendant (2026-06-12 15:00)" in (root / "index.md").read_text()


def test_a_hidden_note_is_left_out_of_the_lists_and_the_bundle(tmp_path):
    folder = tmp_path / "event"
    with Store.open(folder, indexes=domain.INDEXES) as store:
        shown = docs.add_note(store, KIT, NOTE, docs.Author.concierge(), MORNING)
        hidden = docs.add_note(store, KIT, {**NOTE, "title": "Propos déplacés"},
                               docs.Author.concierge(), MORNING)
        docs.set_hidden(store, hidden["id"])
        assert [n["id"] for n in docs.notes(store)] == [shown["id"]]
        assert len(docs.notes(store, hidden_too=True)) == 2
        with pytest.raises(NotFound):
            docs.get_note(store, hidden["id"])
    (folder / KIT_COPY).write_text(KIT.text, encoding="utf-8")
    write_bundle(folder, tmp_path / "out")
    index = (tmp_path / "out" / "tiers-lieu-ephemere-documentation" / "index.md").read_text()
    assert "La visio sans stress" in index and "Propos déplacés" not in index


def test_a_participant_posting_too_fast_is_asked_to_wait_but_not_the_desk(store, tmp_path):
    hel = participants.register(store, KIT, PERSON, MORNING)
    author = docs.Author.participant(hel)
    for i in range(docs.NOTE_LIMIT):
        docs.add_note(store, KIT, NOTE, author, MORNING + dt.timedelta(seconds=i))
    with pytest.raises(RateLimited) as caught:
        docs.add_note(store, KIT, NOTE, author, MORNING + dt.timedelta(minutes=1))
    assert caught.value.params["retry_after"] == 540
    docs.add_note(store, KIT, NOTE, author, MORNING + dt.timedelta(minutes=11))
    for _ in range(docs.NOTE_LIMIT + 1):
        docs.add_note(store, KIT, NOTE, docs.Author.concierge(), MORNING)


def test_a_markdown_image_becomes_a_link_named_by_its_text_never_dropped():
    html = docs.render_markdown("Le plan : ![plan de la salle](https://exemple.org/plan.png)")
    assert "<img" not in html
    assert '<a href="https://exemple.org/plan.png"' in html
    assert re.search(r'<a href="https://exemple\.org/plan\.png"[^>]*>[^<]*plan de la salle</a>',
                     html), html
    hostile = docs.render_markdown('![x" onerror="alert(1)](https://e.org/a.png)')
    assert "<img" not in hostile and not re.search(r"<[^>]*onerror", hostile), hostile
