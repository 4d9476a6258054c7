"""Running the transform models on Apache Spark (docs/spark.md).

Spark never sees the DuckDB file: the warehouse hands over the tables the models read as Parquet, Spark
runs each model (transpiled by carbon_pipeline.engines.transpile) and writes every target table as Parquet,
and the rows land back in the warehouse, which stays the one place BI tools are served from. pyspark is
an optional dependency (extra ``spark``): it is imported only when a Spark session is asked for.
"""

from __future__ import annotations

import re
import tempfile
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlglot import exp

from carbon_pipeline.engines.tables import TransformTable
from carbon_pipeline.engines.transpile import TranspileError, flat_name, model_tree, replace_table, tree_sql

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

DEFAULT_MASTER = "local[2]"
# The models' long CASE and || chains are deep expression trees: Java serialises them recursively.
STACK = "-Xss16m"
# A local session's JVM is the whole engine and lives for one transform of month aggregates (seconds to minutes):
# Java's optimising compiler and parallel collector then cost more CPU than they save (docs/performance.md,
# Profile 26). A cluster's executors keep Java's defaults.
LOCAL_JVM = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"
MAX_RECURSION_ROUNDS = 100

_SIMPLE_TYPES = {
    "VARCHAR": "string",
    "DATE": "date",
    "BIGINT": "bigint",
    "INTEGER": "int",
    "SMALLINT": "smallint",
    "DOUBLE": "double",
    "FLOAT": "float",
    "BOOLEAN": "boolean",
    "TIMESTAMP": "timestamp_ntz",
    "TIMESTAMP WITH TIME ZONE": "timestamp",
}
_DECIMAL = re.compile(r"DECIMAL\((\d+),\s*(\d+)\)")


def spark_type(duckdb_type: str) -> str:
    """The Spark SQL type a DuckDB column type is written as; anything else is an error naming the type."""
    found = _DECIMAL.fullmatch(duckdb_type)
    if found:
        return f"decimal({found.group(1)},{found.group(2)})"
    if duckdb_type in _SIMPLE_TYPES:
        return _SIMPLE_TYPES[duckdb_type]
    raise TypeError(f"no Spark type for the DuckDB type {duckdb_type}")


def driver_java_options(master: str) -> str:
    """The driver JVM's options: a local session's (the driver is the whole engine) also trades Java's optimising
    compiler and parallel collector for less CPU (LOCAL_JVM)."""
    return f"{STACK} {LOCAL_JVM}" if master.startswith("local") else STACK


def spark_session(master: str | None = None, *, app_name: str = "carbon_pipeline") -> SparkSession:
    """A Spark session sized for the transform: few shuffle partitions (the tables are months of
    aggregates, not billions of rows), UTC, no UI. ``master``: local[N] (default local[2]) or a cluster
    URL such as spark://host:7077 whose executors see the same Parquet paths."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:  # pragma: no cover - depends on the installed extras
        raise RuntimeError("CARBON_ENGINE=spark needs pyspark: pip install -e '.[spark]' (docs/spark.md)") from exc
    master = master or DEFAULT_MASTER
    session = (
        SparkSession.builder.master(master)
        .appName(app_name)
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.default.parallelism", "2")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.ansi.enabled", "false")
        .config("spark.driver.memory", "2g")
        .config("spark.ui.showConsoleProgress", "false")
        # no catalogue tables are made (temporary views only): keep Spark's default folder out of the checkout
        .config("spark.sql.warehouse.dir", str(Path(tempfile.gettempdir()) / "carbon-spark-warehouse"))
        .config("spark.driver.extraJavaOptions", driver_java_options(master))
        .config("spark.executor.extraJavaOptions", STACK)
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    return session


def _unqualified_reads(part: exp.Expression) -> Counter[str]:
    """How many times ``part`` reads each unqualified name (a CTE, or a table renamed ``schema__table``)."""
    return Counter(t.name.lower() for t in part.find_all(exp.Table) if not t.db)


def _ctes_read_by(select: exp.Expression, ctes: Sequence[exp.Expression]) -> list[exp.Expression]:
    """The CTEs of ``ctes`` (in their order) that ``select`` reads, directly or through one another."""
    wanted = set(_unqualified_reads(select))
    needed = []
    for cte in reversed(ctes):
        if cte.alias_or_name.lower() in wanted:
            needed.append(cte)
            wanted |= set(_unqualified_reads(cte.this))
    return needed[::-1]


class SparkEngine:
    """Materialises transform tables on Spark over Parquet inputs."""

    name = "spark"

    def __init__(self, session: SparkSession) -> None:
        self.session = session
        self._views: set[str] = set()

    def _view(self, frame: DataFrame, name: str) -> None:
        frame.createOrReplaceTempView(name)
        self._views.add(name)

    def release(self) -> None:
        """Drop the views this engine registered and the data they pinned: one session serves many asset
        runs in a process, and checkpointed frames would otherwise stay in the driver's memory."""
        for name in sorted(self._views):
            self.session.catalog.dropTempView(name)
        self._views.clear()
        self.session.catalog.clearCache()

    def register(self, table: str, parquet: Path) -> None:
        """Make ``parquet`` readable as ``table`` (``schema.table``) by the transpiled models."""
        self._view(self.session.read.parquet(str(parquet)), flat_name(table))

    def _sql(self, sql: str, model: str) -> DataFrame:
        try:
            return self.session.sql(sql)
        except Exception as exc:  # Spark's AnalysisException and friends: say which model, first line only
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise TranspileError(f"Spark rejected dbt_like_sql/{model}.sql: {first}") from exc

    def model_frame(self, model: str, params: Mapping[str, Any]) -> DataFrame:
        tree = model_tree(model, params, "spark")
        tree = self._materialise_recursive_ctes(tree, model)
        tree = self._materialise_shared_ctes(tree, model)
        return self._sql(tree_sql(tree, model, "spark"), model)

    def _cte_frame(
        self, select: exp.Expression, before: Sequence[exp.Expression], columns: Sequence[str] | None, model: str
    ) -> DataFrame:
        """``select`` (a CTE's body) run with the CTEs ``before`` it, its columns named as the CTE names them."""
        query = select.copy()
        if before:
            query.set("with_", exp.With(expressions=[c.copy() for c in before]))
        frame = self._sql(tree_sql(query, model, "spark"), model)
        return frame.toDF(*columns) if columns else frame

    @staticmethod
    def _cte_columns(cte: exp.Expression) -> list[str] | None:
        alias = cte.args.get("alias")
        return [c.name for c in alias.columns] if alias is not None and alias.columns else None

    @staticmethod
    def _read_view_for_cte(tree: exp.Expression, position: int, name: str, view: str) -> exp.Expression:
        """``tree`` without its CTE at ``position``, every reference to ``name`` reading ``view`` instead."""
        tree = tree.copy()
        remaining = [c for i, c in enumerate(tree.args["with_"].expressions) if i != position]
        if remaining:
            tree.args["with_"].set("expressions", remaining)
        else:
            tree.set("with_", None)
        return replace_table(tree, name, view)

    def _materialise_shared_ctes(self, tree: exp.Expression, model: str) -> exp.Expression:
        """Spark 3.5 inlines a CTE at every reference, so a CTE read twice is planned and computed twice, and
        so is everything it reads: the plan of marts/uncertainty_ranges.sql, whose draws are counted into
        bins and then read again for the wanted bins, grew until Catalyst took a minute over three activities.
        DuckDB computes such a CTE once; here each CTE read by two or more later parts of the model is
        computed once, checkpointed, and read as a temporary view.

        One pass over one copy of the tree (Profile 21): a model's parts are walked once to count who reads
        what, a shared CTE's frame carries only the earlier CTEs it reads, and the later parts are pointed at
        its view in place (``replace_table`` without a copy). Copying the whole tree per shared CTE and handing
        Spark every earlier CTE each time had cost more than Spark's own work on the demo
        (emissions/activity_emissions.sql has nine)."""
        if tree.args.get("with_") is None:
            return tree
        tree = tree.copy()
        ctes = list(tree.args["with_"].expressions)
        tree.set("with_", None)  # ``tree`` is now the main query; the CTEs that stay go back at the end
        parts = [cte.this for cte in ctes] + [tree]
        reads = [_unqualified_reads(part) for part in parts]
        kept: list[exp.Expression] = []
        for position, cte in enumerate(ctes):
            name = cte.alias_or_name.lower()
            if sum(counted[name] for counted in reads[position + 1 :]) < 2:
                kept.append(cte)
                continue
            before = _ctes_read_by(cte.this, kept)
            frame = self._cte_frame(cte.this, before, self._cte_columns(cte), model)
            view = f"shared__{flat_name(model.replace('/', '.'))}__{name}"
            self._view(frame.localCheckpoint(), view)
            for part in parts[position + 1 :]:
                replace_table(part, name, view, copy=False)
        if kept:
            tree.set("with_", exp.With(expressions=kept))
        return tree

    def _materialise_recursive_ctes(self, tree: exp.Expression, model: str) -> exp.Expression:
        """Spark 3.5 has no WITH RECURSIVE: each recursive CTE (``anchor UNION ALL step``) is evaluated
        here as DuckDB does it, the step applied to the previous round's rows until a round adds none, and
        the model then reads the result as a temporary view."""
        with_ = tree.args.get("with_")
        if with_ is None or not with_.args.get("recursive"):
            return tree
        for position, cte in enumerate(with_.expressions):
            name = cte.alias_or_name
            body = cte.this
            if not any(not t.db and t.name.lower() == name.lower() for t in body.find_all(exp.Table)):
                continue
            if not isinstance(body, exp.Union) or body.args.get("distinct"):
                raise TranspileError(f"dbt_like_sql/{model}.sql: recursive CTE {name} is not anchor UNION ALL step")
            anchor, step = body.this, body.expression
            if any(not t.db and t.name.lower() == name.lower() for t in anchor.find_all(exp.Table)):
                raise TranspileError(f"dbt_like_sql/{model}.sql: the anchor of recursive CTE {name} reads itself")
            before = with_.expressions[:position]
            columns = self._cte_columns(cte)
            view = f"recursive__{flat_name(model.replace('/', '.'))}__{name}"
            delta = self._cte_frame(anchor, before, columns, model).localCheckpoint()
            total = delta
            for _ in range(MAX_RECURSION_ROUNDS):
                if delta.isEmpty():
                    break
                self._view(delta, f"{view}__delta")
                delta = self._cte_frame(replace_table(step, name, f"{view}__delta"), before, columns, model)
                delta = delta.localCheckpoint()
                total = total.unionByName(delta)
            else:
                raise TranspileError(
                    f"dbt_like_sql/{model}.sql: recursive CTE {name} still adds rows "
                    f"after {MAX_RECURSION_ROUNDS} rounds"
                )
            self._view(total.localCheckpoint(), view)
            return self._materialise_recursive_ctes(self._read_view_for_cte(tree, position, name, view), model)
        tree = tree.copy()
        tree.args["with_"].set("recursive", False)
        return tree

    def table_frame(
        self, target: TransformTable, columns: Sequence[tuple[str, str]], params: Mapping[str, Any]
    ) -> DataFrame:
        """The rows of the target's models, appended by column name and cast to the warehouse columns
        (what ``INSERT INTO ... BY NAME`` does in DuckDB); a column the table does not have is an error."""
        from pyspark.sql import functions as F

        wanted = [name for name, _ in columns]
        ddl = ", ".join(f"`{name}` {spark_type(kind)}" for name, kind in columns)
        frames: list[DataFrame] = []
        for model in target.models:
            # a later model may read the rows the earlier ones of its table wrote (as it does in DuckDB, where
            # they are inserted one after the other in one transaction)
            so_far = self.session.createDataFrame([], ddl)
            for frame in frames:
                so_far = so_far.unionByName(frame)
            self._view(so_far, flat_name(target.table))
            frame = self.model_frame(model, params)
            extra = sorted(set(c.lower() for c in frame.columns) - set(wanted))
            if extra:
                raise TranspileError(f"dbt_like_sql/{model}.sql returns column(s) {extra} that {target.table} lacks")
            present = {c.lower() for c in frame.columns}
            frames.append(
                frame.select(
                    *[
                        (F.col(name) if name in present else F.lit(None)).cast(spark_type(kind)).alias(name)
                        for name, kind in columns
                    ]
                ).localCheckpoint()  # computed once, whether a later model reads it or not
            )
        result = frames[0]
        for frame in frames[1:]:
            result = result.unionByName(frame)
        return result

    def materialise(
        self,
        targets: Sequence[TransformTable],
        inputs: Mapping[str, Path],
        columns: Mapping[str, Sequence[tuple[str, str]]],
        out_dir: Path,
        start: date,
        end: date,
        params: Mapping[str, Any],
    ) -> dict[str, Path]:
        """Run ``targets`` in order over the Parquet ``inputs``; each table is written to
        ``out_dir/<schema>__<table>/`` and read back from there by the tables after it."""
        try:
            for table, path in inputs.items():
                self.register(table, path)
            bound = {**params, "start": start, "end": end}
            written: dict[str, Path] = {}
            for target in targets:
                path = out_dir / flat_name(target.table)
                self.table_frame(target, columns[target.table], bound).write.mode("overwrite").parquet(str(path))
                self.register(target.table, path)
                written[target.table] = path
            return written
        finally:
            self.release()
