"""`raw_line_items: reference`: a CUR source that keeps its delivered objects as the raw partition.

The line items are validated in the one scan that groups them at the ledger's grain and are not copied;
the ledger, the checks and the inventory must come out exactly as when every line item is copied, a bad
cell must still be reported by object, row and column, and every object read is recorded with its version.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from carbon_pipeline.errors import ConfigError, SourceError
from carbon_pipeline.sources.aws_cur import reader as aws_cur
from carbon_pipeline.sources.aws_cur2 import reader as aws_cur2
from carbon_pipeline.sources.config import SourceConfig
from carbon_pipeline.sources.sources_file import load_sources_file
from carbon_pipeline_tests.conftest import make_deployment, table_checksum
from carbon_pipeline_tests.sources.test_cur_formats import (
    CUR2_ROWS,
    DAILY,
    MARCH,
    NOVEMBER,
    athena_parquet,
    cur2_export,
    cur2_table,
    legacy_report,
    load,
    parquet_bytes,
)

GROUP_COLUMNS = """source_kind, source_id, period_month, assembly_id, object_key, payer_account_id, usage_account_id,
    region_code, product_code, usage_type, line_item_type, instance_type, vcpu, pricing_unit, currency, flag,
    line_item_count, first_line, last_line, first_usage_start, last_usage_start, quantity, cost"""


def referenced(source: SourceConfig, option: str = "reference") -> SourceConfig:
    return SourceConfig(source.id, source.kind, source.uri, {**source.options, "raw_line_items": option})


def groups(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return con.execute(f"SELECT {GROUP_COLUMNS} FROM raw.cur_line_item_groups ORDER BY ALL").fetchall()


def parquet_report(root: Path) -> SourceConfig:
    table = athena_parquet(DAILY)
    chunks = {
        "acme-cur-00001.snappy.parquet": parquet_bytes(table.slice(0, 700)),
        "acme-cur-00002.snappy.parquet": parquet_bytes(table.slice(700)),
    }
    return legacy_report(root, NOVEMBER, chunks, layout="parquet", compression="Parquet")


@pytest.mark.parametrize("layout", ["csv_gz", "parquet"])
def test_referencing_the_objects_gives_exactly_the_groups_copying_gives_and_copies_no_line_item(
    two_warehouses, tmp_path, layout
):
    copied, referencing = two_warehouses
    if layout == "parquet":
        source = parquet_report(tmp_path)
    else:
        source = legacy_report(
            tmp_path, NOVEMBER, {"acme-cur-1.csv.gz": gzip.compress(DAILY.read_bytes())}, layout="overwrite"
        )

    kept = load(copied, aws_cur, source, NOVEMBER)
    pointed = load(referencing, aws_cur, referenced(source), NOVEMBER)

    assert kept.rows == pointed.rows == 1281
    assert (kept.raw_line_items, pointed.raw_line_items) == ("copied", "referenced")
    copied_groups, referenced_groups = groups(copied), groups(referencing)
    assert len(copied_groups) > 50
    assert [g[2:] for g in referenced_groups] == [g[2:] for g in copied_groups]  # all but source_kind, storage
    assert {g[1] for g in referenced_groups} == {source.id}
    assert referencing.execute("SELECT DISTINCT raw_storage FROM raw.cur_line_item_groups").fetchall() == [
        ("referenced",)
    ]
    assert referencing.execute("SELECT COUNT(*) FROM raw.aws_cur_line_items").fetchall() == [(0,)]
    # the copies are what the copied groups were built from
    assert (
        copied.execute("SELECT COUNT(*), SUM(unblended_cost) FROM raw.aws_cur_line_items").fetchall()
        == copied.execute("SELECT SUM(line_item_count), SUM(cost) FROM raw.cur_line_item_groups").fetchall()
    )


def test_every_object_read_is_recorded_with_its_version_and_line_items(two_warehouses, tmp_path):
    _, referencing = two_warehouses
    source = referenced(parquet_report(tmp_path))

    load(referencing, aws_cur, source, NOVEMBER)

    objects = referencing.execute(
        """SELECT object_key, object_uri, object_version, raw_storage, line_items FROM raw.delivery_objects
           ORDER BY object_key"""
    ).fetchall()
    assert [(o[0], o[3], o[4]) for o in objects] == [
        ("acme-cur/year=2023/month=11/acme-cur-00001.snappy.parquet", "referenced", 700),
        ("acme-cur/year=2023/month=11/acme-cur-00002.snappy.parquet", "referenced", 581),
    ]
    for key, uri, version, _, _ in objects:
        path = Path(uri)
        assert path == Path(source.uri) / key and path.is_file()
        assert version and str(path.stat().st_size) in version
    # a drill-down from a group to its line items reads the object itself
    key, uri = objects[1][:2]
    first = referencing.execute(
        "SELECT first_line, line_item_count, usage_type FROM raw.cur_line_item_groups WHERE object_key = ? "
        "ORDER BY first_line LIMIT 1",
        [key],
    ).fetchall()[0]
    line = referencing.execute(
        "SELECT line_item_usage_type FROM read_parquet(?, file_row_number = true) WHERE file_row_number + 1 = ?",
        [uri, first[0]],
    ).fetchall()
    assert line == [(first[2],)]


def test_a_bad_cell_in_a_referenced_object_names_object_row_and_column_and_keeps_nothing(two_warehouses, tmp_path):
    _, referencing = two_warehouses
    table = athena_parquet(DAILY).slice(0, 10)
    amounts = [str(v) for v in table.column("line_item_usage_amount").to_pylist()]
    amounts[3] = "lots"
    table = table.set_column(
        table.column_names.index("line_item_usage_amount"), "line_item_usage_amount", pa.array(amounts)
    )
    source = referenced(
        legacy_report(tmp_path, NOVEMBER, {"acme-cur-00001.snappy.parquet": parquet_bytes(table)}, layout="parquet")
    )

    with pytest.raises(
        SourceError,
        match=r"object 'acme-cur/year=2023/month=11/acme-cur-00001.snappy.parquet', row 4, "
        r"column 'line_item_usage_amount': value 'lots' is not usable",
    ):
        load(referencing, aws_cur, source, NOVEMBER)
    for table_name in ("raw.cur_line_item_groups", "raw.delivery_objects", "raw.deliveries"):
        assert referencing.execute(f"SELECT COUNT(*) FROM {table_name}").fetchall() == [(0,)]


def test_changing_raw_line_items_rereads_an_unchanged_month_and_replaces_its_copies_and_groups(
    two_warehouses, tmp_path
):
    copied, _ = two_warehouses
    source = parquet_report(tmp_path)
    load(copied, aws_cur, source, NOVEMBER)
    before = copied.execute("SELECT SUM(line_item_count), SUM(cost) FROM raw.cur_line_item_groups").fetchall()

    summary = aws_cur.load_month
    from carbon_pipeline.sources.landing import LocalLanding
    from carbon_pipeline.warehouse.connection import transaction

    with transaction(copied):  # the same delivery, unchanged: only the setting differs, and that is enough
        result = summary(copied, LocalLanding(source.id, Path(source.uri)), referenced(source), NOVEMBER)

    assert result.raw_line_items == "referenced"
    assert copied.execute("SELECT COUNT(*) FROM raw.aws_cur_line_items").fetchall() == [(0,)]
    assert copied.execute("SELECT DISTINCT raw_storage FROM raw.cur_line_item_groups").fetchall() == [("referenced",)]
    assert copied.execute("SELECT SUM(line_item_count), SUM(cost) FROM raw.cur_line_item_groups").fetchall() == before
    assert copied.execute("SELECT COUNT(*) FROM raw.delivery_objects").fetchall() == [(2,)]
    with transaction(copied):  # and with the setting unchanged, the unchanged delivery is skipped again
        again = summary(copied, LocalLanding(source.id, Path(source.uri)), referenced(source), NOVEMBER)
    assert again.skipped is True


@pytest.mark.parametrize("option", ["reference", "archive"])
@pytest.mark.parametrize("native", [True, False], ids=["native-maps-string-ids", "json-maps-int64-ids"])
def test_a_referenced_or_archived_cur2_export_groups_like_its_copy(two_warehouses, tmp_path, native, option):
    copied, referencing = two_warehouses
    source = cur2_export(
        tmp_path, MARCH, {"acme-cur2-00001.snappy.parquet": parquet_bytes(cur2_table(CUR2_ROWS, native=native))}
    )

    load(copied, aws_cur2, source, MARCH)
    load(referencing, aws_cur2, referenced(source, option), MARCH)

    assert [g[2:] for g in groups(referencing)] == [g[2:] for g in groups(copied)]
    assert referencing.execute(
        "SELECT source_kind, SUM(line_item_count), COUNT(DISTINCT usage_account_id) FROM raw.cur_line_item_groups "
        "GROUP BY 1"
    ).fetchall() == [("aws_cur2", len(CUR2_ROWS), 2)]
    assert referencing.execute("SELECT COUNT(*) FROM raw.aws_cur2_line_items").fetchall() == [(0,)]


def test_raw_line_items_is_a_cur_option_with_three_values(tmp_path):
    path = tmp_path / "sources.yaml"
    path.write_text("sources:\n  - {id: a, kind: aws_cur, uri: x, raw_line_items: stream}\n")
    with pytest.raises(ConfigError, match=r"key 'raw_line_items' must be one of \['copy', 'reference', 'archive'\]"):
        load_sources_file(path)
    path.write_text("sources:\n  - {id: a, kind: focus, uri: x, raw_line_items: reference}\n")
    with pytest.raises(ConfigError, match=r"unknown key 'raw_line_items' for kind 'focus'"):
        load_sources_file(path)
    path.write_text("sources:\n  - {id: a, kind: aws_cur2, uri: x, raw_line_items: reference}\n")
    assert load_sources_file(path).sources[0].options["raw_line_items"] == "reference"
    path.write_text("sources:\n  - {id: a, kind: aws_cur, uri: x, raw_line_items: archive}\n")
    assert load_sources_file(path).sources[0].options["raw_line_items"] == "archive"


@pytest.mark.parametrize("option", ["reference", "archive"])
def test_hourly_carbon_needs_the_line_items_copied(tmp_path, option):
    path = tmp_path / "sources.yaml"
    path.write_text(f"sources:\n  - {{id: a, kind: aws_cur2, uri: x, hourly: true, raw_line_items: {option}}}\n")
    with pytest.raises(ConfigError, match=rf"'hourly: true' .* 'raw_line_items: {option}' does not keep them"):
        load_sources_file(path)
    path.write_text("sources:\n  - {id: a, kind: aws_cur2, uri: x, hourly: true, raw_line_items: copy}\n")
    assert load_sources_file(path).sources[0].options["hourly"] is True


@pytest.mark.parametrize(("option", "storage"), [("reference", "referenced"), ("archive", "archived")])
def test_the_demo_inventory_is_identical_whether_the_cur_is_copied_referenced_or_archived(
    tmp_path, demo_files, built, option, storage
):
    deployment = make_deployment(tmp_path, demo_files)
    sources = deployment.settings.sources_file
    text = sources.read_text()
    assert "kind: aws_cur\n" in text
    sources.write_text(text.replace("kind: aws_cur\n", f"kind: aws_cur\n    raw_line_items: {option}\n", 1))

    result = deployment.run()

    assert result.success
    assert deployment.query("SELECT COUNT(*) FROM raw.aws_cur_line_items") == [(0,)]
    assert deployment.query(
        "SELECT DISTINCT raw_storage FROM raw.cur_line_item_groups WHERE source_kind = 'aws_cur'"
    ) == [(storage,)]
    checks = [e for e in result.all_events if e.event_type_value == "ASSET_CHECK_EVALUATION"]
    failed = [e.event_specific_data.asset_check_key.name for e in checks if not e.event_specific_data.passed]
    assert not [
        name
        for name in failed
        if name
        in {
            "rows_match_deliveries",
            "line_item_groups_contract",
            "cost_and_line_items_reconcile_with_raw",
            "row_counts_by_stage",
        }
    ]
    for table in ("ledger.activity", "emissions.activity_emissions", "marts.scope_summary", "marts.cloud_emissions"):
        assert table_checksum(deployment.settings.warehouse, table) == table_checksum(built.settings.warehouse, table)
