"""The blocking checks catch what they are for: each is run against a warehouse that was tampered
with, and must then report the offending rows."""

from __future__ import annotations

import shutil
import sys
from datetime import date

import duckdb
import pytest

from carbon_pipeline.warehouse.sql_models import run_model

WINDOW = {"start": date(2024, 1, 1), "end": date(2026, 1, 1)}


@pytest.fixture
def tampered(built, tmp_path):
    path = tmp_path / "copy.duckdb"
    shutil.copy(built.settings.warehouse, path)
    con = duckdb.connect(str(path))
    yield con
    con.close()


def offending(con, model, **params):
    return run_model(con, f"checks/{model}", **{**WINDOW, **params}).fetchall()


def test_every_check_passes_on_the_demo(tampered):
    for model, params in (
        ("raw_rows_match_deliveries", {"source_kind": "aws_cur"}),
        ("raw_rows_match_deliveries", {"source_kind": "aws_carbon"}),
        ("raw_rows_match_deliveries", {"source_kind": "activity_csv"}),
        ("ledger_reconciles_with_raw", {}),
        ("provider_emissions_one_version", {}),
        ("factor_catalogue_integrity", {}),
        ("emissions_cover_ledger", {}),
        ("cloud_emissions_match_ledger", {}),
        ("scope_summary_reconciles", {}),
    ):
        assert offending(tampered, model, **params) == [], model


@pytest.mark.parametrize(
    ("tamper", "model", "params"),
    [
        (
            "DELETE FROM raw.aws_cur_line_items WHERE object_line = 5 AND period_month = DATE '2024-04-01'",
            "raw_rows_match_deliveries",
            {"source_kind": "aws_cur"},
        ),
        (
            "UPDATE ledger.activity SET cost = cost + 0.0000000001 WHERE activity_id = "
            "(SELECT MIN(activity_id) FROM ledger.activity WHERE source_kind = 'aws_cur')",
            "ledger_reconciles_with_raw",
            {},
        ),
        (
            "UPDATE ledger.provider_emissions SET is_selected = TRUE WHERE period_month = DATE '2025-02-01'",
            "provider_emissions_one_version",
            {},
        ),
        (
            "UPDATE factors.emission_factors SET value = -1 WHERE factor_id = 'epa:egrid2023rev2:SRVC'",
            "factor_catalogue_integrity",
            {},
        ),
        (
            "DELETE FROM emissions.activity_emissions WHERE method = 'market' AND activity_id = "
            "(SELECT MIN(activity_id) FROM emissions.activity_emissions)",
            "emissions_cover_ledger",
            {},
        ),
        (
            "UPDATE emissions.activity_emissions SET tco2e = -tco2e WHERE activity_id = "
            "(SELECT MIN(activity_id) FROM emissions.activity_emissions WHERE tco2e > 0)",
            "emissions_cover_ledger",
            {},
        ),
        (
            "UPDATE marts.cloud_emissions SET market_tco2e = market_tco2e * 2 WHERE basis = 'reported' "
            "AND period_month = DATE '2024-07-01'",
            "cloud_emissions_match_ledger",
            {},
        ),
        (
            "UPDATE marts.scope_summary SET tco2e = tco2e + 0.5 WHERE scope = 1 AND period_month = DATE '2025-09-01' "
            "AND method = 'market'",
            "scope_summary_reconciles",
            {},
        ),
        (
            "INSERT INTO marts.scope_summary SELECT * FROM marts.scope_summary WHERE period_month = DATE '2024-02-01' "
            "AND scope = 2 AND method = 'location'",
            "scope_summary_reconciles",
            {},
        ),
    ],
)
def test_a_check_reports_the_problem_it_guards_against(tampered, tamper, model, params):
    tampered.execute(tamper)
    assert offending(tampered, model, **params) != []


def test_the_great_expectations_contracts_pass_on_the_demo_and_catch_a_broken_account_id(tampered):
    from carbon_pipeline.quality.expectations import validate_contract

    for table in ("raw.aws_cur_line_items", "ledger.activity"):
        result = validate_contract(tampered, table, **WINDOW)
        assert result.passed, result.failures
        assert result.sampled_rows == result.total_rows > 0
    tampered.execute(BREAK_AN_ACCOUNT_ID)
    broken = validate_contract(tampered, "ledger.activity", **WINDOW)
    assert not broken.passed
    assert broken.failures == [
        {
            "expectation": "expect_column_values_to_match_regex",
            "column": "account_id",
            "unexpected_count": 1,
            "examples": ["12345"],
        }
    ]


def test_a_month_larger_than_the_sample_is_validated_on_the_same_hashed_rows_every_time():
    """Above MAX_ROWS the contract validates the rows whose key hashes into one of ``step`` buckets (at most
    about MAX_ROWS of them), the same ones on every run, and a broken value among them fails the contract."""
    from carbon_pipeline.quality.expectations import MAX_ROWS, validate_contract

    con = duckdb.connect()
    con.execute("CREATE SCHEMA raw")
    con.execute(
        """CREATE TABLE raw.aws_cur_line_items AS
           SELECT 'cur' AS source_id, DATE '2025-03-01' AS period_month,
                  'report-' || (i % 3) || '.csv.gz' AS object_key, i + 2 AS object_line,
                  '123456789012' AS usage_account_id, '210987654321' AS payer_account_id,
                  'Usage' AS line_item_type, 'USD' AS currency, TIMESTAMP '2025-03-01 00:00:00' AS usage_start
           FROM range(?) AS t(i)""",
        [MAX_ROWS * 5 // 2],
    )
    window = {"start": date(2025, 3, 1), "end": date(2025, 4, 1)}
    first, again = (validate_contract(con, "raw.aws_cur_line_items", **window) for _ in range(2))
    assert first.passed and first == again
    assert first.total_rows == MAX_ROWS * 5 // 2
    # step = ceil(total / MAX_ROWS) = 3 buckets, one of them kept: about a third of the rows
    assert 0.95 * first.total_rows / 3 < first.sampled_rows < 1.05 * first.total_rows / 3
    sampled = con.execute(
        """SELECT MIN(object_line) FROM raw.aws_cur_line_items
           WHERE hash(source_id, period_month, object_key, object_line) % 3 = 0"""
    ).fetchall()[0][0]
    con.execute("UPDATE raw.aws_cur_line_items SET currency = 'usd' WHERE object_line = ?", [sampled])
    broken = validate_contract(con, "raw.aws_cur_line_items", **window)
    assert not broken.passed
    assert [(f["column"], f["unexpected_count"]) for f in broken.failures] == [("currency", 1)]


BREAK_AN_ACCOUNT_ID = (
    "UPDATE ledger.activity SET account_id = '12345' WHERE activity_id = (SELECT MIN(activity_id) "
    "FROM ledger.activity WHERE account_id IS NOT NULL)"
)
IN_A_RUNS_PROCESS = """
import json, sys
from datetime import date
import duckdb
from carbon_pipeline.runner import prewarm_contract_checks
from carbon_pipeline.quality import suite_process
from carbon_pipeline.quality.expectations import validate_contract
prewarm_contract_checks()  # what run_inventory does before an inventory run
con = duckdb.connect(sys.argv[1], read_only=True)
results = [validate_contract(con, t, date(2024, 1, 1), date(2026, 1, 1)).__dict__ for t in sys.argv[2:]]
print(json.dumps({"results": results, "helper": suite_process.started(),
                  "imported_here": "great_expectations" in sys.modules}))
"""


def test_a_runs_contracts_run_in_its_helper_process_with_the_same_results_and_never_import_gx_in_the_run(
    tampered, tmp_path
):
    """A run started by run_inventory validates its contract frames in a helper process that imported
    great-expectations on the other core (quality/suite_process.py): the results are the in-process ones, and
    the run's own process never imports great-expectations."""
    import json
    import subprocess
    import sys

    from carbon_pipeline.quality.expectations import validate_contract

    tampered.execute(BREAK_AN_ACCOUNT_ID)
    tampered.execute("CHECKPOINT")
    tables = ["ledger.activity", "raw.aws_cur_line_items"]
    here = [validate_contract(tampered, t, **WINDOW).__dict__ for t in tables]
    assert [r["passed"] for r in here] == [False, True]
    path = tmp_path / "copy.duckdb"
    tampered.close()
    out = subprocess.run(
        [sys.executable, "-c", IN_A_RUNS_PROCESS, str(path), *tables],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
    ).stdout
    answer = json.loads(out.strip().splitlines()[-1])
    assert answer["helper"] and not answer["imported_here"]
    assert answer["results"] == json.loads(json.dumps(here))


def test_an_error_in_the_helper_is_raised_by_the_check_and_a_helper_that_died_is_replaced_in_process(tampered):
    from carbon_pipeline.quality import suite_process
    from carbon_pipeline.quality.expectations import validate_contract

    tampered.execute(BREAK_AN_ACCOUNT_ID)
    suite_process.start()
    try:
        with pytest.raises(ValueError, match="invalid literal"):
            suite_process.call(int, "not a number")  # raised in the helper, raised here
        expected = validate_contract(tampered, "ledger.activity", **WINDOW)
        assert suite_process.started() and not expected.passed  # the helper went on after the error
        suite_process._helper.kill()  # as the kernel's OOM killer would
        suite_process._helper.wait()
        assert validate_contract(tampered, "ledger.activity", **WINDOW) == expected
        assert not suite_process.started()
    finally:
        suite_process.stop()


def test_a_helper_that_cannot_be_started_leaves_the_checks_validating_in_process(tampered, monkeypatch):
    from carbon_pipeline.quality import suite_process
    from carbon_pipeline.quality.expectations import validate_contract

    suite_process.stop()
    monkeypatch.setattr(suite_process.sys, "executable", "/nonexistent/python")
    suite_process.start()  # no exception: a run is not failed for want of a helper
    assert not suite_process.started()
    tampered.execute(BREAK_AN_ACCOUNT_ID)
    assert not validate_contract(tampered, "ledger.activity", **WINDOW).passed


def test_submit_hands_work_to_the_helper_and_returns_at_once_and_works_here_without_one():
    """The report hands half of its years to the helper this way (reporting/html_report.py): the request goes
    out, the caller works, then takes the answer, computed in the helper's process; with no helper, here."""
    import os

    from carbon_pipeline.quality import suite_process

    suite_process.start()
    try:
        pending = suite_process.submit(os.getpid)
        assert pending() not in (os.getpid(), None)  # the helper's own process answered
        with pytest.raises(ValueError, match="invalid literal"):
            suite_process.submit(int, "not a number")()
        assert suite_process.call(int, "7") == 7  # the helper is free again once an answer was taken
    finally:
        suite_process.stop()
    assert suite_process.submit(os.getpid)() == os.getpid()


def test_what_the_helper_imports_ahead_never_imports_dagster():
    """The helper draws charts for the report and the hourly asset: were Dagster among its imports (1-2 s), the
    first half handed to it would wait for that import instead of running beside the run's own half."""
    import subprocess
    import sys

    from carbon_pipeline.quality.suite_process import WARM_MODULES

    probe = (
        "import importlib, sys\nfor m in sys.argv[1:]:\n    importlib.import_module(m)\nprint('dagster' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", probe, *WARM_MODULES], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_the_helper_answers_a_waiting_check_once_great_expectations_is_imported_and_never_imports_unused_engines(
    tmp_path,
):
    """The run's first contract check waits for the helper's import; it is answered as soon as great-expectations
    is imported, before the chart modules (WARM_MODULES come between requests), and great-expectations is imported
    without the engines it probes for and the helper never uses (docs/performance.md, Profile 45). The request is
    in the helper's pipe before the helper starts, as a run's first check is before the import ends."""
    import subprocess
    import sys
    from pathlib import Path

    from carbon_pipeline.quality import suite_process
    from carbon_pipeline_tests.marts.imported_modules import imported

    names = ["great_expectations", *suite_process.WARM_MODULES, *suite_process.UNUSED_ENGINES]
    request = tmp_path / "request"
    with request.open("wb") as stream:
        suite_process._write(stream, (imported.__module__, imported.__name__, (names,)))
    with request.open("rb") as stdin:
        done = subprocess.run(
            [sys.executable, "-c", "from carbon_pipeline.quality.suite_process import serve; serve()"],
            stdin=stdin,
            capture_output=True,
            check=True,
            cwd=Path(__file__).resolve().parents[2],
        )
    with (tmp_path / "answer").open("wb+") as answer:
        answer.write(done.stdout)
        answer.seek(0)
        ok, found = suite_process._read(answer)
    assert ok, found
    assert found == {name: name == "great_expectations" for name in names}


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a thread's own nice value is Linux's")
def test_the_helpers_imports_run_at_the_lowest_priority_and_nothing_else_does():
    """The helper imports great-expectations in a thread of nice 19, so that a run keeping both cores busy is not
    slowed by it (docs/performance.md, Profile 38), and the chart modules, which nothing waits for yet, in an
    idle-policy thread, lifted to nice 19 once a request waits (Profile 45); the thread that asks for the work, and
    the helper's answers after the imports, keep their priority, and an import's error is raised where the helper
    waits for it."""
    import os
    import threading
    import time

    from carbon_pipeline.quality import suite_process

    seen: list[tuple[int, int]] = []

    def note() -> None:
        seen.append((os.getpriority(os.PRIO_PROCESS, threading.get_native_id()), os.sched_getscheduler(0)))

    def note_once_lifted() -> None:
        for _ in range(10_000):  # a bound only so that a missing lift fails instead of hanging
            if os.sched_getscheduler(0) != os.SCHED_IDLE:
                break
            time.sleep(0.001)
        note()

    before = (os.getpriority(os.PRIO_PROCESS, threading.get_native_id()), os.sched_getscheduler(0))
    suite_process.at_lowest_priority(note)
    # the chart modules: only what nothing else wants, while nothing waits for them ...
    suite_process.at_lowest_priority(note, idle_until=lambda: False)
    # ... and back to nice 19 once a request waits, which an idle-policy thread on a busy machine could starve
    suite_process.at_lowest_priority(note_once_lifted, idle_until=lambda: True)
    assert seen == [(suite_process.IMPORT_NICENESS, os.SCHED_OTHER), (19, os.SCHED_IDLE), (19, os.SCHED_OTHER)]
    assert (os.getpriority(os.PRIO_PROCESS, threading.get_native_id()), os.sched_getscheduler(0)) == before
    with pytest.raises(ModuleNotFoundError):
        suite_process.at_lowest_priority(lambda: __import__("carbon_pipeline.no_such_module"))

    suite_process.start()
    try:  # the helper answers from its main thread, after its warm-up: at the priority it was started with
        assert suite_process.call(os.getpriority, os.PRIO_PROCESS, 0) == os.getpriority(os.PRIO_PROCESS, 0)
    finally:
        suite_process.stop()
