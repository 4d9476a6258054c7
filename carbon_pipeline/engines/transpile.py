"""The DuckDB SQL models, handed to another engine through sqlglot.

The models stay the single source of truth, written for DuckDB. For another engine a model is parsed
once, its ``$parameters`` are replaced by literals in the syntax tree (never by formatting text, so a
value cannot change the statement's structure), the warehouse's scalar macros are inlined, its tables
are renamed to the names the engine registers, and the tree is printed in the target dialect.

Only a handful of rewrites are needed beyond what sqlglot does itself, each because the DuckDB function
has no same-named equivalent in Spark: ``suffix`` (ENDSWITH), multi-column ``GROUPING`` (Spark's
``grouping_id`` has DuckDB's bit order), ``json_valid`` and ``quantile_cont`` (Spark's exact
``percentile``). Constructs that cannot be transpiled faithfully (``UNION ALL BY NAME``,
``COUNT(DISTINCT ...) OVER``) were rewritten in the models themselves, in SQL both engines run.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import Any

import sqlglot
from sqlglot import exp

from carbon_pipeline.warehouse.sql_models import model_sql, sql_root

SOURCE_DIALECT = "duckdb"

# CREATE [OR REPLACE] MACRO schema.name(a, b) AS <expression>;  (scalar macros only)
_MACRO = re.compile(
    r"CREATE\s+(?:OR\s+REPLACE\s+)?MACRO\s+([A-Za-z_][\w]*)\.([A-Za-z_][\w]*)\s*\(([^)]*)\)\s+AS\s+(?!TABLE\b)(.*?);",
    re.IGNORECASE | re.DOTALL,
)


class TranspileError(ValueError):
    """A model that cannot be handed to the target engine; the message names the model."""


@dataclass(frozen=True)
class Macro:
    schema: str
    name: str
    parameters: tuple[str, ...]
    body: exp.Expression


@cache
def warehouse_macros() -> dict[tuple[str, str], Macro]:
    """The scalar macros the schema files define (e.g. ``factors.aws_instance_type_of``): another engine
    has no such catalogue object, so a call is replaced by the macro's expression."""
    macros: dict[tuple[str, str], Macro] = {}
    for path in sorted((sql_root() / "schema").glob("*.sql")):
        text = re.sub(r"--[^\n]*", "", path.read_text(encoding="utf-8"))
        for schema, name, params, body in _MACRO.findall(text):
            parameters = tuple(p.strip() for p in params.split(",") if p.strip())
            macros[(schema.lower(), name.lower())] = Macro(
                schema, name, parameters, sqlglot.parse_one(body, read=SOURCE_DIALECT)
            )
    return macros


def literal(value: Any) -> exp.Expression:
    """A Python value as a typed SQL literal node."""
    if value is None:
        return exp.Null()
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, int | float | Decimal):
        return exp.Literal.number(value)
    if isinstance(value, datetime):
        return exp.cast(exp.Literal.string(value.isoformat(sep=" ")), exp.DataType.Type.TIMESTAMP)
    if isinstance(value, date):
        return exp.cast(exp.Literal.string(value.isoformat()), exp.DataType.Type.DATE)
    if isinstance(value, str):
        return exp.Literal.string(value)
    raise TranspileError(f"cannot bind a {type(value).__name__} as a SQL literal: {value!r}")


def parse_model(name: str) -> exp.Expression:
    try:
        return sqlglot.parse_one(model_sql(name), read=SOURCE_DIALECT)
    except sqlglot.errors.ParseError as exc:
        raise TranspileError(f"dbt_like_sql/{name}.sql does not parse as DuckDB SQL: {exc}") from exc


def bind_parameters(tree: exp.Expression, params: Mapping[str, Any], *, model: str = "?") -> exp.Expression:
    """Replace every ``$name`` placeholder by the literal of ``params[name]``; a missing one is an error
    naming the model, as sql_models.bind does for DuckDB."""
    missing = sorted({p.name for p in tree.find_all(exp.Placeholder)} - params.keys())
    if missing:
        raise TranspileError(f"dbt_like_sql/{model}.sql needs parameter(s) {missing}")

    def _bind(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Placeholder):
            return literal(params[node.name])
        return node

    return tree.transform(_bind)


def inline_macros(tree: exp.Expression, macros: Mapping[tuple[str, str], Macro] | None = None) -> exp.Expression:
    macros = warehouse_macros() if macros is None else macros

    def _inline(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Dot) and isinstance(node.expression, exp.Anonymous):
            key = (node.this.name.lower(), node.expression.name.lower())
            macro = macros.get(key)
            if macro is None:
                return node
            args = node.expression.expressions
            if len(args) != len(macro.parameters):
                raise TranspileError(f"macro {macro.schema}.{macro.name} takes {len(macro.parameters)} arguments")
            bound = dict(zip((p.lower() for p in macro.parameters), args, strict=True))

            def _arg(inner: exp.Expression) -> exp.Expression:
                if isinstance(inner, exp.Column) and not inner.table and inner.name.lower() in bound:
                    return bound[inner.name.lower()].copy()
                return inner

            return exp.paren(macro.body.copy().transform(_arg), copy=False)
        return node

    return tree.transform(_inline)


def cte_names(tree: exp.Expression) -> set[str]:
    return {cte.alias_or_name.lower() for cte in tree.find_all(exp.CTE)}


def referenced_tables(tree: exp.Expression) -> set[str]:
    """The ``schema.table`` names a model reads (its CTEs excluded)."""
    ctes = cte_names(tree)
    names = set()
    for table in tree.find_all(exp.Table):
        if table.db:
            names.add(f"{table.db}.{table.name}".lower())
        elif table.name.lower() not in ctes:
            names.add(table.name.lower())
    return names


def flat_name(qualified: str) -> str:
    """``raw.aws_cur_line_items`` -> ``raw__aws_cur_line_items``: the temporary view an engine registers
    (Spark's temporary views have no schema)."""
    return qualified.replace(".", "__")


def rename_tables(tree: exp.Expression, rename: Callable[[str], str] = flat_name) -> exp.Expression:
    def _rename(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Table) and node.db:
            alias = node.args.get("alias")
            new = exp.to_table(rename(f"{node.db}.{node.name}"))
            # keep ``raw.t`` columns qualified as ``t`` resolvable: alias the renamed table by its old name
            new.set("alias", alias.copy() if alias else exp.TableAlias(this=exp.to_identifier(node.name)))
            return new
        return node

    return tree.transform(_rename)


def _is_plain_scalar_subquery(node: exp.Expression) -> bool:
    """A ``(SELECT x FROM ...)`` used as a value: one column, no aggregate, no GROUP BY, not a derived
    table, IN list, EXISTS or set operation."""
    if not isinstance(node, exp.Subquery) or node.alias or not isinstance(node.this, exp.Select):
        return False
    if isinstance(node.parent, exp.From | exp.Join | exp.In | exp.Exists | exp.CTE | exp.SetOperation | exp.Lateral):
        return False
    select = node.this
    if len(select.expressions) != 1 or select.args.get("group") or select.args.get("limit"):
        return False
    return select.expressions[0].find(exp.AggFunc) is None and not isinstance(select.expressions[0], exp.Star)


def _lateral_unnest_to_view(select: exp.Select) -> None:
    """``CROSS JOIN LATERAL (SELECT unnest(list) AS x) AS m`` -> ``LATERAL VIEW explode(list) m AS x``: Spark
    does not take a generator inside a lateral subquery. Only as the last join (Spark applies lateral
    views after every join)."""
    joins = select.args.get("joins") or []
    for position, join in enumerate(joins):
        lateral = join.this
        if not (isinstance(lateral, exp.Lateral) and isinstance(lateral.this, exp.Subquery)):
            continue
        inner = lateral.this.this
        if not isinstance(inner, exp.Select) or inner.args.get("from_") or len(inner.expressions) != 1:
            continue
        projection = inner.expressions[0]
        generator = projection.this if isinstance(projection, exp.Alias) else projection
        if not isinstance(generator, exp.Explode | exp.Unnest) or join.args.get("on"):
            continue
        if position != len(joins) - 1:
            raise TranspileError("a LATERAL unnest that is not the last join does not transpile to Spark")
        alias = lateral.args.get("alias")
        view = exp.Lateral(
            this=exp.Explode(this=generator.this.copy()),
            view=True,
            outer=False,
            alias=exp.TableAlias(
                this=exp.to_identifier(alias.name if alias else "u"),
                columns=[exp.to_identifier(projection.alias_or_name)],
            ),
        )
        select.set("joins", joins[:position] or None)
        select.set("laterals", [*(select.args.get("laterals") or []), view])
        return


def _spark_functions(tree: exp.Expression) -> exp.Expression:
    """DuckDB functions that Spark spells differently and sqlglot passes through unchanged."""

    def _rewrite(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Anonymous):
            name = node.name.lower()
            args = node.expressions
            if name in ("suffix", "ends_with") and len(args) == 2:
                return exp.EndsWith(this=args[0], expression=args[1])
            if name in ("prefix", "starts_with") and len(args) == 2:
                return exp.StartsWith(this=args[0], expression=args[1])
            if name == "json_valid" and len(args) == 1:
                # Spark's JSON functions answer NULL for text that is not JSON (DuckDB's raise, hence the guard)
                return exp.Not(
                    this=exp.Is(
                        this=exp.func("GET_JSON_OBJECT", args[0], exp.Literal.string("$")), expression=exp.Null()
                    )
                )
        if isinstance(node, exp.PercentileCont) and not isinstance(node.parent, exp.WithinGroup):
            # quantile_cont(x, p): Spark's exact, linearly interpolated quantile is percentile(x, p) (sqlglot
            # would print PERCENTILE_CONT(x, p), which Spark does not take, or the approximate one)
            return exp.Quantile(this=node.this.copy(), quantile=node.expression.copy())
        if isinstance(node, exp.GroupConcat) and isinstance(node.this, exp.Order):
            # string_agg(x, sep ORDER BY k): Spark 3.5 has no ordered string aggregate; sort (k, x) pairs
            order = node.this
            keys = [o.this for o in order.expressions]
            separator = node.args.get("separator") or exp.Literal.string(",")
            pairs = ", ".join(
                [f"{key.sql('spark')} AS k{i}" for i, key in enumerate(keys)] + [f"{order.this.sql('spark')} AS v"]
            )
            return sqlglot.parse_one(
                f"ARRAY_JOIN(TRANSFORM(ARRAY_SORT(COLLECT_LIST(STRUCT({pairs}))), s -> s.v), {separator.sql('spark')})",
                read="spark",
            )
        if isinstance(node, exp.CTE) and node.args.get("materialized") is not None:
            # DuckDB's [NOT] MATERIALIZED hint (a CTE recomputed rather than spilled, marts/uncertainty_ranges.sql):
            # Spark has no such syntax; the engine itself decides which CTEs it computes once (spark_engine.py)
            node.set("materialized", None)
            return node
        if isinstance(node, exp.Select):
            _lateral_unnest_to_view(node)
        if _is_plain_scalar_subquery(node):
            # Spark wants a correlated scalar subquery aggregated; a lookup that finds at most one row (DuckDB
            # raises on more) has the same value under MAX
            select = node.this
            projection = select.expressions[0]
            value = projection.this if isinstance(projection, exp.Alias) else projection
            select.set("expressions", [exp.Max(this=value.copy())])
            return node
        if isinstance(node, exp.Grouping) and len(node.expressions) > 1:
            # DuckDB's GROUPING(a, b) is a bit mask, first argument most significant; Spark's grouping() takes
            # one column and its grouping_id() must name every grouping column, so spell out the bits
            count = len(node.expressions)
            bits = [
                exp.Mul(
                    this=exp.Grouping(expressions=[arg.copy()]), expression=exp.Literal.number(2 ** (count - 1 - i))
                )
                for i, arg in enumerate(node.expressions)
            ]
            total: exp.Expression = bits[0]
            for bit in bits[1:]:
                total = exp.Add(this=total, expression=bit)
            return exp.paren(total, copy=False)
        return node

    return tree.transform(_rewrite)


_DIALECT_REWRITES: dict[str, Callable[[exp.Expression], exp.Expression]] = {"spark": _spark_functions}


def model_tree(name: str, params: Mapping[str, Any], dialect: str, *, rename: bool = True) -> exp.Expression:
    """The bound, macro-free syntax tree of model ``name`` for ``dialect``."""
    tree = parse_model(name)
    tree = bind_parameters(tree, params, model=name)
    tree = inline_macros(tree)
    if rename:
        tree = rename_tables(tree)
    rewrite = _DIALECT_REWRITES.get(dialect)
    return rewrite(tree) if rewrite else tree


def transpile_model(name: str, params: Mapping[str, Any], dialect: str = "spark", *, rename: bool = True) -> str:
    """Model ``name`` as one statement of ``dialect`` (sqlglot's names: spark, trino, duckdb ...), its
    parameters bound as literals; tables renamed to ``schema__table`` unless ``rename`` is False."""
    return tree_sql(model_tree(name, params, dialect, rename=rename), name, dialect)


def replace_table(tree: exp.Expression, name: str, replacement: str, *, copy: bool = True) -> exp.Expression:
    """Every reference to the unqualified table (or CTE) ``name`` read from ``replacement`` instead, under
    its old name or alias; in ``tree`` itself when ``copy`` is False."""

    def _replace(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Table) and not node.db and node.name.lower() == name.lower():
            alias = node.args.get("alias")
            new = exp.to_table(replacement)
            new.set("alias", alias.copy() if alias else exp.TableAlias(this=exp.to_identifier(node.name)))
            return new
        return node

    return tree.transform(_replace, copy=copy)


def tree_sql(tree: exp.Expression, name: str, dialect: str) -> str:
    """The statement text of a prepared model tree in ``dialect``, refusing what the dialect lacks."""
    if dialect != SOURCE_DIALECT:
        for union in tree.find_all(exp.Union):
            if union.args.get("by_name"):
                raise TranspileError(
                    f"dbt_like_sql/{name}.sql uses UNION ... BY NAME, which {dialect} does not have: name the columns"
                )
        for window in tree.find_all(exp.Window):
            if isinstance(window.this, exp.AggFunc) and window.this.find(exp.Distinct):
                raise TranspileError(
                    f"dbt_like_sql/{name}.sql uses DISTINCT in a window ({window.sql(SOURCE_DIALECT)}), "
                    f"which {dialect} does not allow: count in a GROUP BY and join"
                )
    try:
        return tree.sql(dialect=dialect, unsupported_level=sqlglot.ErrorLevel.RAISE, comments=False)
    except sqlglot.errors.UnsupportedError as exc:
        raise TranspileError(f"dbt_like_sql/{name}.sql cannot be transpiled to {dialect}: {exc}") from exc


def model_inputs(names: Iterable[str]) -> set[str]:
    """Every ``schema.table`` the models read."""
    tables: set[str] = set()
    for name in names:
        tables |= referenced_tables(parse_model(name))
    return tables
