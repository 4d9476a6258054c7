"""Class 5 of issue 13 (the CLI's part): mistakes in the sources file or the command line, and an S3 endpoint
that never answers, end in a message and exit code 2, never a traceback and never an empty run with rc 0.

The mistakes are refused before any run, so they call the CLI's ``main`` in this process (what ``carbon-pipeline``
runs; its output read at the file descriptors, so a library writing to them directly is seen too): a subprocess
per case cost 1.7 s of interpreter start and imports for ~50 ms of work. The endpoint that never answers is a
whole process, as a user meets it."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from carbon_pipeline.cli import main as cli_main
from carbon_pipeline_tests.hostile.test_bounded_memory_and_time import SilentServer


@dataclass(frozen=True)
class Done:
    returncode: int
    stdout: str
    stderr: str


def environment(tmp_path: Path, sources: str, **env: str) -> dict[str, str]:
    """The CLI's environment for a sources file written into ``tmp_path`` (landing folder beside it)."""
    (tmp_path / "landing").mkdir(exist_ok=True)
    path = tmp_path / "sources.yaml"
    path.write_text(sources)
    return {
        "CARBON_SOURCES": str(path),
        "CARBON_WAREHOUSE": str(tmp_path / "w.duckdb"),
        "CARBON_SERVING": str(tmp_path / "s.duckdb"),
        "CARBON_STAGING": str(tmp_path / "staging"),
        "CARBON_REPORTS": str(tmp_path / "reports"),
        "GX_ANALYTICS_ENABLED": "false",
        "DAGSTER_DISABLE_TELEMETRY": "true",
        **env,
    }


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture) -> Callable[..., Done]:
    """``carbon-pipeline run *args`` over ``sources``, in this process, from ``tmp_path``."""

    def run(sources: str, *args: str) -> Done:
        for name, value in environment(tmp_path, sources).items():
            monkeypatch.setenv(name, value)
        monkeypatch.delenv("DAGSTER_HOME", raising=False)
        monkeypatch.chdir(tmp_path)
        capfd.readouterr()
        try:
            code = cli_main(["run", *args])
        except SystemExit as exc:  # argparse's refusals
            code = exc.code
        out, err = capfd.readouterr()
        return Done(code, out, err)

    return run


def cli_process(tmp_path: Path, sources: str, **env: str) -> subprocess.CompletedProcess:
    environ = {**os.environ, **environment(tmp_path, sources, **env)}
    environ.pop("DAGSTER_HOME", None)
    return subprocess.run(
        [sys.executable, "-m", "carbon_pipeline.cli", "run"],
        capture_output=True,
        text=True,
        env=environ,
        cwd=tmp_path,
        timeout=300,
    )


LOCAL = "sources:\n  - {id: fleet, kind: activity_csv, template: fuel, uri: landing}\n"


@pytest.mark.parametrize(
    ("sources", "args", "message"),
    [
        ("settings: {start_month: 2025-02-30}\n" + LOCAL, (), "not valid YAML"),
        ("settings: {start_month: '2025-01-garbage'}\n" + LOCAL, (), "'2025-01-garbage' is not a month"),
        ("settings: {start_month: '2999-01'}\n" + LOCAL, (), "start_month 2999-01 is after the current month"),
        (
            LOCAL + "  - {id: fleet2, kind: activity_csv, template: fuel, uri: landing, uri: other}\n",
            (),
            "appears twice",
        ),
        (LOCAL, ("--from", "2025-01-garbage"), "'2025-01-garbage' is not a month"),
        ("settings: {start_month: '2024-01'}\n" + LOCAL, ("--from", "2023-06"), "lies outside the months"),
        (LOCAL, ("--to", "2999-01"), "lies outside the months"),
        ("sources:\n  - {id: '..', kind: activity_csv, template: fuel, uri: landing}\n", (), "is not allowed"),
    ],
    ids=[
        "impossible-date",
        "garbage-month",
        "future-start",
        "duplicate-key",
        "garbage-from",
        "from-before-start",
        "to-after-today",
        "dotdot-id",
    ],
)
def test_a_mistake_is_a_message_with_rc_2_never_a_traceback(cli, sources, args, message):
    done = cli(sources, *args)
    assert done.returncode == 2, done.stdout + done.stderr
    assert message in done.stderr
    assert "Traceback" not in done.stderr + done.stdout


def test_an_s3_endpoint_that_never_answers_ends_the_cli_with_a_message_naming_bucket_and_prefix(tmp_path):
    server = SilentServer()
    try:
        sources = (
            "sources:\n  - {id: cur, kind: aws_cur, uri: 's3://billing-bucket/cur/acme', region: us-east-1, "
            f"endpoint_url: 'http://127.0.0.1:{server.port}'}}\n"
        )
        done = cli_process(
            tmp_path,
            sources,
            AWS_ACCESS_KEY_ID="k",
            AWS_SECRET_ACCESS_KEY="s",
            CARBON_S3_CONNECT_TIMEOUT="1",
            CARBON_S3_READ_TIMEOUT="1",
            CARBON_S3_DEADLINE="3",
        )
    finally:
        server.close()
    assert done.returncode == 2, done.stdout + done.stderr
    assert "bucket 'billing-bucket', prefix 'cur/acme'" in done.stderr
    assert "Traceback" not in done.stderr


def test_rows_dated_before_start_month_are_reported_not_silently_dropped(tmp_path, cli):
    (tmp_path / "landing").mkdir()
    (tmp_path / "landing" / "fuel.csv").write_text(
        "date,fuel,quantity,unit\n2023-06-15,diesel,1,litres\n2024-02-01,diesel,2,litres\n"
    )
    # --to after today stops the CLI before any run: the warning must come from reading the deliveries
    done = cli("settings: {start_month: '2024-01'}\n" + LOCAL, "--to", "2999-01")
    assert "warning: source 'fleet' has data for 2023-06, before settings.start_month 2024-01" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_focus_file_missing_a_required_column_is_a_message_naming_the_file_and_column(tmp_path, cli):
    (tmp_path / "landing").mkdir()
    (tmp_path / "landing" / "focus.csv").write_text(
        "ChargePeriodStart,ChargeCategory,BillingCurrency,ProviderName,ServiceName\n"
        "2025-01-01T00:00:00Z,Usage,USD,AWS,Amazon EC2\n"
    )
    done = cli("sources:\n  - {id: finops, kind: focus, uri: landing}\n")
    assert done.returncode == 2, done.stdout + done.stderr
    assert "object 'focus.csv'" in done.stderr and "BilledCost" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("kind", "folder", "message"),
    [
        ("aws_cur", "20251301-20260101", "'20251301-20260101' has the shape of a period folder but names no month"),
        ("aws_cur", "20251101-20251215", "does not span one calendar month"),
        ("aws_carbon", "metadata/model_version=v1/usage_period=2025-13", "names no month"),
    ],
    ids=["cur-month-13", "cur-half-month", "carbon-month-13"],
)
def test_a_malformed_period_folder_is_a_message_naming_it(tmp_path, cli, kind, folder, message):
    (tmp_path / "landing" / folder).mkdir(parents=True)
    done = cli(f"sources:\n  - {{id: cur, kind: {kind}, uri: landing}}\n")
    assert done.returncode == 2, done.stdout + done.stderr
    assert message in done.stderr and "source 'cur'" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_pinned_carbon_model_version_that_no_export_delivers_is_refused(tmp_path, cli):
    (tmp_path / "landing" / "metadata" / "model_version=v1.0.0").mkdir(parents=True)
    (tmp_path / "landing" / "metadata" / "model_version=v2.0.0").mkdir(parents=True)
    sources = "settings: {carbon_model_version: v9.9.9}\nsources:\n  - {id: carbon, kind: aws_carbon, uri: landing}\n"
    done = cli(sources)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "pins 'v9.9.9', which no carbon export delivers (delivered: v1.0.0, v2.0.0)" in done.stderr
    assert "Traceback" not in done.stderr
