"""Build the list of French communes the report ships (popup_tierslieu/report/data/).

    cd /tmp/decoup && npm pack @etalab/decoupage-administratif@6.0.0 && tar xzf *.tgz
    python tools/build_communes.py /tmp/decoup/package

Reads the package's ``data/communes.json`` and ``data/epci.json`` (INSEE's Code officiel
géographique, Licence Ouverte 2.0) and writes ``communes.csv.gz``: one line per current
commune (``type == "commune-actuelle"``), with its département, intercommunality (EPCI),
population and postcodes, and the comparison key of its name (``commune_key``), so that
the report need not fold 35,000 names each time it loads the list (a test checks that the
keys still follow the folding rule). The key is left empty when it is the name in lower
case with spaces for hyphens (``territory.plain_key``), as for most names. Fields hold no
``;``: the report splits lines on it. The gzip's timestamp is fixed, so the same data
gives the same bytes (a rebuild shows no change in git).
"""

from __future__ import annotations

import argparse
import gzip
import json
from pathlib import Path

from popup_tierslieu.domain.communes import commune_key
from popup_tierslieu.report.territory import COLUMNS, SHIPPED, plain_key

TARGET = Path(__file__).resolve().parent.parent / "popup_tierslieu" / "report" / SHIPPED


def rows(package: Path) -> list[list[str]]:
    data = package / "data"
    communes = json.loads((data / "communes.json").read_text(encoding="utf-8"))
    epcis = json.loads((data / "epci.json").read_text(encoding="utf-8"))
    member_of = {m["code"]: e for e in epcis for m in e["membres"]}
    out = []
    for c in communes:
        if c.get("type") != "commune-actuelle":
            continue
        epci = member_of.get(c["code"], {})
        key = commune_key(c["nom"])
        out.append([c["code"], c["nom"], "" if key == plain_key(c["nom"]) else key,
                    c.get("departement", ""), epci.get("code", ""),
                    epci.get("nom", ""), str(c.get("population", "")),
                    " ".join(c.get("codesPostaux", []))])
    return sorted(out)


def write(package: Path, target: Path = TARGET) -> Path:
    version = json.loads((package / "package.json").read_text(encoding="utf-8"))["version"]
    lines = [f"# @etalab/decoupage-administratif {version}: INSEE Code officiel "
             "géographique, Licence Ouverte 2.0 (Etalab); tools/build_communes.py",
             ";".join(COLUMNS)]
    for row in rows(package):
        if any(";" in field or "\n" in field for field in row):
            raise SystemExit(f"a field holds ';' or a line break: {row}")
        lines.append(";".join(row))
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "wb") as raw, gzip.GzipFile(
            "communes.csv", "wb", compresslevel=9, fileobj=raw, mtime=0) as gz:
        gz.write(("\n".join(lines) + "\n").encode("utf-8"))
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("package", type=Path,
                        help="the unpacked npm package (the folder holding data/)")
    args = parser.parse_args()
    target = write(args.package)
    print(f"{target}: {target.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
