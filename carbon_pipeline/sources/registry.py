"""Which reader serves which source kind, and which raw table it fills."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from types import ModuleType

import duckdb

from carbon_pipeline.sources import (
    activity_csv,
    aws_carbon,
    aws_cur,
    aws_cur2,
    aws_sustainability_api,
    azure_carbon,
    focus,
    gcp_carbon,
)
from carbon_pipeline.sources.config import SourceConfig
from carbon_pipeline.sources.landing import open_landing


@dataclass(frozen=True)
class Reader:
    kind: str
    raw_table: str
    module: ModuleType

    def load_month(
        self, con: duckdb.DuckDBPyConnection, source: SourceConfig, month: date, run_id: str | None, force: bool = False
    ) -> dict:
        return self.module.load_month(con, open_landing(source), source, month, run_id=run_id, force=force)

    def available_months(self, source: SourceConfig) -> list[date]:
        return self.module.available_months(open_landing(source), source)

    def delivery_identity(self, source: SourceConfig, month: date) -> str | None:
        return self.module.delivery_identity(open_landing(source), source, month)

    def cleanup(self, source: SourceConfig) -> None:
        """Drop the source's staged copies once its months are committed."""
        open_landing(source).cleanup()


class ApiReader(Reader):
    """A source read from an API rather than from objects: no landing folder, nothing staged."""

    def load_month(
        self, con: duckdb.DuckDBPyConnection, source: SourceConfig, month: date, run_id: str | None, force: bool = False
    ) -> dict:
        return self.module.load_month(con, source, month, run_id=run_id, force=force)

    def available_months(self, source: SourceConfig) -> list[date]:
        return self.module.available_months(source)

    def delivery_identity(self, source: SourceConfig, month: date) -> str | None:
        return self.module.delivery_identity(source, month)

    def cleanup(self, source: SourceConfig) -> None:
        """Nothing was staged."""


READERS = {
    "aws_cur": Reader("aws_cur", "raw.aws_cur_line_items", aws_cur),
    "aws_cur2": Reader("aws_cur2", "raw.aws_cur2_line_items", aws_cur2),
    "aws_carbon": Reader("aws_carbon", "raw.aws_carbon_emissions", aws_carbon),
    "activity_csv": Reader("activity_csv", "raw.activity_rows", activity_csv),
    "focus": Reader("focus", "raw.focus_charges", focus),
    # the three below share raw.provider_carbon_emissions (dbt_like_sql/schema/50_provider_carbon.sql)
    "gcp_carbon": Reader("gcp_carbon", "raw.provider_carbon_emissions", gcp_carbon),
    "azure_carbon": Reader("azure_carbon", "raw.provider_carbon_emissions", azure_carbon),
    "aws_sustainability_api": ApiReader(
        "aws_sustainability_api", "raw.provider_carbon_emissions", aws_sustainability_api
    ),
}


def reader_for(source: SourceConfig) -> Reader:
    return READERS[source.kind]
