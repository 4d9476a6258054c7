"""The warning checks (factor fallbacks, month-over-month spikes, source freshness) and the row-count
reconciliation: each says what it should on the demo and catches the tampered case it is for.

Models are run directly on a copy of the built warehouse, as in test_checks.py; one test runs every
check through Dagster to see severities, the pinned run date and the overview table in the metadata.
"""

from __future__ import annotations

import shutil
from datetime import date

import dagster as dg
import duckdb
import pytest

from carbon_pipeline.orchestration.partitions import RANGE_END_TAG, RANGE_START_TAG
from carbon_pipeline.settings import Settings
from carbon_pipeline.sources.registry import kind_of
from carbon_pipeline.warehouse.sql_models import run_model

WINDOW = {"start": date(2024, 1, 1), "end": date(2026, 1, 1)}
DEMO_FRESH = date(2025, 12, 20)  # the demo's last month (2025-12) is delivered; nothing is overdue
SPIKE = {"max_ratio": 2.0, "min_tco2e": 0.01}


@pytest.fixture
def tampered(built, tmp_path):
    path = tmp_path / "copy.duckdb"
    shutil.copy(built.settings.warehouse, path)
    con = duckdb.connect(str(path))
    yield con
    con.close()


def rows(con, model, **params) -> list[dict]:
    if model == "source_freshness":  # the kind's own delivery calendar, as the raw check binds it
        params = {**kind_of(params["source_kind"]).calendar.as_params(), **params}
    result = run_model(con, f"checks/{model}", **{**WINDOW, **params})
    columns = [d[0] for d in result.description]
    return [dict(zip(columns, row, strict=True)) for row in result.fetchall()]


# -- factor fallbacks ------------------------------------------------------------------------------


def test_factor_fallbacks_warn_on_the_demo_because_factors_lag_the_activity_year(tampered):
    found = rows(tampered, "factor_fallbacks")
    assert found, "the demo's factors are older than 2025 activity: a human should see that"
    assert {r["factor_resolution"] for r in found} >= {"older_year", "location_fallback"}
    assert all(0 <= r["share_of_method_tco2e"] <= 1 for r in found)
    # the largest share first: the US sites' 2023 eGRID factor under 2025 electricity
    assert found[0]["share_of_method_tco2e"] == max(r["share_of_method_tco2e"] for r in found)
    older = {
        (r["activity_year"], r["activity_type"], r["factor_data_year"])
        for r in found
        if "older_year" in r["factor_resolution"]
    }
    # the original fuel template's EPA 2018 vehicle-class factors (valid to 2023, geography global) under
    # 2025 fleet fuel: global_average+older_year
    assert (2025, "fuel", 2018) in older
    assert all(data_year < year for year, _, data_year in older)


def test_factor_fallbacks_report_exactly_the_rows_resolved_by_a_fallback(tampered):
    tampered.execute(
        "UPDATE emissions.activity_emissions SET factor_resolution = 'exact', factor_fallback = NULL "
        "WHERE factor_resolution IN ('older_year', 'location_fallback', 'certificates+location_fallback') "
        "OR factor_fallback IS NOT NULL"
    )
    assert rows(tampered, "factor_fallbacks") == []
    tampered.execute(
        "UPDATE emissions.activity_emissions SET factor_resolution = 'older_year' "
        "WHERE activity_id = (SELECT MIN(activity_id) FROM emissions.activity_emissions WHERE tco2e > 0) "
        "AND method = 'location'"
    )
    found = rows(tampered, "factor_fallbacks")
    assert len(found) == 1 and found[0]["emission_rows"] == 1 and found[0]["factor_resolution"] == "older_year"


# -- month-over-month spike --------------------------------------------------------------------------


def test_no_month_over_month_spike_on_the_demo(tampered):
    assert rows(tampered, "month_over_month_spike", **SPIKE) == []


def _series(con) -> tuple[str, str]:
    """The demo's biggest estimated cloud series (account, service)."""
    return con.execute(
        """SELECT account_id, service FROM marts.cloud_emissions WHERE basis = 'estimated_usage'
           GROUP BY ALL ORDER BY SUM(location_tco2e) DESC LIMIT 1"""
    ).fetchall()[0]


def test_a_spike_is_found_against_the_previous_month_even_outside_the_run_window(tampered):
    account, service = _series(tampered)
    tampered.execute(
        "UPDATE marts.cloud_emissions SET location_tco2e = location_tco2e * 5 WHERE account_id = ? AND service = ? "
        "AND basis = 'estimated_usage' AND period_month = DATE '2025-06-01'",
        [account, service],
    )
    june = {"start": date(2025, 6, 1), "end": date(2025, 7, 1)}  # May lies outside the window
    found = rows(tampered, "month_over_month_spike", **{**SPIKE, **june})
    assert [(r["period_month"], r["account_id"], r["service"], r["basis"]) for r in found] == [
        (date(2025, 6, 1), account, service, "estimated_usage")
    ]
    assert found[0]["ratio_to_previous"] == pytest.approx(5, rel=0.3)
    # July drops back to normal: a fall is not a spike, and only June is flagged over the whole window
    assert len(rows(tampered, "month_over_month_spike", **SPIKE)) == 1
    # under the floor, nobody needs to look
    assert rows(tampered, "month_over_month_spike", max_ratio=2.0, min_tco2e=1000.0) == []


# -- source freshness ---------------------------------------------------------------------------------


KINDS = ("aws_cur", "aws_carbon", "activity_csv", "focus")


def test_the_demo_is_fresh_as_of_its_last_month(tampered):
    for kind in KINDS:
        assert rows(tampered, "source_freshness", source_kind=kind, as_of=DEMO_FRESH) == [], kind


def test_the_cur_is_stale_the_day_after_a_month_starts_but_carbon_exports_have_their_calendar(tampered):
    # 2026-04-20: CUR months 2026-01..04 are missing; carbon month 2026-01 was due 2026-02-21 and is
    # still within the 3 months AWS may be late, so no warning for it yet
    april = date(2026, 4, 20)
    cur = rows(tampered, "source_freshness", source_kind="aws_cur", as_of=april)
    assert [(r["source_id"], r["months_missing"], r["last_loaded_month"]) for r in cur] == [
        ("demo-cur", "2026-01, 2026-02, 2026-03, 2026-04", date(2025, 12, 1))
    ]
    assert rows(tampered, "source_freshness", source_kind="aws_carbon", as_of=april) == []
    carbon = rows(tampered, "source_freshness", source_kind="aws_carbon", as_of=date(2026, 5, 21))
    assert [(r["months_missing"], r["oldest_due_on"]) for r in carbon] == [("2026-01", date(2026, 2, 21))]
    # on the first of the month the open month is not due yet; on the second it is
    assert rows(tampered, "source_freshness", source_kind="aws_cur", as_of=date(2026, 1, 1)) == []
    assert len(rows(tampered, "source_freshness", source_kind="aws_cur", as_of=date(2026, 1, 2))) == 1


def test_a_gap_in_the_middle_and_a_month_with_only_superseded_deliveries_are_reported(tampered):
    tampered.execute("DELETE FROM raw.deliveries WHERE source_id = 'demo-carbon' AND period_month = DATE '2025-06-01'")
    tampered.execute(
        "UPDATE raw.deliveries SET status = 'superseded' WHERE source_id = 'demo-cur' "
        "AND period_month = DATE '2024-03-01'"
    )
    carbon = rows(tampered, "source_freshness", source_kind="aws_carbon", as_of=DEMO_FRESH)
    assert [(r["source_id"], r["missing_months"], r["months_missing"]) for r in carbon] == [
        ("demo-carbon", 1, "2025-06")
    ]
    cur = rows(tampered, "source_freshness", source_kind="aws_cur", as_of=DEMO_FRESH)
    assert [r["months_missing"] for r in cur] == ["2024-03"]


def test_the_run_date_is_pinned_by_carbon_as_of_read_into_the_run_date_resource(monkeypatch):
    from carbon_pipeline.orchestration.resources import RunDateResource
    from carbon_pipeline.settings import load_settings

    monkeypatch.setenv("CARBON_AS_OF", "2025-12-20")
    assert RunDateResource(as_of=load_settings().as_of).today() == DEMO_FRESH
    monkeypatch.delenv("CARBON_AS_OF")
    assert load_settings().as_of is None
    assert RunDateResource(as_of=None).today() == date.today()


# -- row counts by stage ------------------------------------------------------------------------------


def _reason_counts(text: str | None) -> dict[str, int]:
    return {reason: int(n) for reason, n in (part.rsplit(": ", 1) for part in (text or "").split("; ") if part)}


def test_row_counts_by_stage_reconcile_on_the_demo_with_a_reason_for_every_line_not_carried(tampered):
    for through_emissions in (False, True):
        assert rows(tampered, "row_counts_by_stage", through_emissions=through_emissions, all_rows=False) == []
    table = rows(tampered, "row_counts_by_stage", through_emissions=True, all_rows=True)
    assert {r["source_id"] for r in table} >= {"demo-cur", "demo-electricity", "demo-fleet-fuel", "demo-travel"}
    for r in table:
        assert r["raw_line_items"] == r["ledger_line_items"] > 0
        assert r["ledger_line_items"] == r["estimable"] + r["cost_only"] + r["unclassified"] + r["flagged"]
        assert r["estimable"] == r["with_emissions"] + r["no_figure_flagged"]
        # every line item without an emission figure is accounted for by a reason
        assert sum(_reason_counts(r["reasons_not_carried"]).values()) == r["ledger_line_items"] - r["with_emissions"]
    cur = [r for r in table if r["source_id"] == "demo-cur"]
    assert len(cur) == 24 and all(
        _reason_counts(r["reasons_not_carried"])["cost_only"] == r["cost_only"] > 0 for r in cur
    )
    ledger_stage = rows(tampered, "row_counts_by_stage", through_emissions=False, all_rows=True)
    assert all(r["with_emissions"] is None and r["no_figure_flagged"] is None for r in ledger_stage)


def test_a_raw_line_lost_before_the_ledger_is_unexplained(tampered):
    tampered.execute("DELETE FROM raw.aws_cur_line_items WHERE object_line = 5 AND period_month = DATE '2024-04-01'")
    found = rows(tampered, "row_counts_by_stage", through_emissions=False, all_rows=False)
    assert [(r["source_id"], r["period_month"], r["unexplained_line_items"]) for r in found] == [
        ("demo-cur", date(2024, 4, 1), 1)
    ]


def test_an_estimable_activity_without_a_figure_is_unexplained_unless_flagged(tampered):
    activity_id, line_items = tampered.execute(
        """SELECT activity_id, line_item_count FROM ledger.activity
           WHERE estimation_class = 'compute' AND flag IS NULL AND activity_id IN (
               SELECT activity_id FROM emissions.activity_emissions WHERE tco2e IS NOT NULL AND flag IS NULL)
           ORDER BY line_item_count DESC, activity_id LIMIT 1"""
    ).fetchall()[0]
    before = rows(tampered, "row_counts_by_stage", through_emissions=True, all_rows=True)
    before_flagged = sum(r["no_figure_flagged"] for r in before)
    tampered.execute("UPDATE emissions.activity_emissions SET tco2e = NULL WHERE activity_id = ?", [activity_id])
    # the ledger stage cannot see it; the emissions stage must
    assert rows(tampered, "row_counts_by_stage", through_emissions=False, all_rows=False) == []
    found = rows(tampered, "row_counts_by_stage", through_emissions=True, all_rows=False)
    assert [r["unexplained_line_items"] for r in found] == [line_items]
    tampered.execute("UPDATE emissions.activity_emissions SET flag = 'no_factor' WHERE activity_id = ?", [activity_id])
    assert rows(tampered, "row_counts_by_stage", through_emissions=True, all_rows=False) == []
    table = rows(tampered, "row_counts_by_stage", through_emissions=True, all_rows=True)
    assert sum(r["no_figure_flagged"] for r in table) == before_flagged + line_items


# -- reported emissions in = reported emissions in the marts ------------------------------------------


def test_the_cloud_mart_is_compared_with_the_raw_export_of_the_selected_version(tampered):
    assert rows(tampered, "cloud_emissions_match_ledger") == []
    # a raw row of the selected version changes: mart and ledger still agree, the raw side does not
    tampered.execute(
        """UPDATE raw.aws_carbon_emissions SET total_lbm_mtco2e = total_lbm_mtco2e + 0.5
           WHERE rowid = (SELECT MIN(rowid) FROM raw.aws_carbon_emissions
                          WHERE period_month = DATE '2025-08-01' AND total_lbm_mtco2e IS NOT NULL)"""
    )
    found = rows(tampered, "cloud_emissions_match_ledger")
    assert [r["period_month"] for r in found] == [date(2025, 8, 1)]
    assert found[0]["raw_lbm"] == pytest.approx(found[0]["mart_lbm"] + 0.5)
    # a superseded version is not counted: changing it changes nothing
    tampered.execute(
        """UPDATE raw.aws_carbon_emissions SET total_mbm_mtco2e = total_mbm_mtco2e + 7
           WHERE period_month = DATE '2025-02-01' AND model_version = 'v1'"""
    )
    assert [r["period_month"] for r in rows(tampered, "cloud_emissions_match_ledger")] == [date(2025, 8, 1)]


# -- through Dagster ------------------------------------------------------------------------------------


def test_every_check_runs_in_dagster_with_warn_severity_the_pinned_date_and_the_stage_table(built, tmp_path):
    from carbon_pipeline.definitions import build_definitions

    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(built.settings.warehouse, warehouse)
    shutil.copy(built.settings.serving, tmp_path / "serving.duckdb")  # the serving file's own check reads it
    settings = Settings(
        sources_file=built.settings.sources_file,
        warehouse=warehouse,
        serving=tmp_path / "serving.duckdb",
        uses_demo=True,
        staging=tmp_path / "staging",
        reports=tmp_path / "reports",
        as_of=DEMO_FRESH.isoformat(),  # the run_date resource, as CARBON_AS_OF would configure it
    )
    checks_only = dg.define_asset_job("checks_only", selection=dg.AssetSelection.all_asset_checks())
    defs = dg.Definitions.merge(build_definitions(settings), dg.Definitions(jobs=[checks_only]))
    tags = {RANGE_START_TAG: "2024-01-01", RANGE_END_TAG: "2025-12-01"}
    with dg.DagsterInstance.ephemeral() as instance:
        result = defs.resolve_job_def("checks_only").execute_in_process(
            instance=instance, tags=tags, raise_on_error=False
        )
    assert result.success
    evaluations = {(e.asset_key.to_user_string(), e.check_name): e for e in result.get_asset_check_evaluations()}
    failed_errors = [k for k, e in evaluations.items() if not e.passed and e.severity == dg.AssetCheckSeverity.ERROR]
    assert failed_errors == []
    fallbacks = evaluations[("emissions/activity_emissions", "factor_fallbacks")]
    assert not fallbacks.passed and fallbacks.severity == dg.AssetCheckSeverity.WARN
    freshness = evaluations[("raw/aws_cur_line_items", "source_freshness")]
    assert freshness.passed and freshness.severity == dg.AssetCheckSeverity.WARN
    assert "$as_of=2025-12-20" in freshness.metadata["query"].value
    assert evaluations[("marts/cloud_emissions", "month_over_month_spike")].passed
    for asset in ("ledger/activity", "emissions/activity_emissions"):
        stage = evaluations[(asset, "row_counts_by_stage")]
        assert stage.passed and stage.severity == dg.AssetCheckSeverity.ERROR
        overview = stage.metadata["overview"].value
        assert "raw_line_items" in overview and "demo-cur" in overview and "cost_only: " in overview
