"""What each month of each transform table (ledger, emissions, marts) was built from, and whether raw still
holds exactly that (issue 13, class 4: repair after a crash).

A re-sync whose deliveries are unchanged in raw skips everything downstream. That is only right when every
downstream table was built from those same deliveries: a run killed after the raw step committed a new
delivery, but before the ledger ran, leaves raw new and the ledger and marts old, and a re-sync that looked
at raw alone would call the month unchanged forever. So each table's month replace records, in the same
transaction, the loaded deliveries (``raw.deliveries``: source, delivery id, model version, object versions)
of the source kinds upstream of it in ``audit.built_from``; the raw asset compares before it skips.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

from carbon_pipeline.sources.registry import source_kinds
from carbon_pipeline.transforms import downstream_tables, upstream_tables
from carbon_pipeline.warehouse.sql_models import bind, model_sql, run_model, strip_comments


def kinds_feeding(table: str) -> list[str]:
    """The source kinds whose raw rows reach ``table`` (directly, or through the tables it reads)."""
    upstream = upstream_tables(table)
    return sorted(name for name, kind in source_kinds().items() if kind.feeds in upstream)


def tables_fed_by(kind: str) -> list[str]:
    """The transform tables a change of ``kind``'s raw rows makes stale: the table it feeds and everything
    built from it (the ledger, emissions and marts its re-sync job rebuilds)."""
    return downstream_tables(source_kinds()[kind].feeds)


def record_built_from(
    con: duckdb.DuckDBPyConnection, table: str, start: date, end: date, run_id: str | None = None
) -> int:
    """Record what ``table``'s months [start, end) are built from now. Call it in the transaction that
    replaces those months, after the replace: the record and the rows commit together or not at all."""
    con.execute(
        "DELETE FROM audit.built_from WHERE stage_table = ? AND period_month >= ? AND period_month < ?",
        [table, start, end],
    )
    sql = model_sql("lineage/built_from")
    params = bind(sql, {"start": start, "end": end, "kinds": kinds_feeding(table)})
    return con.execute(
        f"""INSERT INTO audit.built_from BY NAME
            SELECT *, $stage_table AS stage_table, $recorded_by_run AS recorded_by_run, $recorded_at AS recorded_at
            FROM ({strip_comments(sql)})""",
        {
            **params,
            "stage_table": table,
            "recorded_by_run": run_id,
            "recorded_at": datetime.now(UTC).replace(tzinfo=None),
        },
    ).fetchall()[0][0]


@dataclass(frozen=True)
class StaleStage:
    """One month of one table built from other deliveries of a source than raw holds (``None``: none)."""

    table: str
    month: date
    source_id: str
    built_from: str | None
    raw_holds: str | None

    def __str__(self) -> str:
        return (
            f"{self.table} {self.month:%Y-%m} {self.source_id}: built from {self.built_from or 'nothing recorded'}, "
            f"raw holds {self.raw_holds or 'no delivery'}"
        )


def stale_stages(con: duckdb.DuckDBPyConnection, tables: list[str], start: date, end: date) -> list[StaleStage]:
    """Every month of ``tables`` in [start, end) whose record differs from the loaded deliveries upstream of
    it; empty when each was built from exactly what raw holds, the one case where skipping them is right."""
    stale: list[StaleStage] = []
    for table in tables:
        rows = run_model(
            con, "lineage/stale_stages", stage_table=table, start=start, end=end, kinds=kinds_feeding(table)
        ).fetchall()
        stale.extend(StaleStage(*row) for row in rows)
    return stale


def serving_is_stale(con: duckdb.DuckDBPyConnection, serving: Path, tables: list[str], start: date, end: date) -> str:
    """Why the serving file cannot be taken as current for ``tables``' months [start, end), or '' when it can: a
    run killed after a stage committed but before the serving file was swapped in leaves every table current
    and the file at its previous snapshot, so a re-sync must not skip the publish either. The file is current
    when it was published after the last of those months was replaced (its modification time, UTC)."""
    last = run_model(con, "lineage/last_built", tables=tables, start=start, end=end).fetchall()[0][0]
    if last is None:
        return ""
    if not serving.exists():
        return f"serving file {serving} missing"
    published = datetime.fromtimestamp(serving.stat().st_mtime, UTC).replace(tzinfo=None)
    if published < last:
        return (
            f"serving file published {published:%Y-%m-%d %H:%M:%S} UTC, before the stages it serves were "
            f"last rebuilt ({last:%Y-%m-%d %H:%M:%S} UTC)"
        )
    return ""
