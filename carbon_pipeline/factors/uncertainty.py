"""The data-quality tiers and their default uncertainties (issue 17, docs/uncertainty.md).

The shipped file ``data/uncertainty_defaults.csv`` is the one list of tiers: the sources file's
``settings.uncertainty`` may only name a tier it has, and the override is handed to the SQL models as one
``;tier=value;`` string (a plain VARCHAR parameter keeps the models portable to Spark)."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from functools import cache
from pathlib import Path

# the catalogue loads the same file (catalogue.FACTOR_FILES); read here without importing the warehouse layer
DEFAULTS_FILE = Path(__file__).resolve().parent / "data" / "uncertainty_defaults.csv"


@cache
def uncertainty_tiers() -> frozenset[str]:
    """Every tier name of both axes (activity and factor), from the shipped defaults."""
    with DEFAULTS_FILE.open(newline="", encoding="utf-8") as handle:
        return frozenset(row["tier"] for row in csv.DictReader(handle))


def overrides_parameter(overrides: Iterable[tuple[str, float]]) -> str:
    """``;tier=value;...;`` for $uncertainty_overrides (``;`` when none): each tier is looked up with the pattern
    ``;<tier>=([0-9.]+);``, so the value is written in plain decimal notation, never as 1e-05."""
    return ";" + "".join(f"{tier}={value:.10f};" for tier, value in overrides)
