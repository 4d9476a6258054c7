"""Class 5 of issue 13 (unreadable input): a landing folder or file the pipeline may not read ends the CLI with
one line naming the source and the path, never a traceback, and changes nothing.

Permissions only stop a process that may not override them, and the suite may run as root. So when it does,
the CLI runs as root without the two capabilities that let root read anything (CAP_DAC_OVERRIDE and
CAP_DAC_READ_SEARCH, dropped from its bounding set before it starts: the kernel then checks the file mode as
for anyone else); otherwise it runs as the user running the tests. Either way each test first shows that a
process started the same way really cannot read the path, so it cannot pass on a permission that does not bite."""

from __future__ import annotations

import ctypes
import hashlib
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

FUEL = "date,fuel,quantity,unit\n2025-01-15,diesel,{quantity},litres\n"
SOURCES = (
    "settings: {start_month: '2025-01'}\nsources:\n  - {id: fleet, kind: activity_csv, template: fuel, uri: landing}\n"
)
PR_CAPBSET_DROP, CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH = 24, 1, 2  # linux/prctl.h, linux/capability.h


def _drop_read_anything() -> None:
    """In the child, before exec: a root process's capabilities after exec are its bounding set, so dropping
    these two leaves it bound by file modes."""
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH):
        if libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) refused")


def unprivileged() -> Callable[[], None] | None:
    """The preexec_fn that keeps a child process from reading what its file modes forbid (None: not root)."""
    return _drop_read_anything if os.geteuid() == 0 else None


def run_as_user(workdir: Path, *args: str) -> subprocess.CompletedProcess:
    """``python args...`` as the CLI's user, with the deployment's paths under ``workdir``."""
    drop = unprivileged()
    environ = {key: value for key, value in os.environ.items() if not key.startswith(("CARBON_", "DAGSTER_HOME"))} | {
        "HOME": str(workdir),
        "MPLCONFIGDIR": str(workdir / ".mpl"),
        "CARBON_SOURCES": str(workdir / "sources.yaml"),
        "CARBON_WAREHOUSE": str(workdir / "out" / "warehouse.duckdb"),
        "CARBON_SERVING": str(workdir / "out" / "serving.duckdb"),
        "CARBON_STAGING": str(workdir / "out" / "staging"),
        "CARBON_REPORTS": str(workdir / "out" / "reports"),
        "GX_ANALYTICS_ENABLED": "false",
        "DAGSTER_DISABLE_TELEMETRY": "true",
    }
    return subprocess.run(
        [sys.executable, *args],
        capture_output=True,
        text=True,
        env=environ,
        cwd=workdir,
        preexec_fn=drop,
        timeout=600,
    )


def assert_unreadable_to_user(workdir: Path, path: Path) -> None:
    """The test's premise, checked by the same kind of process the CLI runs as: reading ``path`` fails."""
    probe = (
        "import os, sys; p = sys.argv[1]\n"
        "try:\n    (os.listdir if os.path.isdir(p) else (lambda q: open(q, 'rb').read(1)))(p)\n"
        "except PermissionError:\n    sys.exit(0)\n"
        "sys.exit(1)\n"
    )
    done = run_as_user(workdir, "-c", probe, str(path))
    assert done.returncode == 0, f"{path} is readable to the CLI's user: the test would prove nothing"


def landing(workdir: Path, files: dict[str, str]) -> Path:
    folder = workdir / "landing"
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_text(text)
    (workdir / "sources.yaml").write_text(SOURCES)
    (workdir / "out").mkdir()
    return folder


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else "absent"


def assert_one_line_naming(done: subprocess.CompletedProcess, *names: str) -> str:
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, done.stderr
    for name in names:
        assert name in lines[0], lines[0]
    return lines[0]


def test_an_unreadable_landing_folder_is_one_line_naming_source_and_folder_and_nothing_is_written(tmp_path):
    workdir = tmp_path
    folder = landing(workdir, {"fuel.csv": FUEL.format(quantity=1)})
    folder.chmod(0o000)
    assert_unreadable_to_user(workdir, folder)

    done = run_as_user(workdir, "-m", "carbon_pipeline.cli", "run")

    line = assert_one_line_naming(done, "source 'fleet'", str(folder), "cannot be read")
    assert line.startswith("error: ")
    assert sorted(p.name for p in (workdir / "out").iterdir()) == []  # no warehouse, no serving file


def test_an_unreadable_file_is_one_line_naming_source_and_file_and_the_warehouse_is_untouched(tmp_path):
    workdir = tmp_path
    folder = landing(workdir, {"fuel.csv": FUEL.format(quantity=1)})
    built = run_as_user(workdir, "-m", "carbon_pipeline.cli", "run")
    assert built.returncode == 0, built.stdout + built.stderr
    # the CLI's own summary lists the warning checks that failed (January 2025 is long overdue a successor),
    # with Dagster's console quiet (runner.CLI_LOGS)
    assert "warning: check source_freshness on raw/activity_rows" in built.stdout
    assert "dagster - " not in built.stdout + built.stderr
    warehouse, serving = workdir / "out" / "warehouse.duckdb", workdir / "out" / "serving.duckdb"
    before = (digest(warehouse), digest(serving))

    secret = folder / "fuel-2025-02.csv"
    secret.write_text(FUEL.format(quantity=5).replace("2025-01-15", "2025-02-15"))
    secret.chmod(0o000)
    assert_unreadable_to_user(workdir, secret)

    done = run_as_user(workdir, "-m", "carbon_pipeline.cli", "run")

    assert_one_line_naming(done, "source 'fleet'", "object 'fuel-2025-02.csv'", str(secret), "cannot be read")
    assert (digest(warehouse), digest(serving)) == before


def test_an_unreadable_cur_manifest_fails_the_run_with_one_line_naming_it_and_the_month_keeps_its_data(tmp_path):
    import gzip

    from carbon_pipeline.runner import failure_messages, run_inventory
    from carbon_pipeline_tests.conftest import settings_under, table_checksum
    from carbon_pipeline_tests.sources.test_cur_formats import DAILY, NOVEMBER, legacy_report

    source = legacy_report(
        tmp_path / "landing", NOVEMBER, {"acme-cur-1.csv.gz": gzip.compress(DAILY.read_bytes())}, layout="overwrite"
    )
    (tmp_path / "out").mkdir()
    (tmp_path / "sources.yaml").write_text(
        f"settings: {{start_month: '2023-11'}}\nsources:\n  - {{id: cur, kind: aws_cur, uri: '{source.uri}'}}\n"
    )
    # the month loaded (in this process: what is under test is the CLI's second run), into the files the CLI uses
    built = run_inventory(settings_under(tmp_path / "out", tmp_path / "sources.yaml"), NOVEMBER, NOVEMBER)
    assert built.success, failure_messages(built)
    warehouse = tmp_path / "out" / "warehouse.duckdb"
    tables = ("raw.aws_cur_line_items", "raw.deliveries", "ledger.activity", "marts.cloud_emissions")
    before = {table: table_checksum(warehouse, table) for table in tables}

    (manifest,) = Path(source.uri).rglob("acme-cur-Manifest.json")
    manifest.chmod(0o000)
    assert_unreadable_to_user(tmp_path, manifest)

    done = run_as_user(tmp_path, "-m", "carbon_pipeline.cli", "run")

    assert done.returncode != 0 and "Traceback" not in done.stdout + done.stderr, done.stderr
    named = [line for line in done.stderr.splitlines() if str(manifest) in line]
    assert len(named) == 1, done.stderr
    assert "source 'cur'" in named[0] and "acme-cur-Manifest.json" in named[0] and "cannot be read" in named[0]
    assert {table: table_checksum(warehouse, table) for table in tables} == before
