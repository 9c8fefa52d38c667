"""The knowledge swap ("troc des connaissances"): offers, requests, matching, meetings.

Matching reads like a person would: an offer fits a request when they share the
category, tags or words. Words are compared by their French stem (Snowball) with
accents and case folded away, so "comptabilité" meets "comptable" and "sites"
meets "site"; rare words weigh more than common ones (inverse document
frequency over the board), so "logiciel" says more than "aide".
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from collections.abc import Iterable
from typing import Any

import snowballstemmer

from ..errors import N_, Conflict, Forbidden, InvalidInput, NotFound, RateLimited
from ..kit import Kit
from . import bookings, clock, records
from .participants import clean_text, fold

KINDS = ("offer", "request")
MEET = ("event", "slot", "email")
TITLE_MIN, TITLE_MAX = 3, 120
DESCRIPTION_MAX = 1000
TAG_MAX, TAGS_MAX = 30, 8
WHEN_MAX = 120
# A participant posts a handful of things in a day; more within ten minutes is a
# runaway script or a flood, and the board is shared by everyone.
POST_LIMIT, POST_WINDOW = 8, dt.timedelta(minutes=10)
MEETING_LIMIT = 10
# Below this a pair shares only a common word or two: not worth anyone's time.
MIN_SCORE = 1.0
# A pair is proposed only if it is at least this share of the best pair of both its
# request and its offer: a close fit hides the far ones that share a stray word.
RELATIVE = 0.5
# How a match reads to a participant, from its score (a raw "fit 6.5" meant nothing).
FIT_WORDS = ((4 * MIN_SCORE, N_("a close match")), (2 * MIN_SCORE, N_("a good match")),
             (0.0, N_("a possible match")))


def fit_words(score: float) -> str:
    """The words (a message id) that say how well a post fits the participant's own."""
    return next(words for floor, words in FIT_WORDS if score >= floor)
CATEGORY_WEIGHT, TAG_WEIGHT = 1.5, 2.0
# Stems sharing this many first letters are the same family ("comptabilit" and
# "comptabl" when one typed without accents, "velo" and "velos").
FAMILY_PREFIX = 6

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
# Words that say nothing about a skill; compared after folding.
STOPWORDS = frozenset(fold(w) for w in """
a à au aux avec besoin bien ce ces cet cette chez comme comment d dans de des du elle en est
et être faire fais fait il j je l la le les leur lui ma mais me mes moi mon ne nous on ou où
par pas peu plus pour qu que quelqu quelque qui sa se ses si son sur ta te tes toi ton tous
tout toute toutes très tu un une vos votre vous y aide aider aimerais voudrais cherche
montrer apprendre peux veux sais savoir help can want need how the and for with your you my
mise jour base bases simple simples premier première petit petite quel quels quelle quelles
quelques niveau niveaux
""".split())


def _stemmer() -> Any:
    return snowballstemmer.stemmer("french")


@functools.lru_cache(maxsize=20000)
def stem(word: str) -> str:
    """The folded Snowball stem of one word (the stemmer wants the accents, so fold after)."""
    return fold(_stemmer().stemWord(word.lower()))


def keys(text: str) -> set[str]:
    """The stems of the meaningful words of a text."""
    found = set()
    for raw in _WORD.findall(text or ""):
        word = re.split(r"['’]", raw)[-1] if re.search(r"['’]", raw) else raw
        if len(word) < 3 or fold(word) in STOPWORDS:
            continue
        found.add(stem(word))
    return found


def _related(a: str, b: str) -> float:
    if a == b:
        return 1.0
    shorter = min(len(a), len(b))
    if shorter >= 4 and (a.startswith(b) or b.startswith(a)):
        return 0.8
    if shorter >= FAMILY_PREFIX and a[:FAMILY_PREFIX] == b[:FAMILY_PREFIX]:
        return 0.6
    return 0.0


def tag_key(tag: str) -> str:
    return " ".join(stem(w) for w in re.findall(r"\w+", tag)) or fold(tag)


# ----------------------------------------------------------------- validation
def _too_long(max_len: int) -> tuple[str, dict[str, object]]:
    return (N_("At most %(max)s characters."), {"max": max_len})


def parse_tags(value: Any) -> list[str]:
    """Tags as a list or one comma-separated text; trimmed, without '#', no duplicates."""
    if value is None or value == "":
        return []
    items = value if isinstance(value, list) else str(value).split(",")
    tags: list[str] = []
    for item in items:
        if not isinstance(item, str):
            raise ValueError("tag")
        tag = clean_text(item, 200, "tags").lstrip("#").strip()
        if len(tag) > TAG_MAX:
            raise ValueError("tag")
        if tag and fold(tag) not in {fold(t) for t in tags}:
            tags.append(tag)
    if len(tags) > TAGS_MAX:
        raise OverflowError("tags")
    return tags


def validate(kit: Kit, form: dict[str, Any], participant: dict[str, Any],
             partial: bool = False) -> dict[str, Any]:
    """A clean post from a form; ``partial`` keeps only the fields given (for edits)."""
    errors: dict[str, Any] = {}
    record: dict[str, Any] = {}

    def given(name: str) -> bool:
        return not partial or name in form

    if given("kind"):
        if form.get("kind") not in KINDS:
            errors["kind"] = N_("Choose an offer or a request.")
        record["kind"] = form.get("kind")
    for name, max_len in (("title", TITLE_MAX), ("description", DESCRIPTION_MAX)):
        if not given(name):
            continue
        value = form.get(name)
        if value is not None and not isinstance(value, str):
            errors[name] = N_("Invalid value.")
            continue
        try:
            record[name] = clean_text(value, max_len, name)
        except ValueError:
            errors[name] = _too_long(max_len)
    if "title" in record and "title" not in errors and len(record["title"]) < TITLE_MIN:
        errors["title"] = (N_("At least %(min)s characters."), {"min": TITLE_MIN})
    if given("category"):
        category = form.get("category") or ""
        if category not in kit.swap_categories:
            errors["category"] = N_("Choose a category from the list.")
        record["category"] = category
    if given("tags"):
        try:
            record["tags"] = parse_tags(form.get("tags"))
        except ValueError:
            errors["tags"] = (N_("Each tag has at most %(max)s characters."), {"max": TAG_MAX})
        except OverflowError:
            errors["tags"] = (N_("At most %(max)s tags."), {"max": TAGS_MAX})
    if given("meet") or given("slot_id"):
        meet = form.get("meet") or "event"
        record["meet"] = meet
        record["slot_id"] = None
        if meet not in MEET:
            errors["meet"] = N_("Invalid value.")
        elif meet == "slot":
            slot = kit.slot(str(form.get("slot_id") or ""))
            if slot is None:
                errors["slot_id"] = N_("Choose a slot from the list.")
            else:
                record["slot_id"] = slot.id
        elif meet == "email" and not participant.get("email"):
            errors["meet"] = N_("Add an e-mail address to your registration to meet by e-mail.")
    if errors:
        raise InvalidInput("Some fields need your attention.", fields=errors)
    return record


def check_rate(stamps: Iterable[str], limit: int, now: dt.datetime) -> None:
    since = now - POST_WINDOW
    recent = sorted(t for t in (clock.parse(s) for s in stamps) if t > since)
    if len(recent) >= limit:
        wait = math.ceil((recent[-limit] + POST_WINDOW - now).total_seconds() / 60)
        raise RateLimited("You are posting a lot. Please wait %(minutes)s min before posting "
                          "again.",
                          params={"minutes": max(1, wait),
                                  "retry_after": max(1, wait) * 60})


# ---------------------------------------------------------------------- posts
def create(store: Any, kit: Kit, participant: dict[str, Any], form: dict[str, Any],
           now: dt.datetime | None = None) -> dict[str, Any]:
    now = now or clock.utcnow()
    record = validate(kit, form, participant)
    check_rate((p["created_at"] for p in store.find("swap_posts",
                                                     participant_id=participant["id"])),
                POST_LIMIT, now)
    record.update(participant_id=participant["id"], status="open", hidden=False,
                  created_at=clock.stamp(now), updated_at=clock.stamp(now))
    record["id"] = store.insert("swap_posts", record)
    return record


def get(store: Any, post_id: Any, visible: bool = True) -> dict[str, Any]:
    post = records.by_id(store, "swap_posts", post_id)
    if post is None or (visible and post.get("hidden")):
        raise NotFound("Unknown post.")
    return post


def own_post(store: Any, participant_id: int, post_id: Any) -> dict[str, Any]:
    """A post its author is changing; anyone else is refused."""
    post = get(store, post_id)
    if post["participant_id"] != participant_id:
        raise Forbidden("Only the author can change this post.")
    return post


def edit(store: Any, kit: Kit, participant: dict[str, Any], post_id: Any,
         form: dict[str, Any], now: dt.datetime | None = None) -> dict[str, Any]:
    post = own_post(store, participant["id"], post_id)
    changes = validate(kit, form, participant, partial=True)
    changes["updated_at"] = clock.stamp(now or clock.utcnow())
    return store.update("swap_posts", post["id"], changes)


def close(store: Any, participant_id: int, post_id: Any, closed: bool = True,
          now: dt.datetime | None = None) -> dict[str, Any]:
    """"Done, thanks": the post leaves the board and the matches, stays in my posts."""
    post = own_post(store, participant_id, post_id)
    return store.update("swap_posts", post["id"], {
        "status": "closed" if closed else "open",
        "updated_at": clock.stamp(now or clock.utcnow())})


def delete(store: Any, participant_id: int, post_id: Any) -> None:
    post = own_post(store, participant_id, post_id)
    store.remove("swap_posts", post["id"])


def set_hidden(store: Any, post_id: Any, hidden: bool = True) -> dict[str, Any]:
    """Moderation: a hidden post disappears everywhere but stays in the data, marked."""
    post = get(store, post_id, visible=False)
    return store.update("swap_posts", post["id"], {"hidden": hidden})


def board(store: Any, kind: str | None = None, category: str | None = None,
          tag: str | None = None) -> list[dict[str, Any]]:
    """Open, visible posts, newest first; the tag filter ignores case, accents and plurals."""
    wanted = tag_key(tag) if tag else None
    posts = []
    for post in store.scan("swap_posts"):
        if post.get("hidden") or post["status"] != "open":
            continue
        if kind and post["kind"] != kind:
            continue
        if category and post["category"] != category:
            continue
        if wanted and not any(_related(wanted, tag_key(t)) >= 0.8 for t in post.get("tags", [])):
            continue
        posts.append(dict(post))
    return sorted(posts, key=lambda p: p["id"], reverse=True)


def posts_of(store: Any, participant_id: int) -> list[dict[str, Any]]:
    return sorted((p for p in store.find("swap_posts", participant_id=participant_id)
                   if not p.get("hidden")), key=lambda p: p["id"], reverse=True)


# ------------------------------------------------------------------- matching
class Matcher:
    """Scores offer/request pairs over one set of posts (word weights depend on it).

    Only pairs sharing a word of the same family or a tag are scored: an index from
    each word to the offers that use it keeps a board of hundreds of posts fast."""

    def __init__(self, posts: Iterable[dict[str, Any]]) -> None:
        self.posts = [p for p in posts if not p.get("hidden") and p.get("status") == "open"]
        self._words = {p["id"]: keys(" ".join([p["title"], p.get("description", ""),
                                                *p.get("tags", [])]))
                       for p in self.posts}
        self._title = {p["id"]: keys(p["title"]) for p in self.posts}
        self._tags = {p["id"]: {tag_key(t) for t in p.get("tags", [])} for p in self.posts}
        frequency: dict[str, int] = {}
        for words in self._words.values():
            for word in words:
                frequency[word] = frequency.get(word, 0) + 1
        total = max(1, len(self.posts))
        self._weight = {w: 1.0 + math.log(total / n) for w, n in frequency.items()}
        # Related words share their first four letters at least: compare within those.
        buckets: dict[str, list[str]] = {}
        for word in frequency:
            buckets.setdefault(word[:4], []).append(word)
        self._family: dict[str, dict[str, float]] = {}
        for word in frequency:
            related = {other: _related(word, other) for other in buckets[word[:4]]}
            self._family[word] = {other: w for other, w in related.items() if w}

    def _word_score(self, a: dict[str, Any], b: dict[str, Any]) -> float:
        score = 0.0
        b_words, b_title = self._words[b["id"]], self._title[b["id"]]
        for word in self._words[a["id"]]:
            family = self._family.get(word, {word: 1.0})
            best = max((w for other, w in family.items() if other in b_words), default=0.0)
            if best:
                title = word in self._title[a["id"]] or any(other in b_title for other in family)
                score += best * self._weight.get(word, 1.0) * (1.5 if title else 1.0)
        return score

    def score(self, offer: dict[str, Any], request: dict[str, Any]) -> float:
        """How well an offer fits a request; 0 when they share neither tag nor word."""
        if offer["participant_id"] == request["participant_id"]:
            return 0.0
        words = self._word_score(request, offer)
        tags = len(self._tags[offer["id"]] & self._tags[request["id"]]) * TAG_WEIGHT
        if not words and not tags:
            return 0.0
        category = CATEGORY_WEIGHT if offer["category"] == request["category"] else 0.0
        return round(words + tags + category, 2)

    def _index(self, offers: list[dict[str, Any]]) -> dict[tuple[str, str], set[int]]:
        """Which offers use each word ("w", stem) and each tag ("t", key)."""
        index: dict[tuple[str, str], set[int]] = {}
        for offer in offers:
            for word in self._words[offer["id"]]:
                index.setdefault(("w", word), set()).add(offer["id"])
            for tag in self._tags[offer["id"]]:
                index.setdefault(("t", tag), set()).add(offer["id"])
        return index

    def _candidates(self, index: dict[tuple[str, str], set[int]],
                    request: dict[str, Any]) -> set[int]:
        """The offers sharing at least a word family or a tag with the request."""
        found: set[int] = set()
        for word in self._words[request["id"]]:
            for other in self._family.get(word, {word: 1.0}):
                found |= index.get(("w", other), set())
        for tag in self._tags[request["id"]]:
            found |= index.get(("t", tag), set())
        return found

    def pairs(self) -> list[tuple[float, dict[str, Any], dict[str, Any]]]:
        """Every pair worth proposing, best first: (score, offer, request)."""
        offers = [p for p in self.posts if p["kind"] == "offer"]
        requests = [p for p in self.posts if p["kind"] == "request"]
        index = self._index(offers)
        by_id = {offer["id"]: offer for offer in offers}
        scored = [(self.score(by_id[offer_id], request), by_id[offer_id], request)
                  for request in requests
                  for offer_id in sorted(self._candidates(index, request))]
        best: dict[int, float] = {}
        for score, offer, request in scored:
            for post_id in (offer["id"], request["id"]):
                best[post_id] = max(best.get(post_id, 0.0), score)
        found = [(score, offer, request) for score, offer, request in scored
                 if score >= MIN_SCORE and score >= RELATIVE * best[offer["id"]]
                 and score >= RELATIVE * best[request["id"]]]
        return sorted(found, key=lambda item: (-item[0], item[1]["id"], item[2]["id"]))


_last_board: tuple[tuple[Any, ...], list[tuple[float, dict[str, Any], dict[str, Any]]]] = (
    (), [])


def board_pairs(store: Any) -> list[tuple[float, dict[str, Any], dict[str, Any]]]:
    """The pairs of the current board; every pass page asks, so the last answer is
    kept until a post changes (the key is the posts' content, so it cannot go stale)."""
    global _last_board
    posts = [p for p in store.scan("swap_posts") if not p.get("hidden") and p["status"] == "open"]
    key = tuple((p["id"], p["participant_id"], p["kind"], p["category"], p["title"],
                 p.get("description", ""), tuple(p.get("tags", []))) for p in posts)
    if key != _last_board[0]:
        _last_board = (key, Matcher(posts).pairs())
    return _last_board[1]


def matches(store: Any, participant_id: int) -> dict[str, list[dict[str, Any]]]:
    """For a participant: "people who could help you" (offers fitting their requests)
    and "people you could help" (requests fitting their offers), best first; each other
    post appears once, with its best score and the participant's post it fits."""
    helpers: dict[int, dict[str, Any]] = {}
    helped: dict[int, dict[str, Any]] = {}
    for score, offer, request in board_pairs(store):
        if request["participant_id"] == participant_id:
            if offer["id"] not in helpers:
                helpers[offer["id"]] = {"post": offer, "mine": request, "score": score}
        elif offer["participant_id"] == participant_id and request["id"] not in helped:
            helped[request["id"]] = {"post": request, "mine": offer, "score": score}
    return {"can_help_you": list(helpers.values()), "you_can_help": list(helped.values())}


def popular_offers(store: Any, minimum: int = 2) -> list[dict[str, Any]]:
    """Offers that several requests fit, most wanted first: candidates for a workshop."""
    by_offer: dict[int, dict[str, Any]] = {}
    for score, offer, request in board_pairs(store):
        entry = by_offer.setdefault(offer["id"], {"post": offer, "requests": []})
        entry["requests"].append({"post": request, "score": score})
    popular = [e for e in by_offer.values()
               if len({r["post"]["participant_id"] for r in e["requests"]}) >= minimum]
    return sorted(popular, key=lambda e: (-len(e["requests"]), e["post"]["id"]))


# ------------------------------------------------------------------- meetings
def propose(store: Any, participant: dict[str, Any], post_id: Any, when: Any,
            my_post_id: Any = None, now: dt.datetime | None = None) -> dict[str, Any]:
    """Propose to meet the author of a post ("15:00 at the café table")."""
    now = now or clock.utcnow()
    theirs = get(store, post_id)
    if theirs["status"] != "open":
        raise Conflict("This post is closed.")
    if theirs["participant_id"] == participant["id"]:
        raise InvalidInput("This is your own post.")
    try:
        place = clean_text(when if isinstance(when, str) else None, WHEN_MAX, "when")
    except ValueError:
        raise InvalidInput("Some fields need your attention.",
                           fields={"when": _too_long(WHEN_MAX)}) from None
    if not place:
        raise InvalidInput("Say when and where you propose to meet.",
                           fields={"when": N_("This field is required.")})
    mine = None
    if my_post_id not in (None, ""):
        mine = own_post(store, participant["id"], my_post_id)
        if mine["kind"] == theirs["kind"]:  # an offer answers a request, and the reverse
            raise InvalidInput("Some fields need your attention.", fields={
                "post_id": N_("Choose one of your requests for an offer, or one of your "
                              "offers for a request.")})
    check_rate((m["created_at"] for m in store.find("swap_meetings",
                                                     participant_id=participant["id"])),
                MEETING_LIMIT, now)
    offer, request = (theirs, mine) if theirs["kind"] == "offer" else (mine, theirs)
    record = {"participant_id": participant["id"], "other_id": theirs["participant_id"],
              "post_id": theirs["id"], "offer_id": offer["id"] if offer else None,
              "request_id": request["id"] if request else None, "when": place,
              "status": "proposed", "created_at": clock.stamp(now)}
    record["id"] = store.insert("swap_meetings", record)
    return record


def answer(store: Any, participant_id: int, meeting_id: Any, accept: bool,
           now: dt.datetime | None = None) -> dict[str, Any]:
    """The person asked accepts or declines; nobody else can."""
    meeting = records.by_id(store, "swap_meetings", meeting_id)
    if meeting is None:
        raise NotFound("Unknown meeting.")
    if meeting["other_id"] != participant_id:
        raise Forbidden("Only the person asked can answer this proposal.")
    if meeting["status"] != "proposed":
        raise Conflict("This proposal was already answered.")
    return store.update("swap_meetings", meeting["id"], {
        "status": "accepted" if accept else "declined",
        "answered_at": clock.stamp(now or clock.utcnow())})


def meetings_of(store: Any, participant_id: int) -> list[dict[str, Any]]:
    """Meetings the participant proposed or was asked to, with the other person's name;
    those whose other person erased their data are left out."""
    found = {m["id"]: m for m in store.find("swap_meetings", participant_id=participant_id)}
    found.update({m["id"]: m for m in store.find("swap_meetings", other_id=participant_id)})
    rows = []
    for meeting in sorted(found.values(), key=lambda m: m["id"], reverse=True):
        proposer = meeting["participant_id"] == participant_id
        other = store.get("participants", meeting["other_id" if proposer else "participant_id"])
        if other is None:
            continue
        post = store.get("swap_posts", meeting["post_id"])
        rows.append({**meeting, "proposed_by_me": proposer, "with_name": other["name"],
                     "post_title": post["title"] if post and not post.get("hidden") else ""})
    return rows


# ---------------------------------------------------------- swap to workshop
def to_workshop(store: Any, kit: Kit, offer_id: Any, fields: dict[str, Any],
                now: dt.datetime | None = None) -> tuple[Any, list[int]]:
    """Turn an offer into a workshop; the authors of the requests it fits get a notice
    with a one-tap registration. Returns the workshop and who was told."""
    offer = get(store, offer_id)
    if offer["kind"] != "offer":
        raise InvalidInput("Only an offer can become a workshop.")
    fields = {**fields, "origin": {"swap_offer": offer["id"]}}
    fields.setdefault("title", offer["title"])
    fields["key"] = fields.get("key") or f"troc-{offer['id']}"
    host = store.get("participants", offer["participant_id"])
    fields.setdefault("host", host["name"] if host else "")
    workshop = bookings.add_workshop(store, kit, fields)
    told: list[int] = []
    for entry in popular_offers(store, minimum=1):
        if entry["post"]["id"] != offer["id"]:
            continue
        for request in entry["requests"]:
            pid = request["post"]["participant_id"]
            if pid not in told:
                told.append(pid)
                store.insert("swap_notices", {
                    "participant_id": pid, "workshop_id": workshop.id, "offer_id": offer["id"],
                    "request_id": request["post"]["id"],
                    "created_at": clock.stamp(now or clock.utcnow())})
    store.update("swap_posts", offer["id"], {"workshop_id": workshop.id})
    return workshop, told


def notices_of(store: Any, kit: Kit, participant_id: int) -> list[dict[str, Any]]:
    """Workshops made from offers the participant asked for, with whether they are in."""
    registered = {r["workshop_id"] for r in bookings.registrations_of(store, participant_id)}
    rows = []
    for notice in store.find("swap_notices", participant_id=participant_id):
        try:
            workshop = bookings.workshop(store, kit, notice["workshop_id"])
        except NotFound:
            continue
        if not workshop.cancelled:
            rows.append({**notice, "workshop": workshop,
                         "registered": workshop.id in registered})
    return rows


# --------------------------------------------------------------------- report
def summary(posts: Iterable[dict[str, Any]],
            meetings: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Figures for the appetite report, over plain records (an export works too);
    hidden posts are kept in the data but never counted."""
    posts = list(posts)
    visible = [p for p in posts if not p.get("hidden")]
    hidden_ids = {p["id"] for p in posts if p.get("hidden")}
    categories: dict[str, dict[str, int]] = {}
    for post in visible:
        row = categories.setdefault(post["category"], {"offer": 0, "request": 0})
        row[post["kind"]] += 1
    accepted = [m for m in meetings if m.get("status") == "accepted"
                and m.get("post_id") not in hidden_ids]
    return {"offers": sum(1 for p in visible if p["kind"] == "offer"),
            "requests": sum(1 for p in visible if p["kind"] == "request"),
            "closed": sum(1 for p in visible if p["status"] == "closed"),
            "meetings_accepted": len(accepted),
            "pairs": len(Matcher(visible).pairs()),
            "by_category": categories}
