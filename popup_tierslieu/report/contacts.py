"""``contacts.csv``: the people who agreed to be contacted by the future tiers-lieu, once
each across events, with only what they gave, the roles that make them worth a call
(volunteer, weekly user, an organisation that can support the project, workshop host)
and the pseudonym that joins their row of the event's open-data export.

Volunteers who did not agree to be contacted are only counted (a number, never who).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .. import i18n
from ..domain import identity
from ..errors import N_
from ..kit import Kit
from . import compute
from . import people as persons
from .export import pseudonym, pseudonym_key
from .folding import small
from .source import EventData

ROLES = {"volunteer": N_("volunteer"), "weekly": N_("would come weekly"),
         "structure": N_("organisation that can support"), "host": N_("workshop host")}


@dataclass
class Person:
    """One person across events: the latest event's data, and the roles of all."""

    event: str  # the name of the latest event, whose export the pseudonym joins
    pseudonym: str
    participant: dict[str, Any]
    events: list[str]
    roles: set[str]
    optin: bool


class Roles:
    """The roles of one event's participants; what depends on the kit alone (its hosts,
    which profiles are organisations) is worked out once."""

    def __init__(self, kit: Kit) -> None:
        self.reader = persons.Reader(kit)
        self.hosts = [identity.fold(w.host) for w in kit.workshops]
        self.structures: dict[str, bool] = {}

    def of(self, participant: dict[str, Any]) -> set[str]:
        said = self.reader.person(participant, came=False)
        found = {"volunteer"} if said.volunteer else set()
        if said.months is not None and said.months >= compute.WEEKLY:
            found.add("weekly")
        if said.profile not in self.structures:
            folded = identity.fold(said.profile)
            self.structures[said.profile] = any(h in folded for h in compute.STRUCTURE_HINTS)
        if self.structures[said.profile]:
            found.add("structure")
        # A host is named in the kit's programme ("Coopérative X — Léa Fournier"); a full
        # name (two words at least) avoids taking a "Léa" for every Léa.
        name = identity.fold(participant.get("name") or "")
        if len(name.split()) >= 2 and any(name in host for host in self.hosts):
            found.add("host")
        return found


def people(events: list[EventData], key: bytes) -> list[Person]:
    """Everyone once, recognised across events by the keyed hash of the territory key, in
    the order of their first registration; events are read in date order so the latest
    data win."""
    found: dict[str, Person] = {}
    for event in sorted(events, key=lambda e: (e.kit.event.start_date, e.kit.event.slug)):
        export_key = pseudonym_key(event.folder)
        roles = Roles(event.kit)
        slug, name = event.kit.event.slug, event.kit.event.name.get(i18n.current.get())
        for p in sorted(event.tables.get("participants", []), key=lambda p: p["id"]):
            who = identity.person_hash(p, key) or f"{slug}|{p['id']}"
            person = found.setdefault(who, Person(slug, "", p, [], set(), False))
            person.event, person.participant = name, p
            person.pseudonym = pseudonym(export_key, p["id"])
            person.events.append(name)
            person.roles |= roles.of(p)
            person.optin = person.optin or p.get("contact_optin") is True
    return list(found.values())


def rows(persons: list[Person], role_name: Any) -> list[dict[str, Any]]:
    """Exactly the people who opted in, with only what they gave."""
    return [{"pseudonym": p.pseudonym, "event": p.event,
             "name": p.participant.get("name") or None,
             "email": p.participant.get("email") or None,
             "commune": p.participant.get("commune") or None,
             "profile": p.participant.get("profile") or None,
             "roles": ", ".join(role_name(ROLES[r]) for r in ROLES if r in p.roles),
             "events": ", ".join(p.events)}
            for p in persons if p.optin]


def unreachable_volunteers(persons: list[Person]) -> int | None:
    """Volunteers who did not tick "contact me": a count, folded like any group under 3."""
    return small(sum(1 for p in persons if "volunteer" in p.roles and not p.optin))
