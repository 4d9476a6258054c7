"""What the definitions of one deployment are built from: its settings (SPEC: Configuration), the first
monthly partition and the configured sources, read once when the code location loads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import dagster as dg

from carbon_pipeline.orchestration.partitions import monthly_partitions
from carbon_pipeline.settings import Settings
from carbon_pipeline.sources.config import InventorySettings, SourceConfig
from carbon_pipeline.sources.sources_file import load_sources_file


@dataclass(frozen=True)
class Deployment:
    settings: Settings
    first_month: date
    sources: tuple[SourceConfig, ...]
    # the sources file turns hourly carbon on (docs/hourly.md): the hourly stage's assets exist only then
    hourly: bool = False

    @property
    def partitions(self) -> dg.MonthlyPartitionsDefinition:
        return monthly_partitions(self.first_month)

    @classmethod
    def of(cls, settings: Settings) -> Deployment:
        """Partitions start at the sources file's start_month, and each source gets its own schedule and
        sensor. Before the demo is generated (first `make ui` on a fresh clone) the defaults apply."""
        if settings.sources_file.exists():
            config = load_sources_file(settings.sources_file)
            return cls(settings, config.settings.start_month, config.sources, config.hourly.enabled)
        return cls(settings, InventorySettings().start_month, ())
