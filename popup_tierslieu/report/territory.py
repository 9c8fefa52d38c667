"""The official list of communes, offline: each commune typed by a participant gets its
INSEE code, its intercommunality (EPCI) and its population class, so that the report
groups people by intercommunality and its figures can feed the national census of
tiers-lieux.

The kit ships the list (``data/communes.csv.gz``, built by ``tools/build_communes.py``
from @etalab/decoupage-administratif, INSEE's Code officiel géographique under Licence
Ouverte 2.0). An organiser may give their own CSV file (``popup report --communes FILE``,
columns ``code``, ``name`` and optionally ``epci``, ``population``, ``departement``):
its communes replace the shipped ones of the same code or name, and add to the others.

Many communes share a name (five Saint-Martin, twelve Sainte-Colombe): a postcode or a
département typed with the name ("Saint-Martin 32", "Sainte-Colombe (05)") tells them
apart, else the venue's département; a name still shared stays uncoded.
"""

from __future__ import annotations

import csv
import functools
import gzip
import re
from collections import Counter
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import Any, NamedTuple

from ..domain.communes import DEPARTEMENT, commune_key, departements_of_postcode
from .folding import fold_small
from .source import ReportError

# INSEE's usual size bands of communes (by number of inhabitants); under 2,000 is the
# historical threshold of a rural commune.
POPULATION_CLASSES = ((500, "< 500"), (2000, "500-1999"), (5000, "2000-4999"),
                      (20000, "5000-19999"), (None, ">= 20000"))
UNCODED = "uncoded"
SHIPPED = "data/communes.csv.gz"

_POSTCODE = re.compile(r"(?<!\d)(\d{5})(?!\d)")
# "Sainte-Colombe (05)", "Saint-Martin 32": a département typed after the name.
_DEPARTEMENT = re.compile(r"[(\s](\d{2,3}|2[AaBb])\s*\)?\s*$")
_PUNCTUATION = re.compile(r"[(),;/\[\]]")
# Paris, Lyon and Marseille are one commune each, whatever arrondissement people give.
_ARRONDISSEMENT = re.compile(r"^(paris|lyon|marseille) \d{1,2} ?(e|er|eme|ieme)?"
                             r"( arrondissement)?$")


def population_class(population: int | None) -> str | None:
    if population is None:
        return None
    return next(label for limit, label in POPULATION_CLASSES
                if limit is None or population < limit)


class Commune(NamedTuple):
    code: str
    name: str
    epci: str | None = None
    population: int | None = None
    departement: str | None = None
    epci_code: str | None = None
    postcodes: tuple[str, ...] = ()

    @property
    def population_class(self) -> str | None:
        return population_class(self.population)


def plain_key(name: str) -> str:
    """The comparison key of most official names, cheap to make: the shipped file leaves
    out a name's key when it is this one (tools/build_communes.py)."""
    return name.lower().replace("-", " ")


def typed_parts(typed: str) -> tuple[str, str | None, str | None]:
    """What people type: the commune's key, and a postcode or a département if given."""
    postcode = _POSTCODE.search(typed)
    text = _POSTCODE.sub(" ", typed).strip()
    departement = _DEPARTEMENT.search(text)
    if departement and DEPARTEMENT.match(departement.group(1).upper()):
        text = text[:departement.start()]
    else:
        departement = None
    key = commune_key(_PUNCTUATION.sub(" ", text))
    key = (arrondissement.group(1) if (arrondissement := _ARRONDISSEMENT.match(key)) else key)
    return (key, postcode.group(1) if postcode else None,
            departement.group(1).upper() if departement else None)


def _narrow(found: list[Commune], keep: Any) -> list[Commune]:
    """The communes ``keep`` accepts, or all of them when it accepts none: a hint that
    fits no candidate (a mistyped postcode) does not hide the name's match."""
    kept = [c for c in found if keep(c)]
    return kept or found


class Communes:
    """An official list of communes, found by the names people type."""

    def __init__(self, by_key: dict[str, list[Commune | str]]) -> None:
        # The shipped communes stay lines of the file until a report looks one up:
        # parsing all 35,000 would double the time the list takes to load.
        self.by_key = by_key

    @classmethod
    def of(cls, communes: Iterable[Commune]) -> Communes:
        by_key: dict[str, list[Commune | str]] = {}
        for c in communes:
            by_key.setdefault(commune_key(c.name), []).append(c)
        return cls(by_key)

    def get(self, key: str) -> list[Commune]:
        """The communes of that name (a comparison key), parsed once."""
        found = [_parse(c) if isinstance(c, str) else c for c in self.by_key.get(key, [])]
        if found:
            self.by_key[key] = list(found)
        return found

    def __len__(self) -> int:
        return sum(len(found) for found in self.by_key.values())

    def over(self, base: Communes) -> Communes:
        """This list over ``base``: its communes replace those of ``base`` with the same
        code or name, and add to the others."""
        codes = {_code(c) for found in self.by_key.values() for c in found}
        merged = {key: kept for key, found in base.by_key.items() if key not in self.by_key
                  if (kept := [c for c in found if _code(c) not in codes])}
        merged.update(self.by_key)
        return Communes(merged)

    def candidates(self, typed: str, departements: Iterable[str] = ()) -> list[Commune]:
        """The communes a typed name can be: one when it is coded, several when the name
        is shared and nothing tells them apart, none when the list does not hold it."""
        key, postcode, departement = typed_parts(typed)
        found = self.get(key)
        if len(found) > 1 and postcode:
            from_postcode = departements_of_postcode(postcode)
            found = _narrow(found, lambda c: postcode in c.postcodes or (
                not c.postcodes and c.departement in from_postcode))
        if len(found) > 1 and departement:
            found = _narrow(found, lambda c: c.departement == departement)
        venue = set(departements)
        if len(found) > 1 and venue:
            found = _narrow(found, lambda c: c.departement in venue)
        return found

    def find(self, typed: str, departements: Iterable[str] = ()) -> Commune | None:
        found = self.candidates(typed, departements)
        return found[0] if len(found) == 1 else None


# The shipped file's columns, in order (tools/build_communes.py writes them).
COLUMNS = ("code", "name", "key", "departement", "epci_code", "epci", "population",
           "postcodes")


def _code(commune: Commune | str) -> str:
    return commune.code if isinstance(commune, Commune) else commune.split(";", 1)[0]


def _parse(line: str) -> Commune:
    code, name, _key, dep, epci_code, epci, population, postcodes = line.split(";")
    return Commune(code, name, epci or None, int(population) if population else None,
                   dep or None, epci_code or None, tuple(postcodes.split()))


# Read once per process, and only when a report is made: 35,000 communes.
@functools.cache
def shipped() -> Communes:
    """The official list shipped with the kit."""
    data = resources.files("popup_tierslieu.report").joinpath(SHIPPED).read_bytes()
    lines = [line for line in gzip.decompress(data).decode("utf-8").splitlines()
             if not line.startswith("#")]
    if tuple(lines[0].split(";")) != COLUMNS:
        raise ReportError("The shipped list of communes is damaged: reinstall popup-tierslieu.")
    by_key: dict[str, list[Commune | str]] = {}
    for line in lines[1:]:
        _, name, key, _ = line.split(";", 3)
        key = key or plain_key(name)
        found = by_key.get(key)
        if found is None:
            by_key[key] = [line]
        else:
            found.append(line)
    return Communes(by_key)


def official(extra: Communes | None = None) -> Communes:
    """The list a report codes communes with: the shipped one, under the organiser's."""
    return extra.over(shipped()) if extra else shipped()


def load(path: str | Path) -> Communes:
    """An organiser's list of communes, read from a CSV file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ReportError("Cannot read the list of communes %(path)s: %(reason)s. Fix: give "
                          "a UTF-8 CSV file with the columns code and name.",
                          params={"path": str(path), "reason": str(exc)}) from None
    dialect = ";" if text.split("\n", 1)[0].count(";") else ","
    rows = list(csv.DictReader(text.splitlines(), delimiter=dialect))
    if not rows or not {"code", "name"} <= set(rows[0]):
        raise ReportError("The list of communes %(path)s needs a header line with the "
                          "columns code and name (epci and population are optional).",
                          params={"path": str(path)})
    communes = []
    for line, row in enumerate(rows, start=2):
        population = (row.get("population") or "").strip()
        if population and not population.isdigit():
            raise ReportError("Line %(line)s of %(path)s: the population must be a whole "
                              "number.", params={"line": line, "path": str(path)})
        communes.append(Commune(row["code"].strip(), row["name"].strip(),
                                (row.get("epci") or "").strip() or None,
                                int(population) if population else None,
                                (row.get("departement") or "").strip().upper() or None))
    return Communes.of(communes)


def venue_departements(events: list[dict[str, Any]], communes: Communes) -> set[str]:
    """The départements of the events' venues: the kit's, else the one of the venue's
    commune when the list holds a single commune of that name."""
    out = set()
    for event in events:
        found = event.get("departement") or getattr(
            communes.find(event.get("commune") or ""), "departement", None)
        if found:
            out.add(found)
    return out


class Coding(NamedTuple):
    """Each typed commune (by its key) coded, or why not."""

    coded: dict[str, Commune]
    ambiguous: set[str]
    # The official name shown for a coded commune, with its département when other
    # communes of the list share the name: "Saint-Martin (32)".
    labels: dict[str, str]


def code_all(typed: dict[str, str], communes: Communes, departements: set[str]) -> Coding:
    """``typed``: a spelling people typed, by commune key."""
    coded: dict[str, Commune] = {}
    ambiguous = set()
    labels = {}
    for key, text in typed.items():
        found = communes.candidates(text, departements)
        if len(found) == 1:
            commune = coded[key] = found[0]
            shared = len(communes.get(commune_key(commune.name))) > 1
            labels[key] = (f"{commune.name} ({commune.departement})"
                           if shared and commune.departement else commune.name)
        elif found:
            ambiguous.add(key)
    return Coding(coded, ambiguous, labels)


def catchment_keys(catchment: dict[str, str], coding: Coding, communes: Communes,
                   departements: set[str]) -> dict[str, str]:
    """The catchment's communes (the kit's names, by key), with every typed spelling
    coded as one of them: "84160 Lourmarin" and "Lourmarin (84)" live in Lourmarin."""
    codes = {}
    for name in catchment.values():
        found = communes.find(name, departements)
        if found:
            codes[found.code] = name
    wider = dict(catchment)
    for key, commune in coding.coded.items():
        if commune.code in codes:
            wider.setdefault(key, codes[commune.code])
    return wider


def coded(counts: dict[str, int], coding: Coding) -> dict[str, Any]:
    """People per intercommunality and per population class of their commune, and how
    many could be coded (each person counted once, in one group); folded like every
    breakdown."""
    epci: Counter[str] = Counter()
    classes: Counter[str] = Counter()
    matched = ambiguous = 0
    for key, n in counts.items():
        commune = coding.coded.get(key)
        if commune is None:
            epci[UNCODED] += n
            classes[UNCODED] += n
            ambiguous += n if key in coding.ambiguous else 0
            continue
        matched += n
        epci[commune.epci or UNCODED] += n
        classes[commune.population_class or UNCODED] += n
    uncoded = [key for key in counts if key and key not in coding.coded]
    return {"matched": matched, "unmatched": sum(counts.values()) - matched,
            "ambiguous": ambiguous, "communes_uncoded": len(uncoded),
            "communes_ambiguous": sum(1 for key in uncoded if key in coding.ambiguous),
            "intercommunalities": fold_small(epci),
            "population_classes": fold_small(classes, order=[
                label for _, label in POPULATION_CLASSES] + [UNCODED])}
