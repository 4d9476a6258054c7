"""Deployment settings from the environment (SPEC: Configuration).

Read lazily and never cached at import time, so tests and the CLI can point one process at several
warehouses.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEMO_ROOT_DEFAULT = Path("data") / "demo"


@dataclass(frozen=True)
class Settings:
    sources_file: Path
    warehouse: Path
    serving: Path
    uses_demo: bool
    staging: Path = Path("data") / "staging"
    reports: Path = Path("data") / "reports"

    @property
    def demo_root(self) -> Path:
        return self.sources_file.parent


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    env = os.environ if environ is None else environ
    sources = env.get("CARBON_SOURCES")
    return Settings(
        sources_file=Path(sources) if sources else DEMO_ROOT_DEFAULT / "sources.yaml",
        warehouse=Path(env.get("CARBON_WAREHOUSE") or Path("data") / "warehouse.duckdb"),
        serving=Path(env.get("CARBON_SERVING") or Path("data") / "serving.duckdb"),
        uses_demo=not sources,
        staging=Path(env.get("CARBON_STAGING") or Path("data") / "staging"),
        reports=Path(env.get("CARBON_REPORTS") or Path("data") / "reports"),
    )
