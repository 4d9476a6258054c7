"""What a run is configured with is read from the environment once, into the deployment's settings
(carbon_pipeline/settings.py), when the code location loads; steps get it from their resources (the engine,
the run date: carbon_pipeline/orchestration/resources.py), so a step never reads these variables itself."""

from __future__ import annotations

import ast
from pathlib import Path

import carbon_pipeline

PACKAGE = Path(carbon_pipeline.__file__).resolve().parent
READ_ONCE = {"CARBON_ENGINE", "CARBON_SPARK_MASTER", "CARBON_AS_OF"}


def variables_named(path: Path) -> set[str]:
    """The variable names written as a whole string constant in the module (an environment lookup's key);
    messages and docstrings that mention ``CARBON_ENGINE=spark`` are not a lookup."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {node.value for node in ast.walk(tree) if isinstance(node, ast.Constant) and node.value in READ_ONCE}


def test_only_the_settings_read_the_engine_and_the_run_date_from_the_environment():
    readers = {str(path.relative_to(PACKAGE)): variables_named(path) for path in sorted(PACKAGE.rglob("*.py"))}
    assert {path: names for path, names in readers.items() if names} == {"settings.py": READ_ONCE}


def test_the_finder_sees_a_lookup_and_not_a_mention(tmp_path):
    module = tmp_path / "m.py"
    module.write_text('import os\n"""CARBON_ENGINE=spark runs it"""\nos.environ.get("CARBON_AS_OF")\n')
    assert variables_named(module) == {"CARBON_AS_OF"}
