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
    # Raw and ledger months kept as Parquet in a folder or s3://bucket/prefix (carbon_pipeline/storage);
    # None: the warehouse file is the only copy.
    partition_store: str | None = None
    partition_store_region: str | None = None
    partition_store_endpoint_url: str | None = None
    partition_store_credentials: str | None = None  # a source's `credentials:` value as YAML text (names only)
    # Where ledger -> emissions -> marts run: duckdb (in the warehouse) or spark (docs/spark.md)
    engine: str = "duckdb"
    spark_master: str | None = None  # local[2] when None; or spark://host:7077
    # The date source freshness is judged against (YYYY-MM-DD); None: the day each check runs
    as_of: str | None = None

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
        partition_store=env.get("CARBON_PARTITION_STORE") or None,
        partition_store_region=env.get("CARBON_PARTITION_STORE_REGION") or None,
        partition_store_endpoint_url=env.get("CARBON_PARTITION_STORE_ENDPOINT_URL") or None,
        partition_store_credentials=env.get("CARBON_PARTITION_STORE_CREDENTIALS") or None,
        engine=(env.get("CARBON_ENGINE") or "duckdb").strip().lower(),
        spark_master=env.get("CARBON_SPARK_MASTER") or None,
        as_of=(env.get("CARBON_AS_OF") or "").strip() or None,
    )
