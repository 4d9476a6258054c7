"""Every source kind is one folder whose declaration drives everything generated from it: config keys, the raw
asset and its checks, the re-sync job, and the raw inputs of the transform it feeds."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest
import yaml

from carbon_pipeline import transforms
from carbon_pipeline.definitions import build_definitions
from carbon_pipeline.errors import ConfigError
from carbon_pipeline.orchestration.keys import raw_asset_key, transform_key
from carbon_pipeline.settings import Settings
from carbon_pipeline.sources import registry
from carbon_pipeline.sources.sources_file import load_sources_file
from carbon_pipeline.warehouse.sql_models import model_parameters, model_sql, run_model, sql_root

SOURCES = Path(registry.__file__).parent
KINDS = registry.source_kinds()


def test_every_kind_folder_declares_its_kind_and_every_kind_has_a_folder():
    folders = {p.parent.name for p in SOURCES.glob("*/reader.py")}
    assert folders == set(KINDS) and len(KINDS) >= 8


@pytest.mark.parametrize("name", sorted(KINDS))
def test_a_kinds_declaration_names_sql_that_exists_and_a_transform_that_exists(name):
    kind = KINDS[name]
    assert kind.name == name and kind.description and kind.sql
    for model in kind.sql:
        assert (sql_root() / f"{model}.sql").is_file(), model
    assert kind.feeds in {t.table for t in transforms.TRANSFORMS}
    freshness = model_sql("checks/source_freshness")
    assert model_parameters(freshness) <= {"source_kind", "as_of", "start", "end", *kind.calendar.as_params()}


@pytest.mark.parametrize("name", sorted(KINDS))
def test_a_kinds_delivery_calendar_is_what_the_freshness_check_applies(name):
    """A source of the kind delivered up to 2025-01 is missing February once its calendar says February was due
    and the tolerance passed, not a day earlier."""
    calendar = KINDS[name].calendar
    con = duckdb.connect()
    con.execute("CREATE SCHEMA raw")
    con.execute(
        """CREATE TABLE raw.deliveries AS SELECT 'src' AS source_id, ? AS source_kind,
           DATE '2025-01-01' AS period_month, 'loaded' AS status""",
        [name],
    )
    due = date(2025, 2 + calendar.due_after_months + calendar.tolerated_months, calendar.due_day)

    def missing(as_of: date) -> list:
        params = {"source_kind": name, "as_of": as_of, "start": date(1, 1, 1), "end": date(9999, 12, 1)}
        return run_model(con, "checks/source_freshness", **params, **calendar.as_params()).fetchall()

    assert missing(date.fromordinal(due.toordinal() - 1)) == []
    assert [row[0] for row in missing(due)] == ["src"]


def test_the_definitions_have_each_kinds_raw_asset_checks_and_resync_job(tmp_path):
    sources = tmp_path / "sources.yaml"
    sources.write_text(yaml.safe_dump({"sources": []}))
    defs = build_definitions(
        Settings(sources_file=sources, warehouse=tmp_path / "w.duckdb", serving=tmp_path / "s.duckdb", uses_demo=False)
    )
    graph = defs.resolve_asset_graph()
    checks = {(key.asset_key, key.name) for key in graph.asset_check_keys}
    for name, kind in KINDS.items():
        key = raw_asset_key(name)
        assert graph.get(key).is_partitioned
        expected = {"rows_match_deliveries", "source_freshness", *(c.name for c in kind.contracts)}
        assert {(key, check) for check in expected} <= checks
        assert defs.resolve_job_def(f"{name}_resync_job")
        assert key in graph.get(transform_key(kind.feeds)).parent_keys


def test_a_key_the_kind_does_not_declare_is_refused_naming_it(tmp_path):
    sources = tmp_path / "sources.yaml"
    sources.write_text(
        yaml.safe_dump({"sources": [{"id": "c", "kind": "aws_carbon", "uri": "x", "raw_line_items": "copy"}]})
    )
    with pytest.raises(ConfigError, match="unknown key 'raw_line_items' for kind 'aws_carbon'"):
        load_sources_file(sources)
    sources.write_text(
        yaml.safe_dump({"sources": [{"id": "c", "kind": "aws_cur", "uri": "x", "raw_line_items": "copy"}]})
    )
    assert load_sources_file(sources).sources[0].options == {"raw_line_items": "copy"}
