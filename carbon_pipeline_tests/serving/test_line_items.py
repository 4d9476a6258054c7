"""`carbon-pipeline line-items`: from a ledger activity to the line items behind it, whichever way they were kept.

With ``raw_line_items: reference`` the line items are read again from the delivered object, so the walk must end
in the same rows as with copies, refuse an object that changed since it was read, and prove that the rows add up
to the ledger's count and cost.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

from carbon_pipeline.cli import main
from carbon_pipeline.runner import failure_messages
from carbon_pipeline.serving.line_items import TraceError, trace_activity
from carbon_pipeline.sources.sources_file import load_sources_file
from carbon_pipeline_tests.conftest import Deployment, make_deployment

MAY, JUNE = date(2025, 5, 1), date(2025, 6, 1)


@pytest.fixture(scope="module")
def referencing(tmp_path_factory: pytest.TempPathFactory, demo_files: Path) -> Deployment:
    deployment = make_deployment(tmp_path_factory.mktemp("referencing"), demo_files)
    sources = deployment.settings.sources_file
    sources.write_text(
        sources.read_text().replace("kind: aws_cur\n", "kind: aws_cur\n    raw_line_items: reference\n", 1)
    )
    result = deployment.run(MAY, JUNE)
    assert result.success, failure_messages(result)
    return deployment


def busiest_activity(deployment: Deployment) -> str:
    """A CUR usage activity of several line items, so that matching by every ledger key is exercised."""
    return deployment.query(
        """SELECT activity_id FROM ledger.activity
           WHERE source_kind = 'aws_cur' AND period_month = ? AND activity_type = 'cloud_usage'
           ORDER BY line_item_count DESC, activity_id LIMIT 1""",
        [MAY],
    )[0][0]


def trace(deployment: Deployment, activity_id: str):
    return trace_activity(
        deployment.settings.warehouse, load_sources_file(deployment.settings.sources_file), activity_id
    )


def test_a_referenced_activity_is_traced_to_the_same_line_items_as_a_copied_one(referencing, built):
    activity_id = busiest_activity(referencing)
    assert busiest_activity(built) == activity_id  # the ledger is the same whichever way line items were kept

    pointed = trace(referencing, activity_id)
    kept = trace(built, activity_id)

    assert (pointed.raw_storage, kept.raw_storage) == ("referenced", "copied")
    assert referencing.query("SELECT COUNT(*) FROM raw.aws_cur_line_items") == [(0,)]
    assert pointed.ledger_line_items > 1 and pointed.reconciles and kept.reconciles
    assert pointed.columns == kept.columns
    assert pointed.rows == kept.rows
    assert Path(pointed.object_uri).is_file() and pointed.object_version


def test_every_cur_activity_of_a_referenced_month_adds_up_to_its_line_items(referencing):
    activities = referencing.query(
        "SELECT activity_id FROM ledger.activity WHERE source_kind = 'aws_cur' AND period_month = ? ORDER BY 1", [JUNE]
    )
    assert len(activities) > 10
    assert all(trace(referencing, activity_id).reconciles for (activity_id,) in activities)


def test_an_object_rewritten_since_it_was_read_is_refused_naming_it_and_both_versions(referencing, tmp_path):
    activity_id = busiest_activity(referencing)
    found = trace(referencing, activity_id)
    path = Path(found.object_uri)
    original = path.read_bytes()
    stat = path.stat()
    try:
        path.write_bytes(original + b"")  # same bytes, rewritten: a new mtime is a new version of a local file
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 5_000_000_000))
        with pytest.raises(
            TraceError, match=rf"object '{found.source_object}': it is version .* was read from version"
        ):
            trace(referencing, activity_id)
    finally:
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert trace(referencing, activity_id).reconciles


def test_the_command_prints_the_line_items_and_says_they_match_the_ledger(referencing, monkeypatch, capsys):
    monkeypatch.setenv("CARBON_SOURCES", str(referencing.settings.sources_file))
    monkeypatch.setenv("CARBON_WAREHOUSE", str(referencing.settings.warehouse))
    activity_id = busiest_activity(referencing)

    assert main(["line-items", activity_id, "--limit", "2"]) == 0

    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(f"activity {activity_id}: source demo-cur, referenced line items of ")
    assert out[1].split("\t") == [
        "object_line",
        "line_item_id",
        "usage_start",
        "usage_amount",
        "pricing_unit",
        "unblended_cost",
        "currency",
    ]
    assert len(out) == 6 and out[4].startswith("... ") and "matches the ledger" in out[5]
    assert main(["line-items", "no-such-activity"]) == 2
    assert "no activity 'no-such-activity' in ledger.activity" in capsys.readouterr().err
