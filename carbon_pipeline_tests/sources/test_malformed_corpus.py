"""Bad input, case by case (issue 3; the table is malformed_cases.py): each damaged delivery either fails the
real job with a message naming the source, the object and the row/column and leaves the warehouse exactly as
it was, or (where the data is usable) loads with the row kept and flagged, or is not an error at all.

A clean deployment is built and its March 2025 materialized once per session; each case runs on a copy of
it, so "before" is that clean run and "after" is the run over the damaged copy."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from carbon_pipeline.errors import ConfigError, SourceError
from carbon_pipeline.factors.catalogue import load_catalogue
from carbon_pipeline.runner import failure_messages, run_inventory
from carbon_pipeline.settings import Settings
from carbon_pipeline.sources.landing import LocalLanding
from carbon_pipeline.sources.registry import kind_of
from carbon_pipeline.sources.sources_file import load_sources_file
from carbon_pipeline.warehouse.connection import open_warehouse, transaction
from carbon_pipeline_tests.conftest import table_checksum
from carbon_pipeline_tests.fixtures.malformed import build
from carbon_pipeline_tests.sources.malformed_cases import CASES, Case

TABLES = (
    "raw.aws_cur_line_items",
    "raw.aws_carbon_emissions",
    "raw.activity_rows",
    "raw.focus_charges",
    "raw.deliveries",
    "ledger.activity",
    "ledger.provider_emissions",
    "emissions.activity_emissions",
    "marts.scope_summary",
    "marts.cloud_emissions",
    "marts.cloud_reconciliation",
    "audit.restatements",
)
MONTH = build.MONTH


@dataclass(frozen=True)
class Corpus:
    """A deployment whose folder holds ``demo/`` (landing + sources.yaml) and its warehouse."""

    root: Path

    @property
    def folder(self) -> Path:
        return self.root / "demo"

    @property
    def settings(self) -> Settings:
        return Settings(
            sources_file=self.folder / "sources.yaml",
            warehouse=self.root / "warehouse.duckdb",
            serving=self.root / "serving.duckdb",
            uses_demo=False,
            staging=self.root / "staging",
            reports=self.root / "reports",
        )

    def run(self):
        return run_inventory(self.settings, MONTH, MONTH)

    def query(self, sql: str) -> list[tuple]:
        con = duckdb.connect(str(self.settings.warehouse), read_only=True)
        try:
            return con.execute(sql).fetchall()
        finally:
            con.close()

    def checksums(self) -> dict[str, str]:
        return {table: table_checksum(self.settings.warehouse, table) for table in TABLES}


@pytest.fixture(scope="session")
def clean(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    corpus = Corpus(tmp_path_factory.mktemp("malformed-clean"))
    build.build_clean(corpus.folder)
    result = corpus.run()
    assert result.success, failure_messages(result)
    return corpus


@pytest.fixture(scope="session")
def clean_checksums(clean: Corpus) -> dict[str, str]:
    return clean.checksums()


@pytest.fixture
def damaged(clean: Corpus, tmp_path: Path) -> Corpus:
    """A copy of the clean deployment (landing, sources file and warehouse) that a case may damage."""
    shutil.copytree(clean.root, tmp_path / "copy", symlinks=True)
    return Corpus(tmp_path / "copy")


def expected_substrings(case: Case, clean: Corpus) -> list[str]:
    keys = build.object_keys(clean.folder)  # from the clean copy: a case may have damaged the manifest
    return [text.format(**keys) for text in case.expected]


def run_failure_messages(corpus: Corpus) -> list[str]:
    """The messages a person sees: the failed steps' (and failed checks'), or the sources file's error,
    which stops the run before it starts."""
    try:
        result = corpus.run()
    except ConfigError as exc:
        return [str(exc)]
    assert not result.success, "the run over damaged input succeeded"
    return failure_messages(result)


def load_directly(corpus: Corpus, case: Case) -> str | None:
    """Parsing-only cases: the reader alone, in a transaction on a scratch warehouse. The error text, or None."""
    source = next(s for s in load_sources_file(corpus.settings.sources_file).sources if s.id == case.source_id)
    con = open_warehouse(corpus.root / "direct.duckdb")
    load_catalogue(con)
    try:
        with transaction(con):
            kind_of(case.kind).reader.load_month(con, LocalLanding(source.id, Path(source.uri)), source, MONTH)
    except SourceError as exc:
        return str(exc)
    finally:
        con.close()
    return None


def assert_not_a_bare_traceback(messages: list[str]) -> None:
    assert messages, "no failure message at all"
    for message in messages:
        assert "Traceback (most recent call last)" not in message
    assert any("source '" in m or "sources.yaml" in m for m in messages), messages


JOB_CASES = [case for case in CASES if not case.direct]
DIRECT_CASES = [case for case in CASES if case.direct]


def test_the_corpus_has_at_least_30_cases_across_every_kind_and_at_most_a_third_checked_without_the_job():
    assert len(CASES) >= 30
    assert {case.kind for case in CASES} >= {"aws_cur", "aws_carbon", "activity_csv", "focus", "sources"}
    assert {case.outcome for case in CASES} == {"fails", "flagged", "loads"}
    assert len(DIRECT_CASES) * 3 <= len(CASES)
    assert len({case.id for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case", [c for c in JOB_CASES if c.outcome == "fails"], ids=str)
def test_unusable_input_fails_the_run_naming_source_object_and_row_or_column_and_changes_nothing(
    case, damaged, clean, clean_checksums
):
    case.corrupt(damaged.folder)
    messages = run_failure_messages(damaged)
    assert_not_a_bare_traceback(messages)
    text = " ".join(messages)
    for expected in expected_substrings(case, clean):
        assert expected in text, f"{expected!r} not in {messages}"
    assert damaged.checksums() == clean_checksums


@pytest.mark.parametrize("case", [c for c in JOB_CASES if c.outcome == "flagged"], ids=str)
def test_usable_but_suspect_input_loads_with_the_row_kept_and_flagged_and_the_other_rows_unchanged(
    case, damaged, clean
):
    case.corrupt(damaged.folder)
    result = damaged.run()
    assert result.success, failure_messages(result)
    assert tuple(damaged.query(case.flag_sql)) == case.flag
    assert damaged.query(case.totals_sql) == clean.query(case.totals_sql)


@pytest.mark.parametrize("case", [c for c in JOB_CASES if c.outcome == "loads"], ids=str)
def test_input_that_only_looks_odd_loads_with_the_same_totals_as_the_clean_file(case, damaged, clean):
    case.corrupt(damaged.folder)
    result = damaged.run()
    assert result.success, failure_messages(result)
    assert damaged.query(case.totals_sql) == clean.query(case.totals_sql)


@pytest.mark.parametrize("case", DIRECT_CASES, ids=str)
def test_the_reader_alone_refuses_or_reads_parsing_only_cases_as_the_table_says(case, damaged, clean):
    case.corrupt(damaged.folder)
    error = load_directly(damaged, case)
    if case.outcome == "fails":
        assert error is not None, "the reader accepted damaged input"
        for expected in expected_substrings(case, clean):
            assert expected in error, f"{expected!r} not in {error!r}"
        return
    assert error is None, error
    con = duckdb.connect(str(damaged.root / "direct.duckdb"), read_only=True)
    try:
        assert con.execute(case.totals_sql).fetchall() == clean.query(case.totals_sql)
    finally:
        con.close()
