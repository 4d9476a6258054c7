"""The demo's warehouse and serving file hold exactly the rows they held when the golden fingerprint was
taken (carbon_pipeline_tests/golden/demo_fingerprint.json). A refactor must leave it untouched; a change
that means to alter figures or tables regenerates it in the same commit and says why:

    PYTHONPATH=. .venv/bin/python -m carbon_pipeline_tests.golden.regenerate
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from carbon_pipeline_tests.fingerprint import fingerprint

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "demo_fingerprint.json"


@pytest.mark.parametrize("database", ["warehouse", "serving"])
def test_every_table_and_view_of_the_demo_equals_the_golden_fingerprint(built, database):
    expected = json.loads(GOLDEN.read_text())[database]
    actual = fingerprint(getattr(built.settings, database), built.root)
    assert sorted(actual) == sorted(expected), "tables added or removed"
    changed = sorted(name for name in expected if actual[name] != expected[name])
    assert not changed, f"contents changed: {changed}"
