"""`carbon-pipeline line-items`: from a ledger activity to the line items behind it, whichever way they were kept.

With ``raw_line_items: reference`` the line items are read again from the delivered object, so the walk must end
in the same rows as with copies, refuse an object that changed since it was read, and prove that the rows add up
to the ledger's count and cost. With ``archive`` they are read from the pipeline's own copy of the object, so the
walk still ends in the same rows after the delivered object was rewritten, and refuses a copy changed since.
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


def keeping(tmp_path_factory: pytest.TempPathFactory, demo_files: Path, option: str) -> Deployment:
    """May and June of the demo, its CUR source's line items kept as ``option`` says."""
    deployment = make_deployment(tmp_path_factory.mktemp(option), demo_files)
    sources = deployment.settings.sources_file
    sources.write_text(
        sources.read_text().replace("kind: aws_cur\n", f"kind: aws_cur\n    raw_line_items: {option}\n", 1)
    )
    result = deployment.run(MAY, JUNE)
    assert result.success, failure_messages(result)
    return deployment


@pytest.fixture(scope="module")
def referencing(tmp_path_factory: pytest.TempPathFactory, demo_files: Path) -> Deployment:
    return keeping(tmp_path_factory, demo_files, "reference")


@pytest.fixture(scope="module")
def archiving(tmp_path_factory: pytest.TempPathFactory, demo_files: Path) -> Deployment:
    return keeping(tmp_path_factory, demo_files, "archive")


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


def test_an_archived_activity_is_traced_to_the_same_line_items_after_the_delivered_object_is_rewritten(
    archiving, built
):
    activity_id = busiest_activity(archiving)
    kept = trace(built, activity_id)
    delivered = Path(trace(archiving, activity_id).object_uri)
    original = delivered.read_bytes()
    try:
        delivered.write_bytes(b"identity/LineItemId\n")  # the bucket rewrote the month since it was read
        found = trace(archiving, activity_id)
    finally:
        delivered.write_bytes(original)

    assert found.raw_storage == "archived" and found.reconciles
    assert found.rows == kept.rows and found.columns == kept.columns
    assert found.archived_as and (Path(f"{archiving.settings.warehouse}.archive") / found.archived_as).is_file()


def test_an_archived_copy_changed_since_it_was_archived_is_refused(archiving):
    activity_id = busiest_activity(archiving)
    copy = Path(f"{archiving.settings.warehouse}.archive") / trace(archiving, activity_id).archived_as
    original = copy.read_bytes()
    copy.chmod(0o644)
    try:
        copy.write_bytes(original[:-1])
        with pytest.raises(TraceError, match=r"archived copy .* no longer has SHA-256 [0-9a-f]{64}"):
            trace(archiving, activity_id)
    finally:
        copy.write_bytes(original)
        copy.chmod(0o444)
    assert trace(archiving, activity_id).reconciles


def test_the_command_says_which_archived_copy_it_read(archiving, monkeypatch, capsys):
    monkeypatch.setenv("CARBON_SOURCES", str(archiving.settings.sources_file))
    monkeypatch.setenv("CARBON_WAREHOUSE", str(archiving.settings.warehouse))

    assert main(["line-items", busiest_activity(archiving), "--limit", "1"]) == 0

    out = capsys.readouterr().out.splitlines()
    assert " archived line items of " in out[0]
    assert out[1].startswith("read from the archived copy demo-cur/") and "SHA-256 checked" in out[1]
