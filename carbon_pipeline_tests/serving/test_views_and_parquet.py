"""The serving file's stable views (schema bi) and the Parquet copies of the marts: the views resolve
inside the serving file alone, carry comments and give the marts' totals; the Parquet files round-trip
equal to the marts and are swapped in as a whole."""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import duckdb
import pytest

from carbon_pipeline.serving import publish
from carbon_pipeline.serving.publish import PARQUET_TABLES, parquet_folder, publish_serving

VIEWS = (
    "scope_summary",
    "inventory_by_year",
    "cloud_emissions",
    "cloud_reconciliation",
    "cloud_usage_coverage",
    "audit_trail",
    "published_scope_summary",
    "restatement_log",
    "restatement_bridge",
    # issue 17: uncertainty and data quality (docs/uncertainty.md)
    "inventory_uncertainty",
    "uncertainty_tier_shares",
    "uncertainty_contributors",
    "cloud_reconciliation_ranges",
    # issue 15: tCO2e per unit of the sources file's denominators
    "intensity_metrics",
    "emissions_by_gas",
)


@pytest.fixture
def serving(built, tmp_path):
    """The built serving file copied somewhere else: proves the views name no other file."""
    path = tmp_path / "elsewhere" / "serving.duckdb"
    path.parent.mkdir()
    shutil.copy(built.settings.serving, path)
    con = duckdb.connect(str(path), read_only=True)
    yield con
    con.close()


def one(con, sql: str, params: list | None = None):
    return con.execute(sql, params or []).fetchall()


def test_the_views_exist_with_comments_on_the_view_and_every_column(serving):
    views = dict(one(serving, "SELECT view_name, comment FROM duckdb_views() WHERE schema_name = 'bi'"))
    assert set(views) == set(VIEWS)
    assert all(views.values())
    missing = one(
        serving,
        "SELECT table_name, column_name FROM duckdb_columns() WHERE schema_name = 'bi' AND comment IS NULL",
    )
    assert missing == []


def test_the_views_give_the_marts_totals(serving):
    assert one(serving, "SELECT method, SUM(tco2e), COUNT(*) FROM bi.scope_summary GROUP BY 1 ORDER BY 1") == one(
        serving, "SELECT method, SUM(tco2e), COUNT(*) FROM marts.scope_summary GROUP BY 1 ORDER BY 1"
    )
    by_year = one(
        serving,
        """SELECT year(period_month), scope, method, SUM(tco2e), COUNT(DISTINCT period_month)
           FROM marts.scope_summary GROUP BY ALL ORDER BY ALL""",
    )
    assert one(serving, "SELECT * FROM bi.inventory_by_year ORDER BY ALL") == by_year
    assert [row[4] for row in by_year] == [12] * len(by_year)
    cloud = (
        "SELECT basis, COUNT(*), SUM(location_tco2e), SUM(market_tco2e), SUM(energy_kwh) FROM {} GROUP BY 1 ORDER BY 1"
    )
    assert one(serving, cloud.format("bi.cloud_emissions")) == one(serving, cloud.format("marts.cloud_emissions"))
    recon = "SELECT COUNT(*), SUM(reported_location_tco2e), SUM(estimated_location_tco2e) FROM {}"
    assert one(serving, recon.format("bi.cloud_reconciliation")) == one(
        serving, recon.format("marts.cloud_reconciliation")
    )
    labels = {r[0] for r in one(serving, "SELECT DISTINCT scope_label FROM bi.scope_summary")}
    assert labels == {"Scope 1", "Scope 2", "Scope 3 cat 1", "Scope 3 cat 6"}


def test_the_audit_trail_has_every_emission_row_with_its_ledger_row_and_factor_provenance(serving):
    trail = "SELECT method, COUNT(*), SUM(tco2e) FROM {} GROUP BY 1 ORDER BY 1"
    # the provider-reported cloud rows (activity_type cloud_reported) are the audit trail's own addition
    served, emitted = (
        one(serving, trail.format(t))
        for t in ("bi.audit_trail WHERE activity_type <> 'cloud_reported'", "emissions.activity_emissions")
    )
    # same rows; a parallel SUM of doubles may differ in its last bit between two scans
    assert [(m, n) for m, n, _ in served] == [(m, n) for m, n, _ in emitted]
    assert all(math.isclose(a[2], b[2], rel_tol=1e-12) for a, b in zip(served, emitted, strict=True))
    unexplained = one(
        serving,
        """SELECT COUNT(*) FROM bi.audit_trail
           WHERE factor_id IN (SELECT factor_id FROM factors.emission_factors)
             AND (factor_publisher IS NULL OR factor_edition IS NULL OR factor_file_sha256 IS NULL)""",
    )
    assert unexplained == [(0,)]
    ledger_rows_untraced = """SELECT COUNT(*) FROM bi.audit_trail
        WHERE activity_type <> 'cloud_reported' AND (source_object IS NULL OR first_line IS NULL)"""
    assert one(serving, ledger_rows_untraced) == [(0,)]
    # a provider-reported figure traces to the export object and delivery it was read from (no line grouping)
    reported_untraced = """SELECT COUNT(*) FROM bi.audit_trail
        WHERE activity_type = 'cloud_reported' AND (source_object IS NULL OR source_version IS NULL)"""
    assert one(serving, reported_untraced) == [(0,)]


def test_the_serving_file_opens_with_any_duckdb_from_1_0(serving):
    tags = one(serving, "SELECT tags FROM duckdb_databases() WHERE database_name = 'serving'")[0][0]
    assert tags["storage_version"] == "v1.0.0+"


def test_the_parquet_copies_round_trip_equal_to_the_marts(built, serving):
    folder = parquet_folder(built.settings.serving)
    assert folder.is_symlink() and folder.is_dir()
    assert sorted(p.name for p in folder.iterdir()) == sorted(f"{s}.{t}.parquet" for s, t in PARQUET_TABLES)
    for schema, table in PARQUET_TABLES:
        path = str(folder / f"{schema}.{table}.parquet")
        in_file = one(serving, "SELECT * FROM read_parquet(?)", [path])
        assert in_file == one(serving, f"SELECT * FROM {schema}.{table} ORDER BY ALL"), table
        types = one(serving, "SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet(?))", [path])
        assert types == one(serving, f"SELECT column_name, column_type FROM (DESCRIBE {schema}.{table})"), table


def _parquet_bytes(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_republishing_swaps_the_parquet_folder_whole_and_leaves_no_build_behind(built, tmp_path):
    serving = tmp_path / "serving.duckdb"
    publish_serving(built.settings.warehouse, serving)
    folder = parquet_folder(serving)
    first_target = folder.resolve()
    first = _parquet_bytes(folder)
    held = (folder / "marts.scope_summary.parquet").open("rb")  # a reader with a file open
    try:
        publish_serving(built.settings.warehouse, serving)
        assert folder.resolve() != first_target
        assert _parquet_bytes(folder) == first  # equal data, equal bytes: deterministic row order
        assert held.read() == first["marts.scope_summary.parquet"]  # the open file stays readable
    finally:
        held.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["serving.duckdb", "parquet", folder.resolve().name])


def test_a_failed_publish_leaves_the_previous_serving_file_and_parquet_copies(built, tmp_path, monkeypatch):
    serving = tmp_path / "serving.duckdb"
    publish_serving(built.settings.warehouse, serving)
    before_file = serving.read_bytes()
    before_parquet = _parquet_bytes(parquet_folder(serving))
    target = parquet_folder(serving).resolve()
    real = publish._write_parquet

    def half_then_fail(con, folder):
        real(con, folder)
        raise OSError("disk full")

    monkeypatch.setattr(publish, "_write_parquet", half_then_fail)
    with pytest.raises(OSError, match="disk full"):
        publish_serving(built.settings.warehouse, serving)
    assert serving.read_bytes() == before_file
    assert parquet_folder(serving).resolve() == target
    assert _parquet_bytes(parquet_folder(serving)) == before_parquet
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["serving.duckdb", "parquet", target.name])
