"""Class 4 of issue 13: repair after a crash. Each month of each transform table records, in the transaction
that replaces it, which deliveries it was built from (audit.built_from); a re-sync whose deliveries are
unchanged in raw skips the stages downstream only when every one of them was built from what raw holds.
A run killed right after the raw CUR step committed a new delivery is repaired by the next scheduled re-sync,
which rebuilds the stale stages and says so instead of reporting "deliveries unchanged"."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
import sys
from datetime import date

import dagster as dg
import pytest

from carbon_pipeline.built_from import kinds_feeding, record_built_from, stale_stages, tables_fed_by
from carbon_pipeline.runner import failure_messages, run_inventory
from carbon_pipeline.sources.deliveries import record_delivery
from carbon_pipeline.transforms import TRANSFORMS, downstream_tables
from carbon_pipeline.warehouse.connection import open_warehouse

JAN, FEB, MAR = date(2025, 1, 1), date(2025, 2, 1), date(2025, 3, 1)

# --------------------------------------------------------------------------------------------------
# the comparison, on a tiny warehouse
# --------------------------------------------------------------------------------------------------


@pytest.fixture
def con(tmp_path):
    connection = open_warehouse(tmp_path / "warehouse.duckdb")
    yield connection
    connection.close()


def deliver(con, source_id: str, kind: str, month: date, delivery_id: str, version: str = "v1") -> None:
    """What a reader leaves in raw.deliveries: the month's previous delivery superseded, the new one loaded."""
    con.execute(
        "UPDATE raw.deliveries SET status = 'superseded' WHERE source_id = ? AND period_month = ?", [source_id, month]
    )
    record_delivery(
        con,
        source_id=source_id,
        source_kind=kind,
        month=month,
        delivery_id=delivery_id,
        manifest_key=None,
        object_count=1,
        row_count=10,
        status="loaded",
        objects_version=version,
    )


def build_all(con, start: date = JAN, end: date = MAR) -> None:
    for transform in TRANSFORMS:
        record_built_from(con, transform.table, start, end, run_id="run-1")


def test_the_tables_a_cur_delivery_reaches_are_the_ledger_and_everything_built_from_it():
    reached = tables_fed_by("aws_cur")
    assert reached[0] == "ledger.activity"
    assert {"emissions.activity_emissions", "marts.scope_summary", "marts.cloud_emissions"} <= set(reached)
    assert "ledger.provider_emissions" not in reached  # provider figures are not built from billing
    assert set(downstream_tables("ledger.provider_emissions")) >= {"ledger.provider_emissions", "marts.scope_summary"}
    assert "aws_cur" in kinds_feeding("marts.scope_summary") and "aws_carbon" in kinds_feeding("marts.scope_summary")
    assert "aws_carbon" not in kinds_feeding("ledger.activity")


def test_stages_built_from_what_raw_holds_are_current(con):
    deliver(con, "cur", "aws_cur", JAN, "assembly-a")
    deliver(con, "carbon", "aws_carbon", JAN, "export-1")
    build_all(con)
    assert stale_stages(con, tables_fed_by("aws_cur"), JAN, MAR) == []
    recorded = con.execute(
        "SELECT source_id, delivery_id, objects_version, recorded_by_run FROM audit.built_from "
        "WHERE stage_table = 'ledger.activity'"
    ).fetchall()
    assert recorded == [("cur", "assembly-a", "v1", "run-1")]  # the carbon export does not feed the ledger


def test_a_new_delivery_committed_in_raw_makes_every_stage_downstream_stale_until_it_is_rebuilt(con):
    deliver(con, "cur", "aws_cur", JAN, "assembly-a")
    build_all(con)
    deliver(con, "cur", "aws_cur", JAN, "assembly-b")  # the raw step committed; then the run was killed

    stale = stale_stages(con, tables_fed_by("aws_cur"), JAN, MAR)
    assert [s.table for s in stale] == tables_fed_by("aws_cur")
    assert {(s.month, s.source_id, s.built_from, s.raw_holds) for s in stale} == {
        (JAN, "cur", "assembly-a @v1", "assembly-b @v1")
    }
    assert "built from assembly-a @v1, raw holds assembly-b @v1" in str(stale[0])

    record_built_from(con, "ledger.activity", JAN, FEB)  # the ledger rebuilt, the rest still old
    assert "ledger.activity" not in {s.table for s in stale_stages(con, tables_fed_by("aws_cur"), JAN, MAR)}
    build_all(con, JAN, FEB)
    assert stale_stages(con, tables_fed_by("aws_cur"), JAN, MAR) == []


def test_the_same_delivery_id_with_other_object_versions_is_a_different_delivery(con):
    deliver(con, "cur", "aws_cur", JAN, "assembly-a", version="v1")
    build_all(con)
    deliver(con, "cur", "aws_cur", JAN, "assembly-a", version="v2")  # an object rewritten in place
    assert {s.raw_holds for s in stale_stages(con, ["ledger.activity"], JAN, MAR)} == {"assembly-a @v2"}


def test_a_month_never_built_or_a_delivery_gone_from_raw_is_stale_and_other_months_are_not(con):
    deliver(con, "cur", "aws_cur", JAN, "assembly-a")
    build_all(con, JAN, FEB)
    deliver(con, "cur", "aws_cur", FEB, "assembly-f")  # February loaded, never built
    assert [(s.month, s.built_from) for s in stale_stages(con, ["ledger.activity"], JAN, MAR)] == [(FEB, None)]
    assert stale_stages(con, ["ledger.activity"], JAN, FEB) == []  # only the months asked about

    con.execute("DELETE FROM raw.deliveries WHERE period_month = ?", [JAN])
    assert (JAN, "assembly-a @v1", None) in {
        (s.month, s.built_from, s.raw_holds) for s in stale_stages(con, ["ledger.activity"], JAN, MAR)
    }


def test_a_carbon_export_changing_does_not_make_the_billing_ledger_stale(con):
    deliver(con, "cur", "aws_cur", JAN, "assembly-a")
    deliver(con, "carbon", "aws_carbon", JAN, "export-1")
    build_all(con)
    deliver(con, "carbon", "aws_carbon", JAN, "export-2")
    assert stale_stages(con, ["ledger.activity"], JAN, MAR) == []
    assert "ledger.provider_emissions" in {s.table for s in stale_stages(con, tables_fed_by("aws_carbon"), JAN, MAR)}


# --------------------------------------------------------------------------------------------------
# through the real re-sync job: killed after the raw step, then repaired by the next re-sync
# --------------------------------------------------------------------------------------------------

MAY = date(2025, 5, 1)
NEW_ASSEMBLY = "11111111-2222-3333-4444-555555555555"

# The scheduled re-sync of the CUR source, SIGKILLed right after the raw step committed: OpenedSource.cleanup is
# what the raw asset calls once its transaction has committed (and the partition store, if any, is published).
KILLED_AFTER_RAW = """
import os, signal
from datetime import date
from carbon_pipeline.orchestration.partitions import SOURCES_TAG
from carbon_pipeline.runner import run_inventory
from carbon_pipeline.settings import load_settings
from carbon_pipeline.sources import registry

registry.OpenedSource.cleanup = lambda self: os.kill(os.getpid(), signal.SIGKILL)
run_inventory(load_settings(), date(2025, 5, 1), date(2025, 5, 1), job_name="aws_cur_resync_job",
              tags={SOURCES_TAG: "demo-cur"})
raise SystemExit("not killed: the raw step never committed")
"""


def redeliver_may_without_its_last_lines(deployment, dropped: int = 200) -> int:
    """A new CUR delivery (new assemblyId) for May with ``dropped`` line items fewer; returns its line items."""
    report = deployment.landing / "cur-reports" / "demo-cur" / "20250501-20250601"
    manifest = json.loads((report / "demo-cur-Manifest.json").read_text())
    old = manifest["assemblyId"]
    shutil.copytree(report / old, report / NEW_ASSEMBLY)
    data = report / NEW_ASSEMBLY / "demo-cur-1.csv.gz"
    lines = gzip.decompress(data.read_bytes()).decode().splitlines(keepends=True)
    data.write_bytes(gzip.compress("".join(lines[:-dropped]).encode()))
    manifest.update(assemblyId=NEW_ASSEMBLY, reportKeys=[k.replace(old, NEW_ASSEMBLY) for k in manifest["reportKeys"]])
    (report / "demo-cur-Manifest.json").write_text(json.dumps(manifest))
    return len(lines) - 1 - dropped


def ledger_line_items(deployment) -> int:
    return deployment.query(
        "SELECT SUM(line_item_count) FROM ledger.activity WHERE period_month = ? AND source_id = 'demo-cur'", [MAY]
    )[0][0]


def may_estimates(deployment) -> list[tuple]:
    """May's usage-based cloud estimate in the mart (the inventory itself counts the provider's reported
    figure for AWS, which a billing redelivery does not change)."""
    return deployment.query(
        "SELECT account_id, service, ROUND(SUM(location_tco2e), 9), ROUND(SUM(energy_kwh), 6) "
        "FROM marts.cloud_emissions WHERE period_month = ? AND basis = 'estimated_usage' GROUP BY ALL ORDER BY ALL",
        [MAY],
    )


def resync(deployment) -> dg.ExecuteInProcessResult:
    from carbon_pipeline.orchestration.partitions import SOURCES_TAG

    return run_inventory(deployment.settings, MAY, MAY, job_name="aws_cur_resync_job", tags={SOURCES_TAG: "demo-cur"})


def pipeline_env(settings) -> dict[str, str]:
    """The environment a scheduled run of this deployment would have (the killed runs load their settings)."""
    return {
        **os.environ,
        "CARBON_SOURCES": str(settings.sources_file),
        "CARBON_WAREHOUSE": str(settings.warehouse),
        "CARBON_SERVING": str(settings.serving),
        "CARBON_STAGING": str(settings.staging),
        "CARBON_REPORTS": str(settings.reports),
    }


def observations(result) -> list[dict]:
    return [
        {k: v.value for k, v in e.event_specific_data.asset_observation.metadata.items()}
        for e in result.all_events
        if e.event_type_value == "ASSET_OBSERVATION"
    ]


def raw_materialization(result) -> dict:
    for event in result.get_asset_materialization_events():
        materialization = event.event_specific_data.materialization
        if materialization.asset_key.to_user_string() == "raw/aws_cur_line_items":
            return {k: v.value for k, v in materialization.metadata.items()}
    raise AssertionError("the raw CUR asset was not materialized")


def test_a_resync_after_a_kill_right_after_the_raw_step_rebuilds_the_stale_stages_and_says_so(built_copy):
    deployment = built_copy  # the demo as a full run leaves it
    old_items, old_estimates = ledger_line_items(deployment), may_estimates(deployment)
    new_items = redeliver_may_without_its_last_lines(deployment)
    assert new_items != old_items

    env = pipeline_env(deployment.settings)
    killed = subprocess.run([sys.executable, "-c", KILLED_AFTER_RAW], env=env, capture_output=True, text=True)
    assert killed.returncode == -9, killed.stderr[-2000:]
    # the crash as issue 13 found it: raw holds the new delivery, the ledger and marts the old month
    assert deployment.query(
        "SELECT delivery_id FROM raw.deliveries WHERE source_id = 'demo-cur' AND period_month = ? "
        "AND status = 'loaded'",
        [MAY],
    ) == [(NEW_ASSEMBLY,)]
    assert ledger_line_items(deployment) == old_items and may_estimates(deployment) == old_estimates

    repaired = resync(deployment)  # the next scheduled re-sync: the delivery is unchanged since the killed run

    assert repaired.success, failure_messages(repaired)
    assert not [o for o in observations(repaired) if "unchanged" in str(o.get("outcome"))]
    raw = raw_materialization(repaired)
    assert raw["outcome"] == "rebuilding stale stages" and raw["skipped_unchanged"] == []
    assert any(
        line.startswith("ledger.activity 2025-05 demo-cur: built from ") and f"raw holds {NEW_ASSEMBLY}" in line
        for line in raw["stale_stages"]
    ), raw["stale_stages"]
    rebuilt = {e.asset_key.to_user_string() for e in repaired.get_asset_materialization_events()}
    assert {"ledger/activity", "emissions/activity_emissions", "marts/scope_summary"} <= rebuilt
    assert ledger_line_items(deployment) == new_items
    assert may_estimates(deployment) != old_estimates
    assert deployment.query(
        "SELECT DISTINCT delivery_id FROM audit.built_from WHERE source_id = 'demo-cur' AND period_month = ? "
        "AND stage_table IN ('ledger.activity', 'marts.scope_summary')",
        [MAY],
    ) == [(NEW_ASSEMBLY,)]

    # repaired: the next re-sync finds everything built from the delivery raw holds, and skips
    again = resync(deployment)
    assert again.success, failure_messages(again)
    assert [o["outcome"] for o in observations(again)] == ["skipped: deliveries unchanged"]


# The same re-sync SIGKILLed once every stage has committed, as the serving file is about to be published.
KILLED_BEFORE_PUBLISH = """
import os, signal
from datetime import date
from carbon_pipeline.defs.serving import assets as serving_assets
from carbon_pipeline.orchestration.partitions import SOURCES_TAG
from carbon_pipeline.runner import run_inventory
from carbon_pipeline.settings import load_settings

serving_assets.publish_serving = lambda *args, **kwargs: os.kill(os.getpid(), signal.SIGKILL)
run_inventory(load_settings(), date(2025, 5, 1), date(2025, 5, 1), job_name="aws_cur_resync_job",
              tags={SOURCES_TAG: "demo-cur"})
raise SystemExit("not killed: the serving step never started")
"""


def served_may_estimates(deployment) -> list[tuple]:
    return deployment.query(
        "SELECT account_id, service, ROUND(SUM(location_tco2e), 9), ROUND(SUM(energy_kwh), 6) "
        "FROM marts.cloud_emissions WHERE period_month = ? AND basis = 'estimated_usage' GROUP BY ALL ORDER BY ALL",
        [MAY],
        serving=True,
    )


def test_a_resync_after_a_kill_before_the_publish_republishes_the_serving_file(built_copy):
    deployment = built_copy
    old_served = served_may_estimates(deployment)
    redeliver_may_without_its_last_lines(deployment)
    env = pipeline_env(deployment.settings)
    killed = subprocess.run([sys.executable, "-c", KILLED_BEFORE_PUBLISH], env=env, capture_output=True, text=True)
    assert killed.returncode == -9, killed.stderr[-2000:]
    # every stage holds the new delivery; the serving file is still the previous complete snapshot
    assert may_estimates(deployment) != old_served
    assert served_may_estimates(deployment) == old_served

    repaired = resync(deployment)  # raw and every stage are current: only the publish is missing

    assert repaired.success, failure_messages(repaired)
    raw = raw_materialization(repaired)
    assert raw["outcome"] == "rebuilding stale stages", raw
    assert any(line.startswith("serving file published ") for line in raw["stale_stages"]), raw["stale_stages"]
    assert served_may_estimates(deployment) == may_estimates(deployment) != old_served

    again = resync(deployment)
    assert again.success, failure_messages(again)
    assert [o["outcome"] for o in observations(again)] == ["skipped: deliveries unchanged"]
