"""Published periods: insert-only snapshots of the inventory, and the restatement log that compares the
current figures of published months with them (docs/restatements.md).

Publishing is a deliberate act by a person (``carbon-pipeline publish``), not a step of every run: a
snapshot is what the organisation reported, so the pipeline never writes one on its own. Every run then
rewrites the restatement log and bridge, because they describe "now vs published" and nothing else.
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import duckdb

from carbon_pipeline import __version__
from carbon_pipeline.sources.config import InventorySettings
from carbon_pipeline.warehouse.connection import transaction
from carbon_pipeline.warehouse.sql_models import bind, insert_model, model_sql, run_model

CURRENT_FIGURES = "current_bridge_figures"
RECOMPUTED_HASHES = "recomputed_snapshot_hashes"


class PublishError(Exception):
    """Publishing was refused; nothing was written."""


@dataclass(frozen=True)
class Snapshot:
    snapshot_id: str
    first_month: date
    last_month: date
    version: int
    supersedes: str | None
    figure_rows: int
    summary_rows: int
    content_sha256: str


def next_month(month: date) -> date:
    return date(month.year + (month.month == 12), month.month % 12 + 1, 1)


def policies(settings: InventorySettings) -> dict[str, Any]:
    """The inventory policies the bridge model binds, and that a snapshot records."""
    return {
        "cloud_scope_policy": settings.cloud_scope_policy,
        "coefficient_profile": settings.coefficient_profile,
        "carbon_model_version": settings.carbon_model_version,
    }


def stage_model(con: duckdb.DuckDBPyConnection, temp_table: str, name: str, **params: Any) -> int:
    """Materialize model ``name`` as a temporary table (the models that compare with it read it by name)."""
    sql = model_sql(name)
    con.execute(f"CREATE OR REPLACE TEMP TABLE {temp_table} AS (\n{sql}\n)", bind(sql, params))
    return con.execute(f"SELECT COUNT(*) FROM {temp_table}").fetchall()[0][0]


def publish_period(
    con: duckdb.DuckDBPyConnection,
    first: date,
    last: date,
    settings: InventorySettings,
    *,
    note: str | None = None,
    republish: bool = False,
) -> Snapshot:
    """Copy the current figures of months first..last (inclusive) into a new insert-only snapshot, in one
    transaction. Refuses months without inventory rows, and months already published unless
    ``republish`` (then the new snapshot is a new version and becomes the current one for its months)."""
    first, last = first.replace(day=1), last.replace(day=1)
    if last < first:
        raise PublishError(f"--to {last:%Y-%m} is before --from {first:%Y-%m}")
    end = next_month(last)
    built = {
        row[0]
        for row in con.execute(
            "SELECT DISTINCT period_month FROM marts.scope_summary WHERE period_month >= ? AND period_month < ?",
            [first, end],
        ).fetchall()
    }
    months, month = [], first
    while month < end:
        months.append(month)
        month = next_month(month)
    missing = [m for m in months if m not in built]
    if missing:
        raise PublishError(
            "no inventory rows in marts.scope_summary for "
            + ", ".join(f"{m:%Y-%m}" for m in missing)
            + ": run the pipeline for these months before publishing them"
        )
    current = con.execute(
        """SELECT snapshot_id, string_agg(strftime(period_month, '%Y-%m'), ', ' ORDER BY period_month)
           FROM published.current_months WHERE period_month >= ? AND period_month < ?
           GROUP BY snapshot_id ORDER BY snapshot_id""",
        [first, end],
    ).fetchall()
    if current and not republish:
        already = "; ".join(f"{months_} in snapshot {sid}" for sid, months_ in current)
        raise PublishError(
            f"already published: {already}. Published snapshots are immutable; pass --republish to publish "
            "a new version that becomes the current one for these months"
        )
    params = policies(settings)
    with transaction(con):
        (seq, earlier) = con.execute(
            """SELECT COALESCE(MAX(publication_seq), 0) + 1,
                      COUNT(*) FILTER (WHERE first_month <= ? AND last_month >= ?)
               FROM published.snapshots""",
            [last, first],
        ).fetchall()[0]
        version = earlier + 1
        snapshot_id = f"{first:%Y-%m}..{last:%Y-%m}.v{version}"
        taken = con.execute("SELECT COUNT(*) FROM published.snapshots WHERE snapshot_id = ?", [snapshot_id])
        if taken.fetchall()[0][0]:  # another range with the same ends published as often: keep ids unique
            snapshot_id = f"{snapshot_id}.{seq}"
        stage_model(con, CURRENT_FIGURES, "publishing/bridge_figures", start=first, end=end, **params)
        con.execute(
            f"INSERT INTO published.figures BY NAME SELECT ? AS snapshot_id, * FROM {CURRENT_FIGURES}",
            [snapshot_id],
        )
        con.execute(
            # with the 95 % range the line is published with (marts.scope_summary_uncertainty, same grain): a
            # later restatement says whether it fell inside (audit.restatement_log.within_published_range)
            """INSERT INTO published.scope_summary BY NAME
               SELECT ? AS snapshot_id, s.period_month, s.scope, s.scope3_category, s.method, s.basis, s.tco2e,
                      u.tco2e_low, u.tco2e_high
               FROM marts.scope_summary AS s
               LEFT JOIN marts.scope_summary_uncertainty AS u
                 ON u.period_month = s.period_month AND u.scope = s.scope
                AND u.scope3_category IS NOT DISTINCT FROM s.scope3_category AND u.method = s.method
                AND u.basis = s.basis
               WHERE s.period_month >= ? AND s.period_month < ?""",
            [snapshot_id, first, end],
        )
        stage_model(con, RECOMPUTED_HASHES, "publishing/snapshot_hashes")
        figure_rows, figures_sha, summary_rows, summary_sha = con.execute(
            f"""SELECT figure_rows, figures_sha256, summary_rows, summary_sha256 FROM {RECOMPUTED_HASHES}
                WHERE snapshot_id = ?""",
            [snapshot_id],
        ).fetchall()[0]
        supersedes = ", ".join(sid for sid, _ in current) or None
        header = {
            "snapshot_id": snapshot_id,
            "publication_seq": seq,
            "first_month": first,
            "last_month": last,
            "version": version,
            "supersedes": supersedes,
            # microseconds are what TIMESTAMP keeps: the hash is computed from the stored value
            "published_at": datetime.now(UTC).replace(tzinfo=None),
            "note": note,
            "published_by": _user(),
            "pipeline_version": __version__,
            "coefficient_profile": params["coefficient_profile"],
            "cloud_scope_policy": params["cloud_scope_policy"],
            "carbon_model_version": params["carbon_model_version"],
            "figure_rows": figure_rows,
            "summary_rows": summary_rows,
            "figures_sha256": figures_sha,
            "summary_sha256": summary_sha,
        }
        columns = ", ".join(header)
        typed = ", ".join(f"CAST(${name} AS {_TYPES[name]}) AS {name}" for name in header)
        con.execute(
            f"""INSERT INTO published.snapshots BY NAME
                SELECT *, published.snapshot_content_sha256({columns}) AS content_sha256 FROM (SELECT {typed})""",
            header,
        )
        content = con.execute(
            "SELECT content_sha256 FROM published.snapshots WHERE snapshot_id = ?", [snapshot_id]
        ).fetchall()[0][0]
    return Snapshot(snapshot_id, first, last, version, supersedes, figure_rows, summary_rows, content)


_TYPES = {
    "snapshot_id": "VARCHAR",
    "publication_seq": "INTEGER",
    "first_month": "DATE",
    "last_month": "DATE",
    "version": "INTEGER",
    "supersedes": "VARCHAR",
    "published_at": "TIMESTAMP",
    "note": "VARCHAR",
    "published_by": "VARCHAR",
    "pipeline_version": "VARCHAR",
    "coefficient_profile": "VARCHAR",
    "cloud_scope_policy": "VARCHAR",
    "carbon_model_version": "VARCHAR",
    "figure_rows": "BIGINT",
    "summary_rows": "BIGINT",
    "figures_sha256": "VARCHAR",
    "summary_sha256": "VARCHAR",
}


def _user() -> str | None:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (containers)
        return None


def refresh_restatements(con: duckdb.DuckDBPyConnection, settings: InventorySettings) -> dict[str, int]:
    """Rewrite audit.restatement_bridge and audit.restatement_log from the published snapshots and the
    current figures, in one transaction: the same inputs always give the same rows."""
    months = con.execute("SELECT MIN(period_month), MAX(period_month) FROM published.current_months").fetchall()[0]
    with transaction(con):
        con.execute("DELETE FROM audit.restatement_bridge")
        con.execute("DELETE FROM audit.restatement_log")
        if months[0] is None:
            return {"published_months": 0, "bridge_lines": 0, "log_lines": 0}
        stage_model(
            con,
            CURRENT_FIGURES,
            "publishing/bridge_figures",
            start=months[0],
            end=next_month(months[1]),
            **policies(settings),
        )
        bridge = insert_model(con, "audit.restatement_bridge", "publishing/restatement_bridge")
        log = insert_model(con, "audit.restatement_log", "publishing/restatement_log")
    published = con.execute("SELECT COUNT(*) FROM published.current_months").fetchall()[0][0]
    return {"published_months": published, "bridge_lines": bridge, "log_lines": log}


def snapshot_problems(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    """(snapshot_id, problem, expected, found) for every published snapshot that is no longer exactly as
    published; empty when all are intact."""
    stage_model(con, RECOMPUTED_HASHES, "publishing/snapshot_hashes")
    return run_model(con, "publishing/published_snapshots_unchanged").fetchall()


def bridge_mismatches(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    """Bridge or log lines whose parts do not add up to their delta (1e-9 tCO2e)."""
    return run_model(con, "publishing/restatement_bridge_reconciles").fetchall()
