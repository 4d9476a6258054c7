"""The parsed sources file (SPEC: The sources file): which deliveries to read and the inventory's policies.

Plain values only; reading and validating the YAML is sources_file.py, which asks each kind's declaration
(sources/<kind>/__init__.py) for its options."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from carbon_pipeline.factors.user_files import UserFactorFile
from carbon_pipeline.hourly.config import HourlySettings


@dataclass(frozen=True)
class SourceConfig:
    id: str
    kind: str
    uri: str
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def is_s3(self) -> bool:
        return self.uri.startswith("s3://")


DEFAULT_BOUNDARY = (
    "The reporting organisation and the operations covered by the configured sources (not yet reviewed: set "
    "settings.organisational_boundary in the sources file)"
)


@dataclass(frozen=True)
class InventorySettings:
    coefficient_profile: str = "default"
    cloud_scope_policy: str = "scope3_category1"
    carbon_model_version: str = "newest"
    start_month: date = date(2024, 1, 1)
    # What a GHG inventory reviewer asks first (GHG Protocol Corporate Standard ch. 3-5). The pipeline cannot know
    # them; the report prints them exactly as given, so an organisation states them once, in the sources file.
    organisational_boundary: str = DEFAULT_BOUNDARY
    consolidation_approach: str = "operational_control"
    base_year: int | None = None  # None: not declared (the report says so; it never picks one)
    max_spend_fallback_share: float = 0.2  # blocking above this share of a provider-month on the spend fallback
    # settings.uncertainty: (tier, relative 95 % half-width) replacing the shipped defaults (docs/uncertainty.md)
    uncertainty_overrides: tuple[tuple[str, float], ...] = ()
    # settings.scope3_screening: (category 1-15, status not_relevant | not_estimated, reason) as the organisation
    # screened it; shown in the report's 15-category screening (docs/sources.md)
    scope3_screening: tuple[tuple[int, str, str], ...] = ()
    # settings.intensity_denominators: (name, unit, year, value) rows, one per denominator and year, for the
    # tCO2e-per-unit intensity metrics (marts.intensity_metrics, docs/sources.md)
    intensity_denominators: tuple[tuple[str, str, int, float], ...] = ()

    @property
    def pinned_model_version(self) -> str | None:
        return None if self.carbon_model_version == "newest" else self.carbon_model_version


@dataclass(frozen=True)
class SourcesFile:
    path: Path
    sources: tuple[SourceConfig, ...]
    settings: InventorySettings
    # factor files the user brings under their own licence (docs/factors.md); never shipped
    user_factor_files: tuple[UserFactorFile, ...] = ()
    # hourly carbon (docs/hourly.md): off unless the file's `hourly:` section turns it on
    hourly: HourlySettings = field(default_factory=HourlySettings)

    def of_kind(self, kind: str) -> list[SourceConfig]:
        return [s for s in self.sources if s.kind == kind]
