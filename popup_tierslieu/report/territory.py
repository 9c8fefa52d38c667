"""An official list of communes, when the organiser has one offline: each commune typed
by a participant gets its INSEE code, its intercommunality (EPCI) and its population
class, so that the report groups people by intercommunality and its figures can feed
the national census of tiers-lieux.

No package on PyPI ships the list offline (french-cities and pynsee query INSEE's
APIs), so the list is a CSV file the organiser gives (``popup report --communes FILE``),
for example made from INSEE's Code officiel géographique and its table of EPCI members
(open licence, Licence Ouverte 2.0). Columns, with a header line, ``;`` or ``,``
between fields: ``code`` (INSEE code), ``name``, and optionally ``epci`` (the
intercommunality's name) and ``population``.
"""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..domain.communes import commune_key
from ..errors import PopupError
from .folding import fold_small


class ReportError(PopupError):
    code = "report"


# INSEE's usual size bands of communes (by number of inhabitants).
POPULATION_CLASSES = ((500, "< 500"), (2000, "500-1999"), (5000, "2000-4999"),
                      (20000, "5000-19999"), (None, ">= 20000"))
UNCODED = "uncoded"


@dataclass(frozen=True)
class Commune:
    code: str
    name: str
    epci: str | None
    population_class: str | None


def population_class(population: int | None) -> str | None:
    if population is None:
        return None
    return next(label for limit, label in POPULATION_CLASSES
                if limit is None or population < limit)


def load(path: str | Path) -> dict[str, Commune]:
    """The list by comparison key (``commune_key``). A name two communes of the list
    share (there are many Saint-Martin) is left out: it cannot be told apart."""
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
    found: dict[str, Commune] = {}
    seen: Counter[str] = Counter()
    for line, row in enumerate(rows, start=2):
        population = (row.get("population") or "").strip()
        if population and not population.isdigit():
            raise ReportError("Line %(line)s of %(path)s: the population must be a whole "
                              "number.", params={"line": line, "path": str(path)})
        key = commune_key(row["name"])
        seen[key] += 1
        found[key] = Commune(row["code"].strip(), row["name"].strip(),
                             (row.get("epci") or "").strip() or None,
                             population_class(int(population) if population else None))
    return {key: c for key, c in found.items() if seen[key] == 1}


def coded(counts: dict[str, int], communes: dict[str, Commune]) -> dict[str, Any]:
    """People per intercommunality and per population class of their commune, and how
    many could be coded; folded like every breakdown."""
    epci: Counter[str] = Counter()
    classes: Counter[str] = Counter()
    matched = 0
    for key, n in counts.items():
        commune = communes.get(key)
        if commune is None:
            epci[UNCODED] += n
            classes[UNCODED] += n
            continue
        matched += n
        epci[commune.epci or UNCODED] += n
        classes[commune.population_class or UNCODED] += n
    return {"matched": matched, "unmatched": sum(counts.values()) - matched,
            "intercommunalities": fold_small(epci),
            "population_classes": fold_small(classes, order=[
                label for _, label in POPULATION_CLASSES] + [UNCODED])}
