"""What we keep after the event (``popup purge``): the aggregates the appetite report
needs, under pseudonymous ids, and nothing that names or reaches a person who did
not ask to be contacted.

Kept for everyone: the participant's id, profile, commune, language, survey answers,
registration time and source, check-ins, workshop registrations and seat bookings,
and what they published on purpose under the event's licence (swap posts, notes,
photos without EXIF). Kept only for those who ticked "contact me about the future
tiers-lieu": their name and e-mail. Removed for everyone: the pass token (the pass
stops working), the words of private exchanges (what was asked of the desk, where a
swap meeting was to take place: the report counts requests by kind and meetings by
outcome, so those stay), swap notices and the network addresses seen by the captive
portal.

Before a name or an e-mail goes, the person's keyed hash (``identity.py``) is kept, so
the territory report still counts a returning person once after the purge.
"""

from __future__ import annotations

from typing import Any

from . import identity

# Fields of a participant that name or reach them.
IDENTIFYING = ("name", "email", "phone")
# Tables of private exchanges and network traces: nothing in them feeds the report.
PRIVATE_TABLES = ("swap_notices", "captive_clients")
# Free text of private exchanges, dropped; the rest of these records feeds the report.
PRIVATE_WORDS = {"desk_requests": ("text",), "swap_meetings": ("when",)}


def purge(store: Any, people_key: bytes) -> dict[str, int]:
    """Pseudonymise participants and remove private tables; returns what changed.
    ``people_key`` is the territory key the report recognises people with."""
    pseudonymised = kept_for_contact = removed = 0
    for participant in store.all("participants"):
        changes: dict[str, Any] = {"token": None, "checkin_code": None, "form_nonce": None,
                                   "purged": True,
                                   identity.FIELD: identity.person_hash(participant,
                                                                        people_key)}
        if participant.get("contact_optin"):
            kept_for_contact += 1
        else:
            changes.update({field: None for field in IDENTIFYING if field in participant})
            pseudonymised += 1
        store.update("participants", participant["id"], changes)
    for table in PRIVATE_TABLES:
        for doc in store.all(table):
            store.remove(table, doc["id"])
            removed += 1
    for table, fields in PRIVATE_WORDS.items():
        for doc in store.all(table):
            if any(doc.get(field) for field in fields):
                store.update(table, doc["id"], {field: None for field in fields})
                removed += 1
    return {"pseudonymised": pseudonymised, "kept_for_contact": kept_for_contact,
            "removed": removed}
