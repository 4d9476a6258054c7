"""The same SQL models on Apache Spark (local mode) produce the same inventory as on DuckDB.

The demo is built once with DuckDB (fixture ``built``) and once with ``engine="spark"`` (fixture ``spark_built``:
the Dagster run's ledger, emissions and marts assets hand their tables to Spark as Parquet, Spark runs the
transpiled models and the rows land back in the warehouse); every row of the marts, the ledger and the emissions
table must equal DuckDB's: the same rows, doubles equal within 1e-9 relative. One Spark session (fixture
``spark``, engines/conftest.py) serves the whole run.
"""

from __future__ import annotations

import math
import shutil
from collections import defaultdict
from datetime import date
from pathlib import Path

import duckdb
import pytest

pytest.importorskip("pyspark", reason="pyspark is in the `test` and `spark` extras")

from carbon_pipeline.engines import SparkWarehouseEngine  # noqa: E402
from carbon_pipeline.engines.spark_engine import SparkEngine  # noqa: E402
from carbon_pipeline.engines.tables import (  # noqa: E402
    export_inputs,
    external_inputs,
    table_columns,
    transform_tables,
)
from carbon_pipeline.runner import failure_messages  # noqa: E402
from carbon_pipeline.sources.sources_file import load_sources_file  # noqa: E402
from carbon_pipeline.transforms import policy_parameters  # noqa: E402
from carbon_pipeline_tests.conftest import make_deployment  # noqa: E402

pytestmark = pytest.mark.spark

MARTS = ("marts.scope_summary", "marts.cloud_emissions", "marts.cloud_reconciliation")
# Text built from doubles (the emission formulas) is not compared: Java prints 0.000392 as 3.92E-4.
NOT_COMPARED = {"emissions.activity_emissions": {"formula"}}


def _params(deployment) -> dict:
    return policy_parameters(load_sources_file(deployment.settings.sources_file).settings)


@pytest.fixture(scope="session")
def spark_built(spark, tmp_path_factory, demo_files):
    """The demo's 24 months run with CARBON_ENGINE=spark (the engine resource, configured from the settings):
    every transform asset computes on Spark. Session scope, like the SparkSession it uses."""
    deployment = make_deployment(tmp_path_factory.mktemp("spark-deployment"), demo_files, engine="spark")
    result = deployment.run()
    assert result.success, failure_messages(result)
    return deployment


def _keyed(con: duckdb.DuckDBPyConnection, table: str, source: str, where: str = "") -> dict[tuple, list[tuple]]:
    """Rows grouped by their non-double columns; each group's doubles sorted, for comparing multisets."""
    columns = [(c, t) for c, t in table_columns(con, table) if c not in NOT_COMPARED.get(table, set())]
    keys = [c for c, t in columns if t != "DOUBLE"]
    doubles = [c for c, t in columns if t == "DOUBLE"]
    rows = con.execute(f"SELECT {', '.join(keys + doubles)} FROM {source} {where}").fetchall()
    grouped: dict[tuple, list[tuple]] = defaultdict(list)
    for row in rows:
        grouped[row[: len(keys)]].append(row[len(keys) :])
    return {k: sorted(v, key=lambda r: [(x is None, x or 0.0) for x in r]) for k, v in grouped.items()}


def _close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def differences(expected: dict, actual: dict) -> list[str]:
    found = []
    for key in sorted(set(expected) | set(actual), key=repr):
        left, right = expected.get(key, []), actual.get(key, [])
        if len(left) != len(right) or not all(
            _close(x, y) for lrow, rrow in zip(left, right, strict=True) for x, y in zip(lrow, rrow, strict=True)
        ):
            found.append(f"{key}: duckdb {left} spark {right}")
    return found


def assert_same_marts(reference_warehouse: Path, warehouse: Path, window: str, tables: tuple[str, ...] = MARTS) -> None:
    """Every mart (or each of ``tables``) of ``warehouse`` equals the reference's in the months of ``window``
    (a WHERE clause)."""
    reference = duckdb.connect(str(reference_warehouse), read_only=True)
    try:
        expected = {table: _keyed(reference, table, table, window) for table in tables}
    finally:
        reference.close()
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        actual = {table: _keyed(con, table, table, window) for table in tables}
    finally:
        con.close()
    for table in tables:
        assert expected[table], table
        assert not differences(expected[table], actual[table]), table


TABLES = [*MARTS, "ledger.activity", "ledger.provider_emissions", "emissions.activity_emissions"]


def _with_spark_built(built, spark_built) -> duckdb.DuckDBPyConnection:
    """The DuckDB-built warehouse, with the Spark-built one attached read-only as ``spark``."""
    con = duckdb.connect(str(built.settings.warehouse), read_only=True)
    con.execute(f"ATTACH '{spark_built.settings.warehouse}' AS spark (READ_ONLY)")
    return con


@pytest.mark.parametrize("table", TABLES)
def test_spark_builds_the_same_table_as_duckdb(built, spark_built, table):
    con = _with_spark_built(built, spark_built)
    try:
        expected = _keyed(con, table, table)
        actual = _keyed(con, table, f"spark.{table}")
    finally:
        con.close()
    assert expected, f"{table} is empty in the demo: the comparison would prove nothing"
    assert sum(map(len, actual.values())) == sum(map(len, expected.values()))
    problems = differences(expected, actual)
    assert not problems, f"{table}: {len(problems)} differing row group(s), e.g. {problems[:3]}"


def test_the_inventory_totals_agree(built, spark_built):
    con = _with_spark_built(built, spark_built)
    try:
        query = "SELECT method, scope, SUM(tco2e) FROM {} GROUP BY ALL ORDER BY ALL"
        duck = con.execute(query.format("marts.scope_summary")).fetchall()
        spark = con.execute(query.format("spark.marts.scope_summary")).fetchall()
    finally:
        con.close()
    assert [r[:2] for r in duck] == [r[:2] for r in spark] and len(duck) >= 6
    assert all(math.isclose(d[2], s[2], rel_tol=1e-9) for d, s in zip(duck, spark, strict=True))


def test_the_comparison_can_fail(built, spark_built):
    """A single changed figure is caught: the parity test above is not vacuous."""
    con = _with_spark_built(built, spark_built)
    try:
        table = "marts.scope_summary"
        expected = _keyed(con, table, table)
        tampered = _keyed(
            con,
            table,
            f"(SELECT * REPLACE (CASE WHEN rowid = 0 THEN tco2e * (1 + 1e-6) ELSE tco2e END AS tco2e) "
            f"FROM (SELECT *, row_number() OVER () - 1 AS rowid FROM spark.{table}))",
        )
    finally:
        con.close()
    assert len(differences(expected, tampered)) == 1


def test_a_local_sessions_jvm_runs_with_the_quick_compiler_and_a_clusters_driver_with_javas_defaults(spark):
    from carbon_pipeline.engines.spark_engine import LOCAL_JVM, STACK, driver_java_options

    options = spark.sparkContext.getConf().get("spark.driver.extraJavaOptions")
    assert "-XX:TieredStopAtLevel=1" in options and STACK in options  # the session the engine tests run on
    assert driver_java_options("spark://host:7077") == STACK and LOCAL_JVM not in driver_java_options("yarn")


def test_json_valid_rewrite_on_spark(spark):
    import sqlglot

    from carbon_pipeline.engines.transpile import _spark_functions

    tree = _spark_functions(sqlglot.parse_one("SELECT json_valid(j) AS ok FROM t", read="duckdb"))
    spark.createDataFrame([('{"VCPUs": "4"}',), ("not json",), (None,)], "j string").createOrReplaceTempView("t")
    assert [r.ok for r in spark.sql(tree.sql("spark")).collect()] == [True, False, False]


def test_a_cte_read_twice_is_computed_once_on_spark_as_on_duckdb(spark):
    """Spark inlines a CTE at each reference; the engine computes one read twice once (a random draw read
    twice is the same draw, as DuckDB gives it), and leaves a CTE read once inlined."""
    import sqlglot

    from carbon_pipeline.engines.transpile import tree_sql

    sql = """WITH once AS (SELECT 1 AS k), drawn AS (SELECT random() AS x FROM once)
             SELECT a.x = b.x AS same FROM drawn AS a CROSS JOIN drawn AS b"""
    assert duckdb.sql(sql).fetchall() == [(True,)]
    engine = SparkEngine(spark)
    try:
        tree = engine._materialise_shared_ctes(sqlglot.parse_one(sql, read="duckdb"), "checks/example")
        assert [r.same for r in spark.sql(tree_sql(tree, "checks/example", "spark")).collect()] == [True]
        assert engine._views == {"shared__checks__example__drawn"}
    finally:
        engine.release()


def test_with_carbon_engine_spark_a_deployment_lands_spark_results_in_its_warehouse(built, spark_built):
    """CARBON_ENGINE=spark: the rows Spark computed land in the deployment's DuckDB warehouse (equal to the
    DuckDB-built ones, table by table above) and reach its serving file as a DuckDB run's do."""
    assert_same_marts(built.settings.warehouse, spark_built.settings.warehouse, "")
    assert_same_marts(built.settings.serving, spark_built.settings.serving, "", ("marts.scope_summary",))
    # and Spark did write them: its formulas print doubles as Java does (0.000392 as 3.92E-4), DuckDB's never
    con = _with_spark_built(built, spark_built)
    try:
        query = "SELECT COUNT(*) FROM {} WHERE regexp_matches(formula, '\\dE-\\d')"
        assert con.execute(query.format("spark.emissions.activity_emissions")).fetchall()[0][0] > 0
        assert con.execute(query.format("emissions.activity_emissions")).fetchall()[0][0] == 0
    finally:
        con.close()


def test_the_spark_engine_replaces_only_its_months(spark, built, tmp_path):
    """transform(): the window's rows of its target are replaced by Spark's, other months are left as they were.
    One target, marts.scope_summary over the warehouse's own emissions: every table's SQL on Spark is the parity
    tests' above, and that transform() without targets takes every transform table is the next test's."""
    path = tmp_path / "copy.duckdb"
    shutil.copy(built.settings.warehouse, path)
    (target,) = [t for t in transform_tables() if t.table == "marts.scope_summary"]
    june = "WHERE period_month = DATE '2025-06-01'"
    con = duckdb.connect(str(path))
    try:
        earlier = "SELECT COUNT(*) FROM marts.scope_summary WHERE period_month < DATE '2025-06-01'"
        before = con.execute(earlier).fetchall()
        rows = con.execute(f"SELECT COUNT(*) FROM marts.scope_summary {june}").fetchall()[0][0]
        con.execute(f"UPDATE marts.scope_summary SET tco2e = -1 {june}")
        written = SparkWarehouseEngine().transform(
            con, date(2025, 6, 1), date(2025, 7, 1), _params(built), targets=[target]
        )
        assert written == {"marts.scope_summary": rows} and rows > 0
        assert con.execute("SELECT MIN(tco2e) FROM marts.scope_summary").fetchall()[0][0] >= 0
        assert con.execute(earlier).fetchall() == before
    finally:
        con.close()
    assert_same_marts(built.settings.warehouse, path, june, ("marts.scope_summary",))


def test_spark_transform_without_targets_computes_every_transform_table_in_one_go(monkeypatch, tmp_path):
    """What `carbon-pipeline transform --engine spark` calls: no targets means every transform table, handed to
    one Spark pass together (each read back by the next from Spark's own output) and each recorded as built."""
    from carbon_pipeline.engines import warehouse as engine_module
    from carbon_pipeline.warehouse.connection import open_warehouse

    handed: list[list[str]] = []
    recorded: list[str] = []

    def one_pass(self, con, targets, start, end, params, land):
        handed.append([t.table for t in targets])
        return {t.table: 0 for t in targets}

    monkeypatch.setattr(SparkWarehouseEngine, "_run", one_pass)
    monkeypatch.setattr(engine_module, "record_built_from", lambda con, table, start, end: recorded.append(table))
    con = open_warehouse(tmp_path / "warehouse.duckdb")
    try:
        written = SparkWarehouseEngine().transform(con, date(2025, 6, 1), date(2025, 7, 1), {})
    finally:
        con.close()
    every = [t.table for t in transform_tables()]
    assert handed == [every] and list(written) == every and recorded == every


def test_the_monte_carlo_ranges_are_the_same_on_spark(spark, tmp_path):
    """marts/uncertainty_ranges.sql draws from md5 of (seed, error key, draw) and takes exact quantiles, so Spark
    (md5, locate, explode(sequence), percentile) gives DuckDB's ranges, on a tiny warehouse with a drawn cell
    (usage-estimated cloud rows: lognormal) and a closed-form one (invoiced electricity)."""
    from carbon_pipeline.engines.tables import TransformTable
    from carbon_pipeline.factors.catalogue import load_catalogue
    from carbon_pipeline.warehouse.connection import open_warehouse
    from carbon_pipeline_tests.emissions.test_uncertainty import PARAMS, WINDOW, add_activity, build

    warehouse = tmp_path / "warehouse.duckdb"
    con = open_warehouse(warehouse)
    try:
        load_catalogue(con)
        add_activity(con, "c1", tco2e=8.0, activity_type="cloud_usage", provider="aws", flag="estimated_from_cost")
        add_activity(con, "c2", tco2e=3.0, activity_type="cloud_usage", provider="aws", factor_id="f:b")
        add_activity(con, "e1", tco2e=10.0)
        build(con)
        target = TransformTable("marts.uncertainty_ranges", ("marts/uncertainty_ranges",))
        inputs = export_inputs(con, external_inputs([target]), tmp_path / "inputs", *WINDOW)
        columns = {target.table: table_columns(con, target.table)}
    finally:
        con.close()
    outputs = SparkEngine(spark).materialise([target], inputs, columns, tmp_path / "outputs", *WINDOW, PARAMS)
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        expected = _keyed(con, target.table, target.table)
        actual = _keyed(con, target.table, f"read_parquet('{outputs[target.table]}/*.parquet')")
        propagations = {row[0] for row in con.execute("SELECT propagation FROM marts.uncertainty_ranges").fetchall()}
    finally:
        con.close()
    assert propagations == {"monte_carlo", "quadrature"}
    assert not differences(expected, actual)
