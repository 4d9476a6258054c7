"""One way to validate rows (docs/architecture.md, "Validating rows"): every ``__invalid`` companion model is
declared by the source kinds that use it, returns the declared columns, guards a staging model beside it, and
is the only place a "value ... is not ..." message comes from; no model reports a cell through an error()
string for Python to parse back."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import sqlglot

import carbon_pipeline
from carbon_pipeline.sources import registry
from carbon_pipeline.sources.validation import INVALID_COLUMNS
from carbon_pipeline.warehouse.sql_models import model_sql, sql_root, strip_comments

PACKAGE = Path(carbon_pipeline.__file__).resolve().parent
KINDS = registry.source_kinds()
COMPANIONS = sorted(f"staging/{p.stem}" for p in (sql_root() / "staging").glob("*__invalid.sql"))


def test_every_companion_model_is_declared_by_a_kind_and_every_declared_one_exists():
    declared = {model for kind in KINDS.values() for model in kind.validation}
    assert declared == set(COMPANIONS)
    for kind in KINDS.values():
        assert not [m for m in kind.sql if m.endswith("__invalid")], f"{kind.name}: declare it in validation="


def test_every_companion_model_returns_the_declared_columns_and_guards_a_staging_model_beside_it():
    staging = {f"staging/{p.stem}" for p in (sql_root() / "staging").glob("*.sql")}
    for model in COMPANIONS:
        tree = sqlglot.parse_one(strip_comments(model_sql(model)), read="duckdb")
        assert tuple(tree.named_selects) == INVALID_COLUMNS, model
        # <model>__invalid guards the rows <model> reads; <model>_contract__invalid the month of rows it staged,
        # before the raw stage commits (a kind's before_commit)
        guarded = model.removesuffix("__invalid").removesuffix("_contract")
        # activity_rows__invalid guards the five activity_<template> models, which all stage `staged_activity`
        assert guarded in staging or model == "staging/activity_rows__invalid", model


def test_no_model_reports_a_cell_through_an_error_string():
    for path in sql_root().rglob("*.sql"):
        text = strip_comments(path.read_text(encoding="utf-8"))
        for start in (m.end() for m in re.finditer(r"(?<![\w.])error\(", text, flags=re.IGNORECASE)):
            # a constant message only: nothing concatenated onto it for Python to read back
            assert re.match(r"\s*'[^']*'\s*\)", text[start:]), f"{path.name}: error({text[start : start + 80]}"


def _value_messages(path: Path) -> list[int]:
    """Lines building an f-string that starts with ``value `` (the shape of a bad-cell message)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.JoinedStr)
        and node.values
        and isinstance(node.values[0], ast.Constant)
        and str(node.values[0].value).startswith("value ")
    ]


def test_only_the_validation_module_words_a_bad_cell():
    wording = {str(p.relative_to(PACKAGE)): _value_messages(p) for p in sorted(PACKAGE.rglob("*.py"))}
    assert [path for path, lines in wording.items() if lines] == ["sources/validation.py"]
