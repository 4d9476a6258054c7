"""The `carbon-pipeline` console script (carbon_pipeline/console.py): `run` starts the contract-check helper
before the CLI, and with it Dagster, is imported; other commands start nothing. Run in a fresh interpreter,
where nothing is imported yet."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

PROBE = """
import json, sys
from carbon_pipeline.quality import suite_process
started = []
suite_process.start = lambda: started.append(sorted(m for m in ("dagster", "carbon_pipeline.cli") if m in sys.modules))
from carbon_pipeline import console
try:
    code = console.main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
print(json.dumps({"started": started, "code": code, "cli_imported": "carbon_pipeline.cli" in sys.modules}))
"""


def probe(*argv: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", PROBE, *argv], capture_output=True, text=True, check=True, timeout=300
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def test_run_starts_the_helper_before_dagster_is_imported():
    # a month the parser refuses: the CLI is imported and stops at its arguments, nothing runs
    result = probe("run", "--from", "not-a-month")
    assert result == {"started": [[]], "code": 2, "cli_imported": True}


@pytest.mark.parametrize("command", ["demo", "inventory"])
def test_other_commands_start_no_helper(command):
    result = probe(command, "--help")
    assert result["started"] == [] and result["code"] == 0 and result["cli_imported"]
