"""``python -m carbon_pipeline.hourly``: build the hourly tables on the configured warehouse (after ``make run``)
and print the hourly-vs-annual and hourly-matching summaries.

Why a command of its own and not (yet) a Dagster asset: hourly is an option that must leave the annual run and
its assets exactly as they are; wiring it into the code location is left to a later change (docs/hourly.md)."""

from __future__ import annotations

import sys

from carbon_pipeline.errors import ConfigError
from carbon_pipeline.factors.user_files import UserFactorFileError
from carbon_pipeline.hourly.build import build_hourly, hourly_sources
from carbon_pipeline.settings import load_settings
from carbon_pipeline.sources.sources_file import load_sources_file
from carbon_pipeline.warehouse.connection import warehouse_connection


def main() -> int:
    settings = load_settings()
    try:
        sources = load_sources_file(settings.sources_file)
        if not sources.hourly.enabled:
            print(f"hourly is off in {settings.sources_file} (hourly.enabled: true turns it on)", file=sys.stderr)
            return 2
        with warehouse_connection(settings.warehouse) as con:
            built = build_hourly(con, sources.hourly, hourly_sources(sources))
            summary = con.execute(
                "SELECT period_month, entity_kind, entity, zone, round(annual_tco2e, 4), round(hourly_tco2e, 4), "
                "round(hourly_to_annual, 3), note FROM marts.hourly_vs_annual ORDER BY ALL"
            ).fetchall()
            market = con.execute(
                "SELECT period_month, zone, round(cfe_score, 3), round(hourly_market_tco2e, 4), "
                "round(annual_market_tco2e, 4) FROM marts.hourly_market_scope2 ORDER BY ALL"
            ).fetchall()
    except (ConfigError, UserFactorFileError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if built.synthetic:
        print("NOTE: a SYNTHETIC hourly grid profile is in use: its hourly shape is invented, not measured.")
    print("month\tkind\tentity\tzone\tannual_tco2e\thourly_tco2e\thourly/annual\tnote")
    for row in summary:
        print("\t".join("" if v is None else str(v) for v in row))
    print("month\tzone\tcfe_score\thourly_market_tco2e\tannual_market_tco2e")
    for row in market:
        print("\t".join("" if v is None else str(v) for v in row))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
