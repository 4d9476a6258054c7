"""Coverage of the cloud usage estimate per provider, as the CLI prints it after the inventory (issue 14).

Printed because a cloud figure built mostly from the spend-based fallback looks exactly like one built
from usage: the reader of the totals needs to see, per provider, how much of the usage cost was classified.
Read with the same SQL the blocking check uses (dbt_like_sql/checks/cloud_spend_fallback_share.sql).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb

from carbon_pipeline.warehouse.connection import open_read_only
from carbon_pipeline.warehouse.sql_models import run_model

WHOLE_TABLE = (date(1, 1, 1), date(9999, 12, 1))


def coverage_by_provider_month(
    con: duckdb.DuckDBPyConnection, max_share: float = 0.2
) -> list[tuple[date, str, float, float | None, float | None, float, str | None]]:
    """(month, provider, usage cost, classified share, last-fallback share, max share, top services) for
    every provider-month with cloud usage."""
    start, end = WHOLE_TABLE
    return run_model(
        con, "checks/cloud_spend_fallback_share", start=start, end=end, max_share=max_share, all_rows=True
    ).fetchall()


def format_coverage(database: Path, max_share: float = 0.2) -> str:
    """One line per provider: share of usage cost classified and on the last fallback, over all months, and
    every month above ``max_share`` with its top services. Empty when there is no cloud usage."""
    try:
        con = open_read_only(database)
    except duckdb.Error as exc:
        return f"cloud usage coverage: not available ({exc})"
    try:
        rows = coverage_by_provider_month(con, max_share)
    except duckdb.Error as exc:  # a run that failed before the emissions stage has no tables to read
        return f"cloud usage coverage: not available ({str(exc).splitlines()[0]})"
    finally:
        con.close()
    if not rows:
        return ""
    totals: dict[str, list[float]] = {}
    over: dict[str, list[str]] = {}
    for month, provider, cost, classified, fallback, _, top in rows:
        t = totals.setdefault(provider, [0.0, 0.0, 0.0])
        t[0] += cost or 0.0
        t[1] += (classified or 0.0) * (cost or 0.0)
        t[2] += (fallback or 0.0) * (cost or 0.0)
        if fallback is not None and fallback > max_share:
            over.setdefault(provider, []).append(f"{month:%Y-%m} {fallback:.0%} on fallback ({top or 'no services'})")
    lines = [f"cloud usage coverage (share of usage cost; blocking above {max_share:.0%} on the last fallback)"]
    for provider in sorted(totals):
        cost, classified, fallback = totals[provider]
        lines.append(
            f"  {provider:<8} usage cost {cost:,.2f}: classified {_share(classified, cost)}, "
            f"spend-based or no figure {_share(fallback, cost)}"
        )
        lines += [f"    {text}" for text in over.get(provider, [])]
    return "\n".join(lines)


def _share(part: float, whole: float) -> str:
    return f"{part / whole:.1%}" if whole else "n/a"
