"""Bad input, case by case (issue 3; the table is malformed_cases.py): each damaged delivery either fails
with a message naming the source, the object and the row/column and leaves the warehouse exactly as it was,
or (where the data is usable) loads with the row kept and flagged, or is not an error at all.

A clean deployment is built and its March 2025 materialized once per session. Each case damages a copy of
it (landing, sources file and warehouse) and is checked where its behaviour lives (issue 12, item 6):

* the sources file's errors: by loading the sources file, as every run does before it starts;
* a kind's data: by its reader, for every source of the kind in ONE transaction on the copied warehouse,
  which is exactly what the raw asset does; a failure must leave every table as the clean run left it;
* flags set by the ledger or the emissions stage: by materializing only those assets over the copy.

The ``job`` cases also run through the whole inventory job, for what only the job shows: the message a
person sees on the failed step and the nothing-written guarantee end to end (or, for a flagged row, a
successful run with every check passing)."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from carbon_pipeline.errors import ConfigError, SourceError
from carbon_pipeline.runner import failure_messages, run_inventory
from carbon_pipeline.settings import Settings
from carbon_pipeline.sources import registry
from carbon_pipeline.sources.kind import LoadSummary
from carbon_pipeline.sources.sources_file import load_sources_file
from carbon_pipeline.warehouse.connection import open_warehouse, transaction
from carbon_pipeline_tests.conftest import materialize_assets, settings_under, table_checksum
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
RAW_ASSET = {
    "aws_cur": "raw/aws_cur_line_items",
    "aws_carbon": "raw/aws_carbon_emissions",
    "activity_csv": "raw/activity_rows",
    "focus": "raw/focus_charges",
}
DOWNSTREAM = ["ledger/activity", "emissions/activity_emissions"]


@dataclass(frozen=True)
class Corpus:
    """A deployment whose folder holds ``demo/`` (landing + sources.yaml) and its warehouse."""

    root: Path

    @property
    def folder(self) -> Path:
        return self.root / "demo"

    @property
    def settings(self) -> Settings:
        return settings_under(self.root, self.folder / "sources.yaml")

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


def read_as_the_raw_asset_does(corpus: Corpus, case: Case) -> tuple[str | None, list[dict]]:
    """The sources file loaded, then every source of the case's kind read for MONTH in one transaction on
    the corpus's warehouse, as the raw asset does (carbon_pipeline/defs/raw/assets.py) without Dagster,
    the kind's before-commit refusal included. Returns the error a person would see (None if there is none)
    and the readers' load summaries."""
    summaries: list[LoadSummary] = []
    try:
        config = load_sources_file(corpus.settings.sources_file)
        if case.kind == "sources":
            return None, summaries
        kind = registry.kind_of(case.kind)
        con = open_warehouse(corpus.settings.warehouse)
        try:
            opened = [registry.opened(source) for source in config.of_kind(case.kind)]
            with transaction(con):
                for access in opened:
                    summaries.append(access.load_month(con, MONTH, "reader-level"))
                    if kind.before_commit is not None:
                        kind.before_commit(con, access.source, MONTH)
        finally:
            con.close()
        for access in opened:
            access.cleanup()
    except (SourceError, ConfigError) as exc:
        return str(exc), summaries
    return None, summaries


def job_failure_messages(corpus: Corpus) -> list[str]:
    """The messages a person sees: the failed steps' (and failed checks'), or the sources file's error,
    which stops the run before it starts."""
    try:
        result = corpus.run()
    except ConfigError as exc:
        return [str(exc)]
    assert not result.success, "the run over damaged input succeeded"
    return failure_messages(result)


def assert_not_a_bare_traceback(messages: list[str]) -> None:
    assert messages, "no failure message at all"
    for message in messages:
        assert "Traceback (most recent call last)" not in message
    assert any("source '" in m or "sources.yaml" in m for m in messages), messages


def assert_names_everything(case: Case, clean: Corpus, messages: list[str]) -> None:
    text = " ".join(messages)
    for expected in expected_substrings(case, clean):
        assert expected in text, f"{expected!r} not in {messages}"


def sets_its_flag_downstream(case: Case) -> bool:
    return "ledger." in case.flag_sql or "emissions." in case.flag_sql


JOB_CASES = [case for case in CASES if case.job]


def test_the_corpus_has_at_least_30_cases_across_every_kind_and_a_handful_run_through_the_whole_job():
    assert len(CASES) >= 30
    assert {case.kind for case in CASES} >= {"aws_cur", "aws_carbon", "activity_csv", "focus", "sources"}
    assert {case.outcome for case in CASES} == {"fails", "flagged", "loads"}
    assert len({case.id for case in CASES}) == len(CASES)
    # the job cases: a row/column failure in a billing file, an activity file and a carbon export, the
    # sources file's failure (before the run starts), and a flagged row through every stage and check
    assert 3 <= len(JOB_CASES) <= 8
    assert {case.kind for case in JOB_CASES if case.outcome == "fails"} >= {"aws_cur", "activity_csv", "sources"}
    assert any(case.outcome == "flagged" and sets_its_flag_downstream(case) for case in JOB_CASES)
    assert {case.kind for case in CASES} - {"sources"} <= set(RAW_ASSET)


# --- every case, where its behaviour lives ------------------------------------------------------------------


@pytest.mark.parametrize("case", [c for c in CASES if c.outcome == "fails"], ids=str)
def test_unusable_input_is_refused_naming_source_object_and_row_or_column_and_changes_nothing(
    case, damaged, clean, clean_checksums
):
    case.corrupt(damaged.folder)
    error, _ = read_as_the_raw_asset_does(damaged, case)
    assert error is not None, "damaged input was accepted"
    assert_not_a_bare_traceback([error])
    assert_names_everything(case, clean, [error])
    assert damaged.checksums() == clean_checksums


@pytest.mark.parametrize("case", [c for c in CASES if c.outcome == "flagged"], ids=str)
def test_usable_but_suspect_input_loads_with_the_row_kept_and_flagged_and_the_other_rows_unchanged(
    case, damaged, clean
):
    case.corrupt(damaged.folder)
    error, summaries = read_as_the_raw_asset_does(damaged, case)
    assert error is None, error
    assert not any(s.skipped for s in summaries if s.source_id == case.source_id), summaries
    if sets_its_flag_downstream(case):
        result = materialize_assets(damaged.settings, DOWNSTREAM, MONTH, MONTH)
        assert result.success, failure_messages(result)
    assert tuple(damaged.query(case.flag_sql)) == case.flag
    assert damaged.query(case.totals_sql) == clean.query(case.totals_sql)


@pytest.mark.parametrize("case", [c for c in CASES if c.outcome == "loads"], ids=str)
def test_input_that_only_looks_odd_loads_with_the_same_totals_as_the_clean_file(case, damaged, clean):
    case.corrupt(damaged.folder)
    error, summaries = read_as_the_raw_asset_does(damaged, case)
    assert error is None, error
    # read again, not taken for the clean delivery: the totals below are the damaged file's
    assert not any(s.skipped for s in summaries if s.source_id == case.source_id), summaries
    assert damaged.query(case.totals_sql) == clean.query(case.totals_sql)


# --- a handful through the whole job --------------------------------------------------------------------------


@pytest.mark.parametrize("case", [c for c in JOB_CASES if c.outcome == "fails"], ids=str)
def test_the_job_over_unusable_input_fails_with_that_message_and_writes_nothing(case, damaged, clean, clean_checksums):
    case.corrupt(damaged.folder)
    messages = job_failure_messages(damaged)
    assert_not_a_bare_traceback(messages)
    assert_names_everything(case, clean, messages)
    assert damaged.checksums() == clean_checksums


@pytest.mark.parametrize("case", [c for c in JOB_CASES if c.outcome != "fails"], ids=str)
def test_the_job_over_usable_input_succeeds_with_every_check_and_the_row_flagged(case, damaged, clean):
    case.corrupt(damaged.folder)
    result = damaged.run()
    assert result.success, failure_messages(result)
    if case.flag_sql:
        assert tuple(damaged.query(case.flag_sql)) == case.flag
    assert damaged.query(case.totals_sql) == clean.query(case.totals_sql)
