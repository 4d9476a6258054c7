"""Rebuild the shipped EEA electricity factor file from the verbatim copy of the EEA's chart data kept in
``sources/eea_ghg_intensity_9/``.

Why a script: factor values are never typed by hand (same rule as ``build_factor_files.py``). The EEA's
"Greenhouse gas emission intensity of electricity generation" by Member State (chart data
co2-emission-intensity-9, gCO2e per kWh of gross electricity generation, 1990-2020) is stored in 16,000-character
slices of a public copy named in ``ORIGIN``; this script reassembles it character for character, keeps the EU-27
member states' published non-negative values and writes ``../data/eea_ghg_intensity_electricity_member_states.csv``.
``python -m carbon_pipeline.factors.build.build_eea_factors --check`` fails if the shipped file differs.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from pathlib import Path

BUILD_DIR = Path(__file__).resolve().parent
SOURCE_DIR = BUILD_DIR / "sources" / "eea_ghg_intensity_9"
TARGET = BUILD_DIR.parent / "data" / "eea_ghg_intensity_electricity_member_states.csv"

ORIGIN = {
    "publisher_file": "European Environment Agency, 'Greenhouse gas emission intensity of electricity generation', "
    "chart data co2-emission-intensity-9 (Member State level, gCO2e/kWh, 1990-2020)",
    "copy": "danilo-carastan-santos/europar-travel-emissions data/co2-emission-intensity-9.csv "
    "@ 9593a3ffff1ade41bd876a1e0e57737da86b42e9 (22,681 characters, CRLF)",
    "excerpt": "the whole file in 16,000-character slices chunk_<offset>.txt, each copied whole",
}
TOTAL_CHARS = 22_681
CHUNK = 16_000
VALUE_COLUMN = "Greenhouse gas emission (GHG) intensity:number"
COLUMNS = ["iso3", "member_state", "year", "gco2e_per_kwh"]
# The EU-27 member states as the copy names them -> ISO 3166-1 alpha-3.
MEMBER_STATES = {
    "Austria": "AUT",
    "Belgium": "BEL",
    "Bulgaria": "BGR",
    "Croatia": "HRV",
    "Cyprus": "CYP",
    "Czechia": "CZE",
    "Denmark": "DNK",
    "Estonia": "EST",
    "Finland": "FIN",
    "France": "FRA",
    "Germany": "DEU",
    "Greece": "GRC",
    "Hungary": "HUN",
    "Ireland": "IRL",
    "Italy": "ITA",
    "Latvia": "LVA",
    "Lithuania": "LTU",
    "Luxembourg": "LUX",
    "Malta": "MLT",
    "Netherlands": "NLD",
    "Poland": "POL",
    "Portugal": "PRT",
    "Romania": "ROU",
    "Slovakia": "SVK",
    "Slovenia": "SVN",
    "Spain": "ESP",
    "Sweden": "SWE",
}


def source_text() -> str:
    """The stored copy, reassembled; every slice must be present and of the stored length, so the result is
    the stored file character for character (CRLF line ends kept)."""
    chunks = []
    for offset in range(0, TOTAL_CHARS, CHUNK):
        path = SOURCE_DIR / f"chunk_{offset:06d}.txt"
        with path.open(encoding="utf-8", newline="") as handle:
            text = handle.read()
        expected = min(CHUNK, TOTAL_CHARS - offset)
        if len(text) != expected:
            raise ValueError(f"{path.name}: {len(text)} characters, the stored copy has {expected} at offset {offset}")
        chunks.append(text)
    return "".join(chunks)


def build() -> tuple[str, list[str]]:
    """One row per EU-27 member state and year with a published value. The EU aggregates, the indicative
    levels and non-member countries have no member-state geography; empty / 'None' values and a negative value
    (Belgium 2004 is -17.0 in the copy, a publisher data error) are withheld and reported."""
    rows, withheld = [], []
    for row in csv.DictReader(io.StringIO(source_text())):
        where = f"{row['Date:year']} {row['Member State:text']}"
        iso3 = MEMBER_STATES.get(row["Member State:text"])
        raw = row[VALUE_COLUMN].strip()
        if iso3 is None:
            withheld.append(f"{where}: not an EU-27 member state ({raw or 'no value'})")
            continue
        if raw in ("", "None"):
            withheld.append(f"{where}: EEA publishes no value")
            continue
        if float(raw) < 0:
            withheld.append(f"{where}: negative intensity {raw} in the copy (a publisher data error)")
            continue
        member_state, year = row["Member State:text"], row["Date:year"]
        rows.append({"iso3": iso3, "member_state": member_state, "year": year, "gco2e_per_kwh": raw})
    rows.sort(key=lambda r: (r["iso3"], int(r["year"])))
    keys = [(r["iso3"], r["year"]) for r in rows]
    if len(keys) != len(set(keys)):
        raise ValueError("EEA copy: a member state has two values for one year")
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue(), withheld


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="compare with the shipped file instead of writing")
    args = parser.parse_args(argv)
    text, withheld = build()
    for reason in withheld:
        print(f"{TARGET.name}: withheld {reason}")
    if args.check:
        shipped = TARGET.read_bytes().decode("utf-8") if TARGET.exists() else None
        if shipped != text:
            print(f"{TARGET.name}: differs from what the build produces", file=sys.stderr)
            return 1
        return 0
    with TARGET.open("w", encoding="utf-8", newline="") as handle:
        handle.write(text)
    print(f"{TARGET.name}: {text.count(chr(10)) - 1} rows written")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
