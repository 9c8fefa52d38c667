"""The event's open documentation, ready to publish: Markdown pages, MediaWiki markup,
the photos that may be shown, and a LICENSE file crediting every author.

Reads an event folder without touching it (the server may still be running).
Layout of ``OUT/<slug>-documentation/`` (and the same in ``<slug>-documentation.zip``)::

    index.md                      every note, grouped by workshop and kind
    notes/<workshop>/<kind>/<id>-<title>.md
    journal.md                    the concierge's log
    photos/<slug>-photo-<id>.jpg
    LICENSE                       the kit's licence and the attribution list
    mediawiki/index.wiki          the whole documentation as one page to paste
    mediawiki/notes/..., mediawiki/journal.wiki
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import unicodedata
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import i18n, store
from .. import kit as kits
from ..domain import bookings, clock, docs
from ..errors import NotFound
from ..kit import Kit, Workshop
from .wikitext import escape, to_wikitext

EVENT_GROUP = "evenement"
LICENCE_URLS = {
    "CC-BY-SA-4.0": "https://creativecommons.org/licenses/by-sa/4.0/legalcode",
    "CC-BY-4.0": "https://creativecommons.org/licenses/by/4.0/legalcode",
    "CC0-1.0": "https://creativecommons.org/publicdomain/zero/1.0/legalcode",
}


def slugify(text: str, limit: int = 50) -> str:
    plain = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in plain if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")[:limit].strip("-") or "note"


@dataclass
class Page:
    """One note as it is published, with its photos."""

    note: dict[str, Any]
    group: str
    path: str
    photos: list[str] = field(default_factory=list)


class _Tables:
    """The read-only tables of an event, as the domain's look-ups read a store."""

    def __init__(self, tables: dict[str, list[dict[str, Any]]]) -> None:
        self.tables = tables

    def scan(self, table: str) -> Iterator[dict[str, Any]]:
        return iter(self.tables.get(table, []))


@dataclass
class Bundle:
    kit: Kit
    workshops: dict[str, Workshop]
    lang: str
    pages: list[Page]
    journal: list[dict[str, Any]]
    left_out: int
    photo_files: dict[str, Path]

    def translate(self, message: str, **params: object) -> str:
        return i18n.translate(message, params or None, self.lang)

    def kind(self, kind: str) -> str:
        label = docs.KINDS[kind]
        return i18n.translate(label, None, self.lang)


def _local(kit: Kit, stamp: str) -> str:
    return clock.local(clock.parse(stamp), kit.event.timezone).strftime("%Y-%m-%d %H:%M")


def collect(folder: Path) -> Bundle:
    """What the export publishes: notes, publishable photos of existing notes, the log."""
    kit = kits.load_event_kit(folder)
    tables = store.load_tables(folder)
    notes = sorted((n for n in tables.get("notes", []) if not n.get("hidden")),
                   key=lambda n: (n["created_at"], n["id"]))
    by_note: dict[int, list[dict[str, Any]]] = {}
    for photo in tables.get("photos", []):
        by_note.setdefault(photo["note_id"], []).append(photo)
    programme = bookings.programme(_Tables(tables), kit)
    order = {w.id: i for i, w in enumerate(programme)}
    pages: list[Page] = []
    files: dict[str, Path] = {}
    left_out = 0
    for note in notes:
        group = note.get("workshop_id") or EVENT_GROUP
        path = f"notes/{group}/{note['kind']}/{note['id']}-{slugify(note['title'])}.md"
        page = Page(note, group, path)
        for photo in sorted(by_note.get(note["id"], []), key=lambda p: p["id"]):
            if not docs.publishable(photo):
                left_out += 1
                continue
            try:
                source = docs.photo_path(folder, photo)
            except NotFound:
                continue
            if not source.is_file():
                continue
            name = f"{kit.event.slug}-photo-{photo['id']}.{source.suffix.lstrip('.')}"
            files[name] = source
            page.photos.append(name)
        pages.append(page)
    kinds = list(docs.KINDS)
    pages.sort(key=lambda p: (p.group != EVENT_GROUP, order.get(p.group, len(order)),
                              p.group, kinds.index(p.note["kind"]), p.note["id"]))
    journal = sorted(tables.get("journal", []), key=lambda e: (e["at"], e["id"]))
    return Bundle(kit, {w.id: w for w in programme}, kit.event.languages[0], pages, journal,
                  left_out, files)


def _group_title(bundle: Bundle, group: str) -> str:
    if group == EVENT_GROUP:
        return bundle.translate("The event as a whole")
    workshop = bundle.workshops.get(group)
    if workshop is None:
        return group
    start = workshop.start.strftime("%Y-%m-%d %H:%M")
    return f"{workshop.title.get(bundle.lang)} ({start})"


def _facts(bundle: Bundle, page: Page) -> list[tuple[str, str]]:
    note = page.note
    facts = [(bundle.translate("Kind"), bundle.kind(note["kind"])),
             (bundle.translate("About"), _group_title(bundle, page.group))]
    if note.get("space_id"):
        space = bundle.kit.space(note["space_id"])
        facts.append((bundle.translate("Space"), space.name.get(bundle.lang) if space else
                      note["space_id"]))
    facts += [(bundle.translate("Author"), docs.credit(note, bundle.translate)
                                          or bundle.translate("Anonymous")),
              (bundle.translate("Written on"), _local(bundle.kit, note["created_at"])),
              (bundle.translate("Published under"), bundle.kit.licence_name)]
    if note.get("tags"):
        facts.append((bundle.translate("Tags"), ", ".join(note["tags"])))
    return facts


def _markdown_text(text: str) -> str:
    """Text of a fact line, so it reads as text wherever the Markdown is rendered."""
    return re.sub(r"([\\`*_\[\]<>#|])", r"\\\1", text)


def note_markdown(bundle: Bundle, page: Page) -> str:
    depth = "../" * (page.path.count("/"))
    lines = [f"# {_markdown_text(page.note['title'])}", ""]
    lines += [f"- **{k}** : {_markdown_text(v)}" for k, v in _facts(bundle, page)]
    # Raw HTML in a note was shown as text on the portal; keep it text in the export.
    lines += ["", page.note["body"].replace("<", "&lt;"), ""]
    if page.photos:
        lines += [f"## {bundle.translate('Photos of the note')}", ""]
        lines += [f"![{name}]({depth}photos/{name})" for name in page.photos]
        lines.append("")
    return "\n".join(lines)


def note_wikitext(bundle: Bundle, page: Page, level: int = 2) -> str:
    mark = "=" * level
    lines = [f"{mark} {escape(page.note['title'])} {mark}"]
    lines += [f"* '''{escape(k)}''' : {escape(v)}" for k, v in _facts(bundle, page)]
    lines += ["", to_wikitext(page.note["body"], shift=level).rstrip()]
    lines += [f"[[File:{name}|thumb|{escape(page.note['title'])}]]" for name in page.photos]
    return "\n".join(lines) + "\n"


def _left_out_text(bundle: Bundle) -> str:
    return bundle.translate("%(count)s photo(s) showing people who did not agree to publication "
                    "were left out of this export.", count=bundle.left_out)


def _grouped(bundle: Bundle) -> list[tuple[str, list[tuple[str, list[Page]]]]]:
    groups: list[tuple[str, list[tuple[str, list[Page]]]]] = []
    for page in bundle.pages:
        if not groups or groups[-1][0] != page.group:
            groups.append((page.group, []))
        kinds = groups[-1][1]
        if not kinds or kinds[-1][0] != page.note["kind"]:
            kinds.append((page.note["kind"], []))
        kinds[-1][1].append(page)
    return groups


def _intro(bundle: Bundle) -> tuple[str, str, str]:
    event = bundle.kit.event
    title = bundle.translate("Documentation of %(event)s", event=event.name.get(bundle.lang))
    where = f"{bundle.kit.venue.name}, {bundle.kit.venue.commune}"
    when = (event.start_date.isoformat() if event.start_date == event.end_date
            else f"{event.start_date.isoformat()} – {event.end_date.isoformat()}")
    licence = bundle.translate("Published under the licence %(licence)s; see LICENSE for the "
                       "authors.", licence=bundle.kit.licence_name)
    return title, f"{where} · {when}", licence


def index_markdown(bundle: Bundle) -> str:
    title, place, licence = _intro(bundle)
    lines = [f"# {_markdown_text(title)}", "", _markdown_text(place), "", licence, ""]
    if not bundle.pages:
        lines += [bundle.translate("No note was written during this event."), ""]
    for group, kinds in _grouped(bundle):
        lines += [f"## {_markdown_text(_group_title(bundle, group))}", ""]
        for kind, pages in kinds:
            lines += [f"### {bundle.kind(kind)}", ""]
            lines += [f"- [{_markdown_text(p.note['title'])}]({p.path})" for p in pages]
            lines.append("")
    if bundle.journal:
        lines += [f"## {bundle.translate('Memory of the activities')}", "",
                  f"- [{bundle.translate('The concierge log')}](journal.md)", ""]
    if bundle.left_out:
        lines += [_left_out_text(bundle), ""]
    return "\n".join(lines)


def journal_markdown(bundle: Bundle) -> str:
    lines = [f"# {bundle.translate('Memory of the activities')}", ""]
    lines += [f"- {_local(bundle.kit, e['at'])} — {_markdown_text(e['text'])}"
              for e in bundle.journal]
    return "\n".join(lines) + "\n"


def index_wikitext(bundle: Bundle) -> str:
    title, place, licence = _intro(bundle)
    lines = [f"'''{escape(title)}''' — {escape(place)}", "", escape(licence), ""]
    for group, kinds in _grouped(bundle):
        lines += [f"== {escape(_group_title(bundle, group))} ==", ""]
        for kind, pages in kinds:
            lines += [f"=== {escape(bundle.kind(kind))} ===", ""]
            lines += [note_wikitext(bundle, p, level=4) for p in pages]
    if bundle.journal:
        lines += [journal_wikitext(bundle, level=2)]
    if bundle.left_out:
        lines += [escape(_left_out_text(bundle)), ""]
    return "\n".join(lines)


def journal_wikitext(bundle: Bundle, level: int = 1) -> str:
    mark = "=" * level
    lines = [f"{mark} {escape(bundle.translate('Memory of the activities'))} {mark}"]
    lines += [f"* {_local(bundle.kit, e['at'])} — {escape(e['text'])}" for e in bundle.journal]
    return "\n".join(lines) + "\n"


def licence_text(bundle: Bundle) -> str:
    kit = bundle.kit
    names, anonymous = docs.attributions([p.note for p in bundle.pages], bundle.translate)
    year = kit.event.start_date.year
    lines = [f"{kit.licence_name} ({kit.licence})", LICENCE_URLS[kit.licence], "",
             bundle.translate("Documentation of %(event)s, %(year)s.",
                      event=kit.event.name.get(bundle.lang), year=year), "",
             bundle.translate("Authors:")]
    lines += [f"- {name}" for name in names]
    if anonymous:
        lines.append("- " + bundle.translate("%(count)s anonymous contribution(s)",
                                             count=anonymous))
    if not names and not anonymous:
        lines.append("- " + kit.event.organiser)
    desk = bundle.translate("The concierge desk")
    if bundle.journal and desk not in names:
        lines.append("- " + desk)
    if bundle.left_out:
        lines += ["", _left_out_text(bundle)]
    return "\n".join(lines) + "\n"


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def write_bundle(folder: Path, out: Path) -> Path:
    """Write ``OUT/<slug>-documentation/`` and its zip; returns the zip's path."""
    bundle = collect(Path(folder))
    name = f"{bundle.kit.event.slug}-documentation"
    target = Path(out) / name
    if target.exists():
        shutil.rmtree(target)
    files: list[tuple[str, Callable[[], str]]] = [
        ("index.md", lambda: index_markdown(bundle)),
        ("LICENSE", lambda: licence_text(bundle)),
        ("mediawiki/index.wiki", lambda: index_wikitext(bundle)),
    ]
    if bundle.journal:
        files += [("journal.md", lambda: journal_markdown(bundle)),
                  ("mediawiki/journal.wiki", lambda: journal_wikitext(bundle))]
    for path, make in files:
        _write(target / path, make())
    for page in bundle.pages:
        _write(target / page.path, note_markdown(bundle, page))
        wiki = "mediawiki/" + page.path.removesuffix(".md") + ".wiki"
        _write(target / wiki, note_wikitext(bundle, page, level=1))
    if bundle.photo_files:
        (target / "photos").mkdir()
    for photo_name, source in bundle.photo_files.items():
        shutil.copyfile(source, target / "photos" / photo_name)
    archive = target.with_name(name + ".zip")
    stamp = dt.datetime.now().timetuple()[:6]
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as handle:
        for path in sorted(p for p in target.rglob("*") if p.is_file()):
            info = zipfile.ZipInfo(f"{name}/{path.relative_to(target).as_posix()}", stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            handle.writestr(info, path.read_bytes())
    return archive
