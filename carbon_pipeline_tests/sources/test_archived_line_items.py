"""`raw_line_items: archive`: a CUR source whose delivered objects the pipeline keeps itself, byte for byte.

The month is grouped in the scan that reads it, as with `reference`, but the scan reads the pipeline's own
read-only copy of each object (named by its SHA-256, beside the warehouse), so what the groups were built from
stays readable whatever the bucket or landing folder does afterwards.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from carbon_pipeline.cli import main
from carbon_pipeline.errors import ConfigError, SourceError
from carbon_pipeline.sources import archive
from carbon_pipeline.sources.archive import INCOMING, archive_object, archive_objects, archive_root, archived_copy
from carbon_pipeline.sources.aws_cur import reader as aws_cur
from carbon_pipeline.sources.config import SourceConfig
from carbon_pipeline.sources.landing import LocalLanding
from carbon_pipeline.warehouse.connection import transaction
from carbon_pipeline_tests.sources.test_cur_formats import DAILY, NOVEMBER, legacy_report, load
from carbon_pipeline_tests.sources.test_referenced_line_items import groups, parquet_report


def archiving(source: SourceConfig) -> SourceConfig:
    return SourceConfig(source.id, source.kind, source.uri, {**source.options, "raw_line_items": "archive"})


def csv_gz_report(root: Path) -> SourceConfig:
    return legacy_report(root, NOVEMBER, {"acme-cur-1.csv.gz": gzip.compress(DAILY.read_bytes())}, layout="overwrite")


def archived_objects(con) -> list[tuple[str, str, str, str]]:
    return con.execute(
        "SELECT object_key, raw_storage, archived_as, archived_sha256 FROM raw.delivery_objects ORDER BY object_key"
    ).fetchall()


@pytest.mark.parametrize("layout", ["csv_gz", "parquet"])
def test_archiving_gives_exactly_the_groups_copying_gives_and_keeps_each_object_read_only_byte_for_byte(
    two_warehouses, tmp_path, layout
):
    copied, archived = two_warehouses
    source = parquet_report(tmp_path) if layout == "parquet" else csv_gz_report(tmp_path)

    kept = load(copied, aws_cur, source, NOVEMBER)
    summary = load(archived, aws_cur, archiving(source), NOVEMBER)

    assert kept.rows == summary.rows == 1281
    assert summary.raw_line_items == "archived"
    assert [g[2:] for g in groups(archived)] == [g[2:] for g in groups(copied)]  # all but source_kind, storage
    assert archived.execute("SELECT DISTINCT raw_storage FROM raw.cur_line_item_groups").fetchall() == [("archived",)]
    assert archived.execute("SELECT COUNT(*) FROM raw.aws_cur_line_items").fetchall() == [(0,)]
    root = tmp_path / "other.duckdb.archive"
    objects = archived_objects(archived)
    assert len(objects) == (2 if layout == "parquet" else 1)
    for key, storage, relative, sha256 in objects:
        delivered = (Path(source.uri) / key).read_bytes()
        copy = root / relative
        assert storage == "archived"
        assert relative == f"{source.id}/{sha256}/{Path(key).name}"
        assert sha256 == hashlib.sha256(delivered).hexdigest()
        assert copy.read_bytes() == delivered
        assert copy.stat().st_mode & 0o222 == 0  # nobody's to write to
    assert not list(root.glob(f"*/{INCOMING}*"))  # no part file left behind
    # copied months record no archive
    assert {o[2:] for o in archived_objects(copied)} == {(None, None)}


def test_a_delivered_object_rewritten_after_archiving_leaves_the_archived_bytes_and_the_next_sync_archives_the_new_ones(
    two_warehouses, tmp_path
):
    _, archived = two_warehouses
    source = archiving(csv_gz_report(tmp_path))
    load(archived, aws_cur, source, NOVEMBER)
    [(key, _, first_relative, first_sha)] = archived_objects(archived)
    first_bytes = (tmp_path / "other.duckdb.archive" / first_relative).read_bytes()

    delivered = Path(source.uri) / key
    lines = DAILY.read_text().splitlines(keepends=True)
    delivered.write_bytes(gzip.compress("".join(lines[:-1]).encode()))  # the bucket overwrites the month in place
    os.utime(delivered, ns=(0, delivered.stat().st_mtime_ns + 5_000_000_000))
    resynced = load(archived, aws_cur, source, NOVEMBER)

    assert not resynced.skipped and resynced.rows == 1280
    [(_, _, relative, sha256)] = archived_objects(archived)
    assert sha256 != first_sha and sha256 == hashlib.sha256(delivered.read_bytes()).hexdigest()
    root = tmp_path / "other.duckdb.archive"
    assert (root / first_relative).read_bytes() == first_bytes  # the evidence of the first reading is kept
    assert archived_copy(root, first_relative, first_sha, source_id=source.id, object_key=key).is_file()
    assert (root / relative).read_bytes() == delivered.read_bytes()


def test_the_groups_are_built_from_the_archived_bytes_even_if_the_object_is_rewritten_meanwhile(
    two_warehouses, tmp_path, monkeypatch
):
    copied, archived = two_warehouses
    source = archiving(csv_gz_report(tmp_path))
    load(copied, aws_cur, source, NOVEMBER)  # the object as first delivered
    lines = DAILY.read_text().splitlines(keepends=True)

    def archived_then_rewritten(objects: dict[str, Path], *args, **kwargs):
        kept = archive_objects(objects, *args, **kwargs)
        for path in objects.values():  # the bucket refreshes the month meanwhile
            path.write_bytes(gzip.compress("".join(lines[:100]).encode()))
        return kept

    monkeypatch.setattr(aws_cur, "archive_objects", archived_then_rewritten)
    summary = load(archived, aws_cur, source, NOVEMBER)

    assert summary.rows == 1281  # not the 99 rows now in the landing folder
    assert [g[2:] for g in groups(archived)] == [g[2:] for g in groups(copied)]


def test_an_unchanged_month_is_skipped_and_the_same_bytes_are_archived_once(two_warehouses, tmp_path):
    _, archived = two_warehouses
    source = archiving(csv_gz_report(tmp_path))
    load(archived, aws_cur, source, NOVEMBER)
    root = tmp_path / "other.duckdb.archive"
    before = sorted(p.relative_to(root) for p in root.rglob("*"))

    assert load(archived, aws_cur, source, NOVEMBER).skipped is True
    with transaction(archived):
        forced = aws_cur.load_month(archived, LocalLanding(source.id, Path(source.uri)), source, NOVEMBER, force=True)

    assert forced.rows == 1281
    assert sorted(p.relative_to(root) for p in root.rglob("*")) == before


def test_a_bad_cell_in_an_archived_object_is_named_by_object_row_and_column_and_nothing_is_recorded(
    two_warehouses, tmp_path
):
    _, archived = two_warehouses
    rows = list(csv.DictReader(io.StringIO(DAILY.read_text())))
    rows[2]["lineItem/UsageAmount"] = "lots"  # line 4 of the file
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    source = archiving(
        legacy_report(
            tmp_path, NOVEMBER, {"acme-cur-1.csv.gz": gzip.compress(text.getvalue().encode())}, layout="overwrite"
        )
    )

    with pytest.raises(SourceError, match=r"row 4, column 'lineItem/UsageAmount': value 'lots' is not usable"):
        load(archived, aws_cur, source, NOVEMBER)
    for table in ("raw.cur_line_item_groups", "raw.delivery_objects", "raw.deliveries"):
        assert archived.execute(f"SELECT COUNT(*) FROM {table}").fetchall() == [(0,)]


def test_an_archived_copy_changed_or_missing_afterwards_is_refused_naming_it(tmp_path):
    delivered = tmp_path / "acme-cur-1.csv.gz"
    delivered.write_bytes(b"line items")
    root = tmp_path / "warehouse.duckdb.archive"
    kept = archive_object(delivered, root, source_id="cur", object_key="acme/acme-cur-1.csv.gz")

    assert archived_copy(root, kept.relative, kept.sha256, source_id="cur", object_key="k") == kept.path
    kept.path.chmod(0o644)
    kept.path.write_bytes(b"other line items")
    with pytest.raises(SourceError, match=rf"archived copy .* no longer has SHA-256 {kept.sha256}"):
        archived_copy(root, kept.relative, kept.sha256, source_id="cur", object_key="k")
    with pytest.raises(SourceError, match="would leave its folder"):
        archived_copy(root, "../../elsewhere", kept.sha256, source_id="cur", object_key="k")
    kept.path.unlink()  # e.g. a second host, which has the months from the partition store but not the archive
    with pytest.raises(SourceError, match=rf"archived copy {kept.path} cannot be read"):
        archived_copy(root, kept.relative, kept.sha256, source_id="cur", object_key="k")


def test_what_a_killed_run_was_archiving_is_removed_and_a_live_ones_is_not(tmp_path):
    delivered = tmp_path / "object.csv.gz"
    delivered.write_bytes(b"rows")
    root = tmp_path / "warehouse.duckdb.archive"
    dead = root / "cur" / f"{INCOMING}999999999"  # no such process
    alive = root / "cur" / f"{INCOMING}1"  # init: always running
    for folder in (dead, alive):
        folder.mkdir(parents=True)
        (folder / "object.csv.gz").write_bytes(b"ro")

    archive_objects({"object.csv.gz": delivered}, root, source_id="cur")

    assert not dead.exists() and alive.exists()


def test_an_object_archived_while_another_is_being_copied_leaves_that_copy_its_folder(tmp_path, monkeypatch):
    """Threads archive a delivery's objects side by side: one finishing must not remove the process's incoming
    folder while another has created it and not yet copied into it (here the second object is archived at exactly
    that moment of the first, in the same thread, so the interleaving is certain)."""
    root = tmp_path / "warehouse.duckdb.archive"
    first, second = tmp_path / "first.csv.gz", tmp_path / "second.csv.gz"
    first.write_bytes(b"first object")
    second.write_bytes(b"second object")
    copy = shutil.copyfile

    def copy_after_another_archived(source, target):
        if Path(source) == first:
            archive.archive_object(second, root, source_id="cur", object_key="second.csv.gz")
        return copy(source, target)

    monkeypatch.setattr(archive.shutil, "copyfile", copy_after_another_archived)
    kept = archive_objects({"first.csv.gz": first}, root, source_id="cur")

    assert kept["first.csv.gz"].path.read_bytes() == b"first object"
    assert not list((root / "cur").glob(f"{INCOMING}*"))  # gone once every copy is done


def test_archiving_needs_a_warehouse_file():
    with pytest.raises(ConfigError, match="beside the warehouse file"):
        archive_root(duckdb.connect())


def test_a_delivery_that_would_fill_the_archive_s_disk_is_refused_before_anything_is_copied(
    two_warehouses, tmp_path, monkeypatch
):
    _, archived = two_warehouses
    source = archiving(csv_gz_report(tmp_path))
    size = next(Path(source.uri).rglob("*.csv.gz")).stat().st_size
    real = shutil.disk_usage

    def nearly_full(path):
        usage = real(path)
        return usage._replace(free=archive.KEEP_FREE + size - 1)

    monkeypatch.setattr(archive.shutil, "disk_usage", nearly_full)
    with pytest.raises(SourceError, match=rf"needs {size:,} bytes and would leave less than .* nothing was copied"):
        load(archived, aws_cur, source, NOVEMBER)

    assert not (tmp_path / "other.duckdb.archive").exists() or not any(
        (tmp_path / "other.duckdb.archive").rglob("*.gz")
    )
    assert archived.execute("SELECT COUNT(*) FROM raw.deliveries").fetchall() == [(0,)]


def test_archived_objects_no_month_is_read_from_any_more_are_listed_then_deleted_and_the_rest_kept(
    two_warehouses, tmp_path, monkeypatch, capsys
):
    _, archived = two_warehouses
    source = archiving(csv_gz_report(tmp_path))
    load(archived, aws_cur, source, NOVEMBER)
    [(key, _, first, _)] = archived_objects(archived)
    delivered = Path(source.uri) / key
    delivered.write_bytes(gzip.compress("".join(DAILY.read_text().splitlines(keepends=True)[:-1]).encode()))
    os.utime(delivered, ns=(0, delivered.stat().st_mtime_ns + 5_000_000_000))
    load(archived, aws_cur, source, NOVEMBER)  # the refreshed delivery replaces the month
    [(_, _, current, _)] = archived_objects(archived)
    archived.close()
    root = tmp_path / "other.duckdb.archive"
    monkeypatch.setenv("CARBON_WAREHOUSE", str(tmp_path / "other.duckdb"))

    assert main(["archive-unreferenced"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert listed[0].split("\t") == [first, str((root / first).stat().st_size)]
    assert listed[1].startswith("1 archived object(s), ") and "--delete" in listed[1]
    assert (root / first).is_file()  # only listed

    assert main(["archive-unreferenced", "--delete"]) == 0
    assert capsys.readouterr().out.splitlines()[-1].endswith("bytes, deleted")
    assert not (root / first).exists() and not (root / first).parent.exists()
    assert (root / current).read_bytes() == delivered.read_bytes()
    assert main(["archive-unreferenced"]) == 0
    assert capsys.readouterr().out.startswith("0 archived object(s), 0 bytes")
    monkeypatch.setenv("CARBON_WAREHOUSE", str(tmp_path / "missing.duckdb"))
    assert main(["archive-unreferenced"]) == 2
    assert "no warehouse at" in capsys.readouterr().err and not (tmp_path / "missing.duckdb").exists()


def test_the_archive_is_not_pruned_while_another_process_has_the_warehouse_open(tmp_path, monkeypatch, capsys):
    warehouse = tmp_path / "warehouse.duckdb"
    duckdb.connect(str(warehouse)).close()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb, sys; c = duckdb.connect({str(warehouse)!r}); print('open'); sys.stdin.read()",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "open"
        monkeypatch.setenv("CARBON_WAREHOUSE", str(warehouse))
        assert main(["archive-unreferenced", "--delete"]) == 2
        assert "cannot be opened" in capsys.readouterr().err
    finally:
        holder.communicate("")
