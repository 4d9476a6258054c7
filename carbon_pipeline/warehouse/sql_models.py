"""The SQL models live as plain DuckDB SQL files in ``dbt_like_sql/`` at the repository root, installed as
``carbon_pipeline/sql/``.

A model is one SELECT (or, for ``schema/``, DDL) with named ``$parameters``; values are always bound,
never formatted into the text. The runner, not the model, decides where the rows go, as in dbt.
"""

from __future__ import annotations

import os
import re
from functools import cache
from pathlib import Path
from typing import Any

import duckdb

_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


def sql_root() -> Path:
    """Where the models are: CARBON_SQL_DIR when set; else inside the installed package (a wheel ships
    dbt_like_sql/ as carbon_pipeline/sql/, see setup.py); else the checkout's dbt_like_sql/ beside the package
    (an editable install). Plain files either way, so another engine can be handed the same SQL."""
    override = os.environ.get("CARBON_SQL_DIR")
    package = Path(__file__).resolve().parents[1]
    candidates = [Path(override)] if override else [package / "sql", package.parent / "dbt_like_sql"]
    for root in candidates:
        if (root / "schema").is_dir():
            return root
    raise FileNotFoundError(f"SQL models not found at {' or '.join(map(str, candidates))}: reinstall the package")


@cache
def _read(path: str) -> str:
    return Path(path).read_text(encoding="utf-8")


def model_sql(name: str) -> str:
    """The text of model ``name`` (e.g. ``"marts/scope_summary"``)."""
    return _read(str(sql_root() / f"{name}.sql"))


def model_parameters(sql: str) -> set[str]:
    return set(_PARAM.findall(_strip_comments(sql)))


def _strip_comments(sql: str) -> str:
    return re.sub(r"--[^\n]*", "", sql)


def strip_comments(sql: str) -> str:
    """A model's text without its ``--`` comments, to nest it in a larger statement (a comment would
    swallow whatever follows it on the line)."""
    return _strip_comments(sql)


def bind(sql: str, params: dict[str, Any]) -> dict[str, Any]:
    """The subset of ``params`` the model uses; a parameter the model needs but is not given is an
    error here rather than a confusing DuckDB binder message."""
    wanted = model_parameters(sql)
    missing = wanted - params.keys()
    if missing:
        raise KeyError(f"SQL model needs parameter(s) {sorted(missing)}")
    return {name: params[name] for name in wanted}


def run_model(con: duckdb.DuckDBPyConnection, name: str, **params: Any) -> duckdb.DuckDBPyConnection:
    sql = model_sql(name)
    return con.execute(sql, bind(sql, params))


def insert_model(con: duckdb.DuckDBPyConnection, table: str, name: str, **params: Any) -> int:
    """Append the rows of model ``name`` to ``table`` (by column name) and return how many."""
    sql = model_sql(name)
    # DuckDB answers an INSERT with the number of rows it wrote.
    return con.execute(f"INSERT INTO {table} BY NAME ({_strip_comments(sql)})", bind(sql, params)).fetchall()[0][0]


def insert_model_over(
    con: duckdb.DuckDBPyConnection, table: str, name: str, *, reading: str, as_rows_of: str, **params: Any
) -> int:
    """Append the rows of model ``name``, whose ``reading`` is the rows of model ``as_rows_of``, in one
    statement: the inner model's rows stream into the outer one and are never stored (a CUR object's
    typed line items into their ledger-grain groups). Both models' parameters are bound."""
    outer, inner = model_sql(name), model_sql(as_rows_of)
    statement = (
        f"INSERT INTO {table} BY NAME "
        f"(WITH {reading} AS ({_strip_comments(inner)}) SELECT * FROM ({_strip_comments(outer)}))"
    )
    return con.execute(statement, {**bind(inner, params), **bind(outer, params)}).fetchall()[0][0]


def insert_union(con: duckdb.DuckDBPyConnection, table: str, parts: list[tuple[str, dict[str, Any]]]) -> int:
    """Append the rows of several SELECTs (each with its own parameters) in ONE statement, ``UNION ALL BY
    NAME``, and return how many. Why one statement: DuckDB runs the parts of a union side by side on its
    threads when the insert need not keep their order, so the objects of a CUR delivery (one gzip stream
    each, which a single thread must inflate) are read in parallel. Each part's parameters are renamed
    ``$name__<part>`` so that parts binding the same name to different values (the object key) stay apart."""
    texts: list[str] = []
    bound: dict[str, Any] = {}
    for index, (sql, params) in enumerate(parts):
        text = _strip_comments(sql)
        bound.update({f"{name}__{index}": value for name, value in bind(text, params).items()})
        texts.append("(" + _PARAM.sub(lambda match, i=index: f"${match.group(1)}__{i}", text) + ")")
    statement = f"INSERT INTO {table} BY NAME (" + " UNION ALL BY NAME ".join(texts) + ")"
    return con.execute(statement, bound).fetchall()[0][0]


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _temp_name(name: str) -> str:
    if not _NAME.fullmatch(name):
        raise ValueError(f"not a temp table or view name: {name!r}")
    return name


def stage_model(con: duckdb.DuckDBPyConnection, name: str, model: str, **params: Any) -> int:
    """Replace the temp table ``name`` with the rows of model ``model`` (parameters bound) and return how many:
    how a reader keeps an object's typed rows between validating them and writing them where they belong."""
    sql = model_sql(model)
    con.execute(f"CREATE OR REPLACE TEMP TABLE {_temp_name(name)} AS {_strip_comments(sql)}", bind(sql, params))
    return con.execute(f"SELECT COUNT(*) FROM {name}").fetchall()[0][0]


def view_model(con: duckdb.DuckDBPyConnection, name: str, model: str) -> None:
    """Replace the temp view ``name`` with model ``model``, which takes no parameters (a view keeps no bound
    values): a parsing step that later models read, computed as they read it."""
    sql = model_sql(model)
    if model_parameters(sql):
        raise ValueError(f"{model}.sql takes parameters: stage it (stage_model) instead of viewing it")
    con.execute(f"CREATE OR REPLACE TEMP VIEW {_temp_name(name)} AS {_strip_comments(sql)}")
