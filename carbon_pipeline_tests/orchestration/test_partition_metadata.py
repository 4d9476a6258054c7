"""What Dagster records per partition tells the truth about that partition: in a single-run backfill over
several months each month's materialization carries its own row count and totals (not the run's copied onto
every month), the run-level summaries appear once, on the unpartitioned serving asset, and every table asset
declares its column schema, table name and code references."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import dagster as dg
import pytest

from carbon_pipeline.definitions import build_definitions

MONTHS = ["2025-01-01", "2025-02-01", "2025-03-01"]
TABLES = ("ledger.activity", "ledger.provider_emissions", "emissions.activity_emissions", "marts.scope_summary")


@pytest.fixture(scope="module")
def three_months(tmp_path_factory, demo_files):
    """The demo's first quarter of 2025 in ONE run, with the events it recorded."""
    from carbon_pipeline_tests.conftest import make_deployment

    deployment = make_deployment(tmp_path_factory.mktemp("partition-metadata"), demo_files)
    with dg.DagsterInstance.ephemeral() as instance:
        result = deployment.run(date(2025, 1, 1), date(2025, 3, 1), instance=instance)
        assert result.success
        events = {}
        for event in result.get_asset_materialization_events():
            materialization = event.step_materialization_data.materialization
            events[(materialization.asset_key.to_user_string(), materialization.partition)] = materialization.metadata
    return deployment, events


def _per_month(deployment, table: str) -> dict[str, int]:
    rows = deployment.query(f"SELECT strftime(period_month, '%Y-%m-%d'), COUNT(*) FROM {table} GROUP BY 1")
    return dict(rows)


@pytest.mark.parametrize("table", TABLES)
def test_each_month_of_a_range_run_reports_its_own_row_count(three_months, table):
    deployment, events = three_months
    expected = _per_month(deployment, table)
    key = table.replace(".", "/")
    reported = {month: events[(key, month)]["dagster/row_count"].value for month in MONTHS}
    assert reported == {month: expected.get(month, 0) for month in MONTHS}
    assert sum(reported.values()) > 0


def test_a_raw_partition_counts_the_line_items_of_its_month_not_the_run(three_months):
    deployment, events = three_months
    expected = _per_month(deployment, "raw.aws_cur_line_items")  # the demo copies CUR line items into raw
    reported = {month: events[("raw/aws_cur_line_items", month)]["dagster/row_count"].value for month in MONTHS}
    assert reported == {month: expected[month] for month in MONTHS}
    assert len(set(reported.values())) > 1  # the months differ, so a run total copied onto each would fail


def test_each_month_carries_its_own_inventory_totals_and_no_run_level_chart(three_months):
    deployment, events = three_months
    for month in MONTHS:
        metadata = events[("marts/scope_summary", month)]
        ((location,),) = deployment.query(
            "SELECT SUM(tco2e) FROM marts.scope_summary WHERE method = 'location' AND period_month = ?", [month]
        )
        assert metadata["total_tco2e_location"].value == pytest.approx(location, abs=1e-5)
        assert "monthly_by_scope_chart" not in metadata and "by_year_scope" not in metadata
    serving = events[("serving/serving_database", None)]
    assert "monthly_by_scope_chart" in serving and "by_year_scope" in serving
    ((total,),) = deployment.query("SELECT SUM(tco2e) FROM marts.scope_summary WHERE method = 'location'")
    assert serving["total_tco2e_location"].value == pytest.approx(total, abs=1e-5)


def test_every_table_asset_declares_its_schema_name_and_sql(tmp_path):
    from carbon_pipeline.settings import Settings

    settings = Settings(
        sources_file=tmp_path / "missing.yaml",
        warehouse=tmp_path / "w.duckdb",
        serving=tmp_path / "s.duckdb",
        uses_demo=False,
    )
    graph = build_definitions(settings).resolve_asset_graph()
    scope_summary = graph.get(dg.AssetKey(["marts", "scope_summary"])).metadata
    assert scope_summary["dagster/table_name"] == "marts.scope_summary"
    columns = {c.name: c for c in scope_summary["dagster/column_schema"].schema.columns}
    assert list(columns) == ["period_month", "scope", "scope3_category", "method", "basis", "tco2e"]
    assert columns["tco2e"].description == "Metric tons CO2e."  # dbt_like_sql/serving/data_dictionary.sql
    references = scope_summary["dagster/code_references"].code_references
    assert [r.label for r in references] == ["dbt_like_sql/marts/scope_summary.sql"]
    assert all(Path(r.file_path).is_file() for r in references)
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        if key.path[0] in ("raw", "ledger", "emissions", "marts"):
            assert node.metadata["dagster/column_schema"].schema.columns, key
            assert "table" not in node.metadata, key  # the standard dagster/table_name replaces it
            assert node.owners, key
        if key.path[0] == "raw":
            assert node.freshness_policy is not None, key
