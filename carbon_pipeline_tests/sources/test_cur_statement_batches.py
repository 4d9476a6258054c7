"""How many CUR objects one staging statement reads side by side: bounded by DuckDB's memory limit.

DuckDB sets up every object's reader when a statement starts (a gzip CSV reader holds two 30.5 MiB buffers),
so a 100M-line month of fifty 2M-line objects, staged sixteen at a time, ran out of the default 1 GB before
reading a row (docs/performance.md, Profile 18)."""

from datetime import date

import duckdb
import pytest

from carbon_pipeline.errors import SourceError
from carbon_pipeline.sources.aws_cur import reader as aws_cur
from carbon_pipeline.warehouse.connection import apply_schema, memory_limit_bytes

MiB = 2**20


@pytest.mark.parametrize(
    ("limit", "objects"),
    [("1GB", 7), ("512MB", 3), ("100MB", 1), ("8GB", aws_cur.UNION_OBJECTS)],
)
def test_objects_per_statement_follow_the_memory_limit(limit, objects):
    con = duckdb.connect(config={"memory_limit": limit})
    assert aws_cur.objects_per_statement(memory_limit_bytes(con)) == objects


def test_the_memory_limit_is_read_as_duckdb_reports_it():
    con = duckdb.connect(config={"memory_limit": "2GiB"})
    assert memory_limit_bytes(con) == 2048 * MiB
    con.execute("SET memory_limit = '1GB'")
    assert memory_limit_bytes(con) == pytest.approx(10**9, rel=1e-3)  # reported as 953.6 MiB


def test_objects_are_batched_in_manifest_order_with_a_zip_or_parquet_object_alone():
    keys = ("a.csv.gz", "b.csv.gz", "c.csv.gz", "d.zip", "e.csv.gz", "f.csv.gz", "g.csv.gz")
    assert aws_cur.object_batches(keys, 2) == [
        ("a.csv.gz", "b.csv.gz"),
        ("c.csv.gz",),
        ("d.zip",),
        ("e.csv.gz", "f.csv.gz"),
        ("g.csv.gz",),
    ]
    assert aws_cur.object_batches(keys, 1) == [(k,) for k in keys]
    parquet = ("x-00001.snappy.parquet", "x-00002.snappy.parquet", "y.csv.gz", "z.csv.gz")
    assert aws_cur.object_batches(parquet, 7) == [(parquet[0],), (parquet[1],), ("y.csv.gz", "z.csv.gz")]


def test_running_out_of_memory_names_the_limit_and_the_objects_and_rereads_nothing(demo_files):
    path = sorted(demo_files.rglob("demo-cur-1.csv.gz"))[0]
    key = f"{path.parent.parent.name}/{path.parent.name}/{path.name}"
    con = duckdb.connect()
    apply_schema(con)
    con.execute("SET memory_limit = '16MB'")  # less than one reader's buffer
    reread = []
    con.execute("BEGIN")
    with (
        aws_cur.open_object(con, path, source_id="demo-cur", object_key=key) as (relation, display),
        pytest.raises(SourceError) as refused,
    ):
        aws_cur.stage_objects(
            con,
            [(key, relation, display)],
            table="raw.aws_cur_line_items",
            kind="aws_cur",
            storage=aws_cur.COPIED,
            source_id="demo-cur",
            month=date(2025, 1, 1),
            delivery_id="d",
            validate_alone=reread.append,
        )
    message = str(refused.value)
    assert message.startswith(f"source 'demo-cur', object '{key}': DuckDB ran out of its memory limit (15.2 MiB)")
    assert "CARBON_DUCKDB_MEMORY_LIMIT" in message
    assert reread == []  # not the object's fault: it is not read again to find a bad cell
