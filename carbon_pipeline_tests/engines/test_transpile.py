"""Handing the DuckDB models to other engines through sqlglot: every transform model transpiles, values
are bound as literals in the syntax tree, and each DuckDB-specific rewrite means in DuckDB what it meant
before (checked by running both forms in DuckDB)."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest
import sqlglot
from sqlglot import exp

from carbon_pipeline.defs.emissions.assets import build_emission_assets
from carbon_pipeline.defs.ledger.assets import build_ledger_assets
from carbon_pipeline.defs.marts.assets import build_mart_assets
from carbon_pipeline.engines import DuckDBEngine, SparkWarehouseEngine, engine_for
from carbon_pipeline.engines.tables import external_inputs, transform_tables
from carbon_pipeline.engines.transpile import (
    TranspileError,
    _spark_functions,
    bind_parameters,
    inline_macros,
    model_inputs,
    transpile_model,
)
from carbon_pipeline.orchestration.partitions import monthly_partitions
from carbon_pipeline.settings import load_settings
from carbon_pipeline.warehouse.connection import open_warehouse

PARAMS = {
    "start": date(2025, 1, 1),
    "end": date(2025, 4, 1),
    "cloud_scope_policy": "scope3_category1",
    "coefficient_profile": "default",
    "pinned_model_version": None,
    "uncertainty_overrides": ";invoiced=0.1000000000;",
    "monte_carlo_seed": "issue17",
    "monte_carlo_draws": 10000,
    "uncertainty_period": "month",
}
POLICIES = [
    {},
    {"cloud_scope_policy": "scope2_framing", "coefficient_profile": "ccf", "pinned_model_version": "v2.0.0"},
]
TRANSFORM_MODELS = sorted({m for t in transform_tables() for m in t.models})


@pytest.mark.parametrize("dialect", ["spark", "trino"])
@pytest.mark.parametrize("policy", POLICIES, ids=["default", "ccf-scope2-pinned"])
@pytest.mark.parametrize("model", TRANSFORM_MODELS)
def test_every_transform_model_transpiles(model, policy, dialect):
    sql = transpile_model(model, {**PARAMS, **policy}, dialect)
    tree = sqlglot.parse_one(sql, read=dialect)  # the output is itself valid in the target dialect
    assert not list(tree.find_all(exp.Placeholder)), "a $parameter survived"
    assert "aws_instance_type_of" not in sql.lower(), "a warehouse macro survived"
    tables = {t.name for t in tree.find_all(exp.Table)}
    assert not any(t.db for t in tree.find_all(exp.Table)), f"schema-qualified table left in {sorted(tables)}"


def test_the_transform_tables_are_the_dagster_assets_in_dependency_order():
    partitions = monthly_partitions(date(2024, 1, 1))
    assets = [*build_ledger_assets(partitions), *build_emission_assets(partitions), *build_mart_assets(partitions)]
    declared = {spec.metadata["dagster/table_name"]: spec.metadata["models"] for a in assets for spec in a.specs}
    tables = transform_tables()
    assert {t.table for t in tables} == set(declared)
    for t in tables:
        assert ", ".join(f"dbt_like_sql/{m}.sql" for m in t.models) == declared[t.table]
    seen: set[str] = set()
    for t in tables:
        written_later = {later.table for later in tables} - seen - {t.table}
        assert not (model_inputs(t.models) & written_later), f"{t.table} reads a table written after it"
        seen.add(t.table)
    inputs = external_inputs(tables)
    assert "raw.cur_line_item_groups" in inputs and "factors.emission_factors" in inputs
    assert not any(name.startswith(("ledger.", "emissions.", "marts.")) for name in inputs)


def test_values_are_bound_as_literals_not_text():
    hostile = "v1' OR 1=1 --"
    tree = bind_parameters(
        sqlglot.parse_one("SELECT * FROM t WHERE v = $v AND d >= $d", read="duckdb"),
        {"v": hostile, "d": date(2025, 1, 1)},
    )
    sql = tree.sql("spark")
    reparsed = sqlglot.parse_one(sql, read="spark")
    literals = [lit.this for lit in reparsed.find_all(exp.Literal) if lit.is_string]
    assert hostile in literals, sql
    assert len(list(reparsed.find(exp.Where).find_all(exp.EQ))) == 1  # no second predicate smuggled in


def test_a_missing_parameter_names_the_model():
    with pytest.raises(TranspileError, match=r"marts/scope_summary.*cloud_scope_policy"):
        transpile_model("marts/scope_summary", {"start": date(2025, 1, 1), "end": date(2025, 2, 1)}, "spark")


def test_union_by_name_is_refused_with_a_way_out(monkeypatch):
    from carbon_pipeline.engines import transpile

    monkeypatch.setattr(
        transpile, "parse_model", lambda name: sqlglot.parse_one("SELECT 1 AS a UNION ALL BY NAME SELECT 2 AS a")
    )
    with pytest.raises(TranspileError, match="BY NAME.*name the columns"):
        transpile.transpile_model("x/y", {}, "spark")


def _duckdb_rows(con, tree: exp.Expression) -> list[tuple]:
    return sorted(con.execute(tree.sql("duckdb")).fetchall(), key=repr)


def test_the_inlined_macro_equals_the_warehouse_macro(tmp_path):
    con = open_warehouse(tmp_path / "w.duckdb")  # runs the schema files, so the macro exists
    values = """(VALUES ('m5.large', 'BoxUsage:x'), (NULL, 'USW2-Multi-AZUsage:db.r5.xlarge'),
                ('', 'Node:cache.t3.micro'), (NULL, 'ES:r6g.large.search'), (NULL, 'DataTransfer-Out-Bytes'),
                (NULL, NULL)) AS t(it, ut)"""
    native = sqlglot.parse_one(f"SELECT it, ut, factors.aws_instance_type_of(it, ut) FROM {values}", read="duckdb")
    inlined = inline_macros(native.copy())
    assert "aws_instance_type_of" not in inlined.sql("duckdb")
    assert _duckdb_rows(con, inlined) == _duckdb_rows(con, native)
    assert ("m5.large", "BoxUsage:x", "m5.large") in _duckdb_rows(con, inlined)
    con.close()


def test_the_spark_rewrites_mean_in_duckdb_what_the_originals_meant():
    con = duckdb.connect()
    queries = [
        # GROUPING(a, b) as explicit bits: Spark's grouping_id must list every grouping column
        """SELECT m, a, b, GROUPING(a, b) AS g, SUM(x) AS s FROM (VALUES (1, 'p', 'u', 1.0), (1, 'q', 'u', 2.0),
           (2, 'p', 'v', 3.0)) AS t(m, a, b, x) GROUP BY GROUPING SETS ((m, a, b), (m, b), (m))""",
        # an un-aggregated scalar lookup: Spark wants it aggregated, MAX of at most one row is that row
        """SELECT k, (SELECT u.v FROM (VALUES ('a', 10), ('b', 20)) AS u(k, v) WHERE u.k = t.k) AS v
           FROM (VALUES ('a'), ('b'), ('c')) AS t(k)""",
        """SELECT suffix(s, 'Bytes') FROM (VALUES ('In-Bytes'), ('x'), (NULL)) AS t(s)""",
        # (json_valid's rewrite is a Spark function: carbon_pipeline_tests/engines/test_spark.py runs it)
    ]
    for sql in queries:
        original = sqlglot.parse_one(sql, read="duckdb")
        rewritten = _spark_functions(original.copy())
        assert rewritten.sql("duckdb") != original.sql("duckdb")
        assert _duckdb_rows(con, rewritten) == _duckdb_rows(con, original), sql


def test_the_engine_is_selected_per_deployment(monkeypatch):
    """CARBON_ENGINE and CARBON_SPARK_MASTER are read into the deployment's settings (then the engine
    resource); engine_for builds the engine named, and reads no environment itself."""
    monkeypatch.delenv("CARBON_ENGINE", raising=False)
    assert load_settings().engine == "duckdb"
    assert isinstance(engine_for(load_settings().engine), DuckDBEngine)
    monkeypatch.setenv("CARBON_ENGINE", "Spark")
    monkeypatch.setenv("CARBON_SPARK_MASTER", "spark://cluster:7077")
    settings = load_settings()
    assert settings.engine == "spark"
    engine = engine_for(settings.engine, spark_master=settings.spark_master)
    assert isinstance(engine, SparkWarehouseEngine) and engine.master == "spark://cluster:7077"
    monkeypatch.setenv("CARBON_ENGINE", "duckdb")
    assert isinstance(engine_for("spark"), SparkWarehouseEngine)  # the name given, not the environment
    with pytest.raises(ValueError, match="CARBON_ENGINE='trino'.*duckdb, spark"):
        engine_for("trino")
