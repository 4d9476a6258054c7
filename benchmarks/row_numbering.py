"""What numbering the rows costs in the gzip CSV staging statement (issue 18, docs/performance.md Profile 17).

Runs, each on a fresh connection to a scratch DuckDB file with the pipeline's memory limit, over one object of
a generated month (``generate_cur.py``):

* ``floor``: the benchmark's floor (read, cast and aggregate a few columns);
* ``shipped``: the staging model as the CUR reader runs it, rows numbered by ``row_number() OVER ()``;
* ``unnumbered``: the same statement with a constant in place of the row number (what the row number costs;
  not shippable: a row would no longer name its line in the object);
* ``rowid``: stage the typed rows in order in a temporary table, then number them by their position there
  (``rowid``) while copying them into the target (the two-statement alternative);
* ``ordered``: the unnumbered statement with insertion order kept;
* ``position``: what the reader ships for a one-object month since Profile 30: ``ordered``, then each row's
  line set from its position (``aws_cur.number_lines_by_position``).

``--verify`` then compares ``position``'s table with ``shipped``'s on every line (line, line item id, usage,
cost): the check that DuckDB kept the object's order.

    .venv/bin/python benchmarks/row_numbering.py benchmarks/data/csv_gz-10000000-seed7-objects10000000
"""

from __future__ import annotations

import argparse
import gzip
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import duckdb

from carbon_pipeline.sources.aws_cur.reader import (
    OPTIONAL_COLUMNS,
    REQUIRED_COLUMNS,
    UNNUMBERED,
    number_lines_by_position,
)
from carbon_pipeline.sources.tabular import athena_name
from carbon_pipeline.warehouse.connection import memory_limit
from carbon_pipeline.warehouse.sql_models import bind, model_sql

MODEL = "staging/aws_cur_line_items"


def literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


PARAMS = {"source_id": "bench", "period_month": "2025-03-01", "assembly_id": "a", "object_key": "k"}


def _cur_file(path: Path, numbering: str) -> str:
    """The select the reader builds (tabular.read_delimited): fixed dialect, every column VARCHAR, named as
    Athena names them, missing optional columns as NULL."""
    with gzip.open(path, "rt") as handle:
        header = [name.strip('"') for name in handle.readline().strip().split(",")]
    columns = "{" + ", ".join(f"{literal(name)}: 'VARCHAR'" for name in header) + "}"
    scan = (
        f"read_csv({literal(str(path))}, header = true, auto_detect = false, columns = {columns}, sep = ',', "
        "quote = '\"', escape = '\"', null_padding = false, skip = 0)"
    )
    named = {athena_name(name): name for name in header}
    wanted = dict.fromkeys([*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS])
    select = [f"{numbering} AS object_line"] + [
        f'"{named[name]}" AS {name}' if name in named else f"CAST(NULL AS VARCHAR) AS {name}" for name in wanted
    ]
    return f"SELECT {', '.join(select)} FROM {scan}"


def _staging(cur_file: str) -> tuple[str, dict]:
    sql = model_sql(MODEL)
    return f"WITH cur_file AS ({cur_file}) {sql}", bind(sql, PARAMS)


def floor(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    con.execute(
        'SELECT "lineItem/UsageAccountId", "lineItem/UsageType", '
        'sum(TRY_CAST("lineItem/UsageAmount" AS DOUBLE)), '
        'sum(TRY_CAST("lineItem/UnblendedCost" AS DECIMAL(38, 10))), count(*) '
        f"FROM read_csv({literal(str(path))}, header = true, all_varchar = true) GROUP BY ALL"
    ).fetchall()


def shipped(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    sql, params = _staging(_cur_file(path, "row_number() OVER () + 1"))
    con.execute(f"CREATE TABLE target AS {sql}", params)


def unnumbered(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    sql, params = _staging(_cur_file(path, "CAST(NULL AS BIGINT)"))
    con.execute(f"CREATE TABLE target AS {sql}", params)


def rowid(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    sql, params = _staging(_cur_file(path, "CAST(NULL AS BIGINT)"))
    con.execute("SET preserve_insertion_order = true")  # the staged rows keep the object's order
    con.execute(f"CREATE TEMP TABLE staged AS {sql}", params)
    con.execute("SET preserve_insertion_order = false")
    first = con.execute("SELECT min(rowid) FROM staged").fetchall()[0][0]
    con.execute(f"CREATE TABLE target AS SELECT * REPLACE (rowid - {first} + 2 AS object_line) FROM staged")


def ordered(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    sql, params = _staging(_cur_file(path, str(UNNUMBERED)))
    con.execute("SET preserve_insertion_order = true")  # the staged rows keep the object's order
    con.execute(f"CREATE TABLE target AS {sql}", params)


def position(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """What the reader ships for a one-object month (Profile 30): the ordered insert, then each row's line
    from its position, in one transaction."""
    con.execute("BEGIN")
    ordered(con, path)
    number_lines_by_position(con, "target", PARAMS)
    con.execute("COMMIT")


VARIANTS: dict[str, Callable[[duckdb.DuckDBPyConnection, Path], None]] = {
    "floor": floor,
    "shipped": shipped,
    "unnumbered": unnumbered,
    "rowid": rowid,
    "ordered": ordered,
    "position": position,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("month", type=Path, help="a generated month's folder (its first .csv.gz object is read)")
    parser.add_argument("--variants", default=",".join(VARIANTS))
    parser.add_argument("--verify", action="store_true", help="compare position's lines with shipped's")
    args = parser.parse_args()
    path = sorted(args.month.rglob("*.csv.gz"))[0]
    print(f"{path} ({path.stat().st_size / 1e6:.0f} MB), memory_limit {memory_limit()}")
    names = args.variants.split(",")
    names += [name for name in ("shipped", "position") if args.verify and name not in names]
    with tempfile.TemporaryDirectory() as scratch:
        for name in names:
            con = duckdb.connect(str(Path(scratch) / f"{name}.duckdb"), config={"memory_limit": memory_limit()})
            con.execute("SET preserve_insertion_order = false")  # as stage_objects runs the statement
            started = time.perf_counter()
            VARIANTS[name](con, path)
            seconds = time.perf_counter() - started
            rows = "" if name == "floor" else f" ({con.execute('SELECT count(*) FROM target').fetchall()[0][0]:,} rows)"
            print(f"{name:>11}: {seconds:6.2f} s{rows}", flush=True)
            con.close()
        if args.verify:
            con = duckdb.connect(config={"memory_limit": memory_limit()})
            for name in ("shipped", "position"):
                con.execute(f"ATTACH '{Path(scratch) / name}.duckdb' AS {name} (READ_ONLY)")
            compared, differing = con.execute(
                """SELECT count(*), count(*) FILTER (WHERE p.object_line IS NULL
                       OR s.line_item_id IS DISTINCT FROM p.line_item_id
                       OR s.usage_amount IS DISTINCT FROM p.usage_amount
                       OR s.unblended_cost IS DISTINCT FROM p.unblended_cost)
                   FROM shipped.target s LEFT JOIN position.target p USING (object_line)"""
            ).fetchall()[0]
            print(f"     verify: {compared:,} lines compared, {differing:,} differ", flush=True)
            if differing:
                raise SystemExit(1)


if __name__ == "__main__":
    main()
