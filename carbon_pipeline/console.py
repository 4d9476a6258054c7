"""The `carbon-pipeline` console script: for `run`, the contract-check helper starts before the CLI is imported.

Importing the CLI (Dagster, the definitions' modules) takes 1.4 s on one core. The helper process imports
great-expectations (about 3 s of CPU) on the other core; started here it does so beside that import instead of
beside the run's first steps, whose first contract check otherwise waited for it (docs/performance.md, Profile 44).
`run_inventory` starting it again finds it running. Nothing else happens before the CLI: this module imports
nothing heavy, so every other command is as it was.
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else argv
    if arguments[:1] == ["run"]:
        from carbon_pipeline.quality import suite_process

        suite_process.start()
    from carbon_pipeline.cli import main as cli_main

    return cli_main(argv)
