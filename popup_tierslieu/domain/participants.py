"""Registration, passes, check-in and a participant's right to be forgotten."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
import unicodedata
from typing import Any

from ..errors import N_, Conflict, InvalidInput, NotFound
from ..kit import Kit
from . import clock, records, survey
from .text import clean_text
from .text import text_field as text_field  # the contract's name, used by other modules

NAME_MAX = 80
COMMUNE_MAX = 80
EMAIL_MAX = 254
_EMAIL = re.compile(r"^[^@\s<>\"']+@[^@\s<>\"']+\.[^@\s<>\"'.]{2,}$")
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
_TOKEN_END = re.compile(r"[/?#\s]")
# Letters that Unicode does not decompose into a base letter and an accent, as a desk
# volunteer types them on a French keyboard ("yilmaz" for "Yılmaz", "oeuvre" for "Œuvre").
_UNDECOMPOSED = str.maketrans({"ı": "i", "ł": "l", "ø": "o", "æ": "ae", "œ": "oe", "đ": "d",
                               "ð": "d", "þ": "th", "ħ": "h", "ŧ": "t", "ŀ": "l", "ɨ": "i",
                               "ƀ": "b", "ƶ": "z", "ŋ": "n", "ĸ": "k"})
TRUE = {"true", "on", "1", "yes", "oui"}


# Fields through which a record points to a person: its author, or the other person
# of an exchange (a swap meeting proposed to them). Erasure follows both.
PERSON_FIELDS = ("participant_id", "other_id")


def new_token() -> str:
    """128 random bits, URL-safe: the participant's pass."""
    return secrets.token_urlsafe(16)


def truthy(value: Any) -> bool:
    """A ticked box, whether it comes from a form ("on") or JSON (true)."""
    if isinstance(value, bool):
        return value
    return isinstance(value, str) and value.strip().lower() in TRUE


def fold(text: str) -> str:
    """Accent- and case-insensitive form for searching: "Hélène" -> "helene",
    "Straße" -> "strasse", "Yılmaz" -> "yilmaz"."""
    plain = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in plain if not unicodedata.combining(c)).translate(_UNDECOMPOSED)


def _texts(form: dict[str, Any], specs: tuple[tuple[str, int, bool], ...]
           ) -> tuple[dict[str, Any], dict[str, Any]]:
    """The text fields of a form, cleaned, and one error per field gone wrong."""
    errors: dict[str, Any] = {}
    record: dict[str, Any] = {}
    for key, max_len, required in specs:
        try:
            record[key] = clean_text(form.get(key), max_len, key)
        except ValueError:
            errors[key] = (N_("At most %(max)s characters."), {"max": max_len})
            continue
        except TypeError:
            errors[key] = N_("Invalid value.")
            continue
        if required and not record[key]:
            errors[key] = N_("This field is required.")
    return record, errors


def validate(kit: Kit, form: dict[str, Any]) -> dict[str, Any]:
    """Check a registration form; return the clean record or raise InvalidInput with
    one message per field (message ids, translated by the caller)."""
    record, errors = _texts(form, (("name", NAME_MAX, True), ("commune", COMMUNE_MAX, True),
                                   ("email", EMAIL_MAX, False)))
    if record.get("email") and not _EMAIL.match(record["email"]):
        errors["email"] = N_("This e-mail address does not look right.")
    profile = form.get("profile")
    if profile not in kit.profiles:
        errors["profile"] = N_("Choose a profile from the list.")
    record["profile"] = profile if profile in kit.profiles else None
    if not truthy(form.get("consent")):
        errors["consent"] = N_("Please accept that we keep your data for this event.")
    record["consent"] = True
    record["contact_optin"] = truthy(form.get("contact_optin"))
    record["charter_accepted"] = truthy(form.get("charter"))
    if kit.charter.required and not record["charter_accepted"]:
        errors["charter"] = N_("Please accept the charter of use.")
    try:
        record["answers"] = survey.validate_answers(kit, form.get("answers") or {},
                                                    complete=True)
    except InvalidInput as exc:
        errors.update(exc.fields)
    lang = form.get("lang")
    record["lang"] = lang if lang in kit.event.languages else kit.event.languages[0]
    if errors:
        raise InvalidInput("Some fields need your attention.", fields=errors)
    return record


def _nonce(form: dict[str, Any]) -> str | None:
    """The form's one-time nonce, if it sent a well-formed one."""
    nonce = form.get("nonce")
    return nonce if isinstance(nonce, str) and _TOKEN.match(nonce) else None


def _sent_before(store: Any, nonce: str | None) -> dict[str, Any] | None:
    """The participant a form with this nonce already registered, if any."""
    return store.find_one("participants", form_nonce=nonce) if nonce is not None else None


# What tells one person's form from another's: a form page sent again with other details
# in these fields (Back on a shared phone, then someone else's name) is someone else.
IDENTITY_FIELDS = ("name", "email", "commune", "profile")


def _identity(record: dict[str, Any]) -> tuple[str, ...]:
    """The identifying fields of a clean registration, accents, case and runs of spaces
    folded, as the desk's search folds them."""
    return tuple(" ".join(fold(str(record.get(key) or "")).split()) for key in IDENTITY_FIELDS)


def _own_nonce(nonce: str, record: dict[str, Any]) -> str:
    """What a registration keeps when another person's registration holds its form
    page's nonce: that nonce and this person's identity, hashed. No form's nonce holds a
    dot, so no form can claim it; only the same page with the same details finds it."""
    digest = hashlib.blake2b("\x1f".join(_identity(record)).encode(), digest_size=16)
    return f"{nonce}.{digest.hexdigest()}"


def _replayed(store: Any, nonce: str | None, record: dict[str, Any]
              ) -> tuple[dict[str, Any] | None, str | None]:
    """The registration this form's nonce already made when the form is that same
    submission (a double tap, Back then submit), and the nonce the new registration may
    keep. Once another person's registration holds the nonce, a replay with other details
    never hands over that person's pass: it is the next person's own registration, kept
    under the nonce and their identity, so that their own double tap makes no second."""
    if nonce is None:
        return None, None
    first = _sent_before(store, nonce)
    if first is None:
        return None, nonce
    if _identity(first) == _identity(record):
        return first, None
    own = _own_nonce(nonce, record)
    return _sent_before(store, own), own


def register(store: Any, kit: Kit, form: dict[str, Any], now: dt.datetime | None = None,
             holder: dict[str, Any] | None = None) -> dict[str, Any]:
    """Register a participant; returns the stored participant with its token.

    One registration per person: a form sent twice (a double tap, or Back then submit)
    carries the same one-time ``nonce`` and gets the first registration back; so does a
    phone that already holds the pass of that same person (``holder``). The same form page
    sent with other details (``IDENTITY_FIELDS``), or a namesake on a phone holding a pass,
    is someone else's registration."""
    record = validate(kit, form)
    first, nonce = _replayed(store, _nonce(form), record)
    if first is not None:
        return first
    if holder is not None and _identity(holder) == _identity(record):
        return holder
    return _insert(store, record, nonce, now, source=form.get("source", "portal"))


def _insert(store: Any, record: dict[str, Any], nonce: str | None,
            now: dt.datetime | None, **fields: Any) -> dict[str, Any]:
    """Store a validated registration with a fresh pass and check-in code."""
    token = new_token()
    while store.find_one("participants", token=token) is not None:
        token = new_token()
    record.update(token=token, checkin_code=new_token(), form_nonce=nonce,
                  created_at=clock.stamp(now or clock.utcnow()), **fields)
    record["id"] = store.insert("participants", record)
    return record


def companions(store: Any, holder_id: int) -> list[dict[str, Any]]:
    """The people registered from a participant's pass, in the order they were added."""
    return sorted(store.find("participants", companion_of=holder_id), key=lambda p: p["id"])


def register_companion(store: Any, kit: Kit, holder: dict[str, Any], form: dict[str, Any],
                       now: dt.datetime | None = None) -> dict[str, Any]:
    """Register someone with the holder of a pass (a child, a partner): a participant of
    their own, with their own pass, listed on the holder's. The kit caps how many.

    The same form sent twice gets the same companion back; sent again with another
    person's details, it registers that person. A nonce that another registration used
    (only a tampered form carries one) is not this holder's to replay: the companion is
    registered as new, and that other person is never touched."""
    record = validate(kit, form)
    sent, nonce = _replayed(store, _nonce(form), record)
    if sent is not None and sent.get("companion_of") == holder["id"]:
        return sent
    if len(companions(store, holder["id"])) >= kit.rules.companions:
        raise Conflict("You can register at most %(max)s people with your pass.",
                       params={"max": kit.rules.companions})
    return _insert(store, record, nonce, now, source="companion", companion_of=holder["id"])


def extract_token(raw: str, marker: str = "/pass/") -> str:
    """The token in what a scanner or a person typed: a raw token or a URL whose path
    holds ``marker`` followed by the token."""
    text = (raw or "").strip()
    if marker in text:
        text = text.split(marker, 1)[1]
        text = _TOKEN_END.split(text, maxsplit=1)[0]
    if not _TOKEN.match(text):
        raise NotFound("Unknown pass.")
    return text


def by_token(store: Any, token: str) -> dict[str, Any]:
    """The participant whose pass (management) token this is; a check-in code is not one."""
    participant = store.find_one("participants", token=extract_token(token))
    if participant is None:
        raise NotFound("Unknown pass.")
    return participant


def by_checkin_code(store: Any, code: str) -> dict[str, Any]:
    participant = store.find_one("participants", checkin_code=extract_token(code, "/c/"))
    if participant is None:
        raise NotFound("Unknown pass.")
    return participant


def by_scan(store: Any, raw: str) -> dict[str, Any]:
    """Who a scan at the desk names: a check-in code or its ``/c/`` URL, or (passes printed
    before check-in codes existed) a pass token or pass URL."""
    text = (raw or "").strip()
    if "/c/" in text:
        return by_checkin_code(store, text)
    if "/pass/" in text:
        return by_token(store, text)
    try:
        return by_checkin_code(store, text)
    except NotFound:
        return by_token(store, text)


def give_checkin_codes(store: Any) -> int:
    """Give a check-in code to participants registered before codes existed; returns how
    many got one. Runs when the server opens an event folder."""
    missing = [p for p in store.scan("participants")
               if not p.get("checkin_code") and not p.get("purged")]
    for p in missing:
        store.update("participants", p["id"], {"checkin_code": new_token()})
    return len(missing)


def get(store: Any, participant_id: Any) -> dict[str, Any]:
    participant = records.by_id(store, "participants", participant_id)
    if participant is None:
        raise NotFound("Unknown participant.")
    return participant


def check_in(store: Any, kit: Kit, raw: str, desk: str = "desk",
             now: dt.datetime | None = None) -> tuple[dict[str, Any], bool]:
    """Check a participant in for today; a second check-in the same day changes nothing.

    Returns the participant and whether they were already checked in today."""
    participant = by_scan(store, raw)
    now = now or clock.utcnow()
    day = clock.local_day(now, kit.event.timezone).isoformat()
    already = any(c["day"] == day for c in store.find("checkins",
                                                       participant_id=participant["id"]))
    if not already:
        store.insert("checkins", {"participant_id": participant["id"], "day": day,
                                  "at": clock.stamp(now), "desk": desk})
    return participant, already


def checked_in_count(store: Any) -> int:
    """How many people have checked in at least once: O(1), from the store's index."""
    return store.distinct("checkins", "participant_id")


def is_checked_in(store: Any, participant_id: int) -> bool:
    """Whether the participant has checked in at least once."""
    return bool(store.count("checkins", participant_id=participant_id))


def search(store: Any, query: str, limit: int = 20) -> list[dict[str, Any]]:
    """Participants whose name, commune or e-mail contains the query, accents and case
    ignored."""
    needle = fold(query.strip())
    if not needle:
        return []
    found = []
    for p in store.scan("participants"):
        if needle in fold(p["name"]) or needle in fold(p.get("commune", "")) or needle in fold(
                p.get("email") or ""):
            found.append(dict(p))
            if len(found) >= limit:
                break
    return found


def update_details(store: Any, participant_id: int, form: dict[str, Any]) -> dict[str, Any]:
    """A participant corrects their name or commune, or changes their mind about being
    contacted by the future tiers-lieu, from their pass."""
    record, errors = _texts(form, (("name", NAME_MAX, True), ("commune", COMMUNE_MAX, True)))
    if errors:
        raise InvalidInput("Some fields need your attention.", fields=errors)
    record["contact_optin"] = truthy(form.get("contact_optin"))
    get(store, participant_id)
    return store.update("participants", participant_id, record)


def holdings(store: Any, participant: dict[str, Any]) -> dict[str, int]:
    """What erasing a participant removes, table by table (the erasure page lists it):
    every record that points to them, and their survey answers."""
    counts = {table: len({doc["id"] for field in PERSON_FIELDS
                          for doc in store.find(table, **{field: participant["id"]})})
              for table in store.tables() if table != "participants"}
    counts["answers"] = len(participant.get("answers") or {})
    return counts


def delete(store: Any, kit: Kit, participant_id: int) -> int:
    """Erase a participant and everything that points to them (GDPR); returns how many
    records were removed. Bookings are released first so waiting lists move on."""
    from . import bookings

    bookings.release_all(store, kit, participant_id)
    removed = 0
    for table in store.tables():
        if table == "participants":
            continue
        for field in PERSON_FIELDS:
            for doc in store.find(table, **{field: participant_id}):
                store.remove(table, doc["id"])
                removed += 1
    if store.get("participants", participant_id) is not None:
        store.remove("participants", participant_id)
        removed += 1
    return removed


def first_name(participant: dict[str, Any]) -> str:
    """The only personal detail a check-in code's page shows."""
    return (participant.get("name") or "").split(" ", 1)[0]


def public(participant: dict[str, Any]) -> dict[str, Any]:
    """What the API shows of a participant (never the token)."""
    return {key: participant.get(key) for key in (
        "id", "name", "email", "profile", "commune", "contact_optin", "charter_accepted",
        "answers", "lang", "created_at")}
