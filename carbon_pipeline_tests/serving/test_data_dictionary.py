"""The data dictionary: every column of the contract's tables and of the bi views has a comment in the
serving file, and docs/data_dictionary.md (rendered from those comments by
carbon_pipeline/serving/dictionary.py) documents every served table, view and column."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

from carbon_pipeline.serving.publish import SERVED_TABLES

DOC = Path(__file__).resolve().parents[2] / "docs" / "data_dictionary.md"
REGENERATE = ".venv/bin/python -m carbon_pipeline.serving.dictionary <a demo serving.duckdb> docs/data_dictionary.md"


@pytest.fixture
def serving(built):
    con = duckdb.connect(str(built.settings.serving), read_only=True)
    yield con
    con.close()


def _documented() -> dict[str, dict[str, str]]:
    """object -> column -> meaning, parsed from the page's sections and tables."""
    objects: dict[str, dict[str, str]] = {}
    current = None
    for line in DOC.read_text(encoding="utf-8").splitlines():
        heading = re.match(r"### `([a-z_]+\.[a-z_0-9]+)`", line)
        if heading:
            current = objects.setdefault(heading.group(1), {})
        row = re.match(r"\| `([a-z_0-9]+)` \| [^|]+ \| (.*) \|$", line)
        if row and current is not None:
            current[row.group(1)] = row.group(2)
    return objects


def test_every_column_of_the_marts_and_the_bi_views_has_a_comment(serving):
    uncommented = serving.execute(
        """SELECT schema_name || '.' || table_name || '.' || column_name FROM duckdb_columns()
           WHERE schema_name IN ('marts', 'bi') AND COALESCE(comment, '') = ''"""
    ).fetchall()
    assert uncommented == []
    uncommented_tables = serving.execute(
        """SELECT schema_name || '.' || table_name FROM duckdb_tables() WHERE COALESCE(comment, '') = ''
           UNION ALL
           SELECT schema_name || '.' || view_name FROM duckdb_views()
           WHERE schema_name = 'bi' AND COALESCE(comment, '') = ''"""
    ).fetchall()
    assert uncommented_tables == []


def test_every_served_table_view_and_column_appears_in_the_page_with_its_comment(serving):
    documented = _documented()
    columns = serving.execute(
        """SELECT schema_name || '.' || table_name, column_name, COALESCE(comment, '') FROM duckdb_columns()
           WHERE NOT internal AND schema_name NOT IN ('main', 'information_schema', 'pg_catalog')"""
    ).fetchall()
    assert {name for name, _, _ in columns} >= {f"{s}.{t}" for s, t in SERVED_TABLES}
    for name, column, comment in columns:
        assert name in documented, f"{name} is missing from docs/data_dictionary.md; regenerate: {REGENERATE}"
        assert column in documented[name], f"{name}.{column} is not documented; regenerate: {REGENERATE}"
        if name.startswith(("marts.", "bi.")):
            assert documented[name][column] == comment, f"{name}.{column}: page and comment differ"


def test_the_page_is_exactly_what_the_generator_renders_from_the_serving_file(serving):
    """Hand edits to the generated page are lost at the next regeneration (a section on how to sum each view once
    was): anything the page says beyond the file's comments lives in the generator's HEADER or FOOTER."""
    from carbon_pipeline.serving.dictionary import render

    assert render(serving) == DOC.read_text(encoding="utf-8"), f"the page differs from its rendering; {REGENERATE}"
