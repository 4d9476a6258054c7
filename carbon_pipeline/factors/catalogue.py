"""Loading the shipped factor files into the factors schema, each row carrying its file's SHA-256.

The catalogue is replaced whole in one transaction: its version is the set of file checksums, which
is returned as metadata so a run records exactly which factor files it used.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import duckdb

from carbon_pipeline.warehouse.connection import transaction
from carbon_pipeline.warehouse.sql_models import insert_model

DATA_DIR = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class FactorFile:
    file: str
    table: str
    model: str
    extra: tuple[tuple[str, str], ...] = ()


FACTOR_FILES = (
    FactorFile(
        "egrid2023rev2_subregion_total_output_rates.csv",
        "factors.emission_factors",
        "factors/egrid_subregions",
        (("dataset", "egrid2023rev2"),),
    ),
    FactorFile(
        "egrid2022_subregion_total_output_rates.csv",
        "factors.emission_factors",
        "factors/egrid_subregions",
        (("dataset", "egrid2022"),),
    ),
    FactorFile("ember_country_intensity_latest_subset.csv", "factors.emission_factors", "factors/ember_countries"),
    FactorFile("epa_ghg_hub_2018_mobile_travel.csv", "factors.emission_factors", "factors/epa_mobile_travel"),
    FactorFile("aws_region_location_factors.csv", "factors.aws_region_grid", "factors/aws_region_grid"),
    FactorFile("cloud_usage_coefficients.csv", "factors.cloud_usage_coefficients", "factors/cloud_usage_coefficients"),
    FactorFile("unit_conversions.csv", "factors.unit_conversions", "factors/unit_conversions"),
    # Usage-based cloud estimate (issue 4): CCF's coefficient files and the tables that key into them.
    FactorFile("ccf_aws_instances.csv", "factors.aws_instance_types", "factors/aws_instance_types"),
    FactorFile("ccf_coefficients_aws_embodied.csv", "factors.aws_instance_embodied", "factors/aws_instance_embodied"),
    FactorFile("aws_platform_processors.csv", "factors.aws_platform_processors", "factors/aws_platform_processors"),
    FactorFile(
        "ccf_aws_processor_coefficients.csv", "factors.aws_processor_coefficients", "factors/aws_processor_coefficients"
    ),
    FactorFile("aws_burstable_baselines.csv", "factors.aws_burstable_baselines", "factors/aws_burstable_baselines"),
    FactorFile("ccf_aws_usage_type_rules.csv", "factors.aws_usage_type_rules", "factors/aws_usage_type_rules"),
    # CCF's grid factors: emission factors like any other, used only by the `ccf` coefficient profile.
    FactorFile("ccf_aws_grid_factors_2024.csv", "factors.emission_factors", "factors/ccf_aws_grid"),
)
TABLES = sorted({f.table for f in FACTOR_FILES})


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load_catalogue(con: duckdb.DuckDBPyConnection, data_dir: Path = DATA_DIR) -> dict[str, object]:
    checksums: dict[str, str] = {}
    rows: dict[str, int] = {}
    with transaction(con):
        for table in TABLES:
            con.execute(f"DELETE FROM {table}")
        for factor_file in FACTOR_FILES:
            path = data_dir / factor_file.file
            checksum = file_sha256(path)
            checksums[factor_file.file] = checksum
            rows[factor_file.file] = insert_model(
                con,
                factor_file.table,
                factor_file.model,
                path=str(path),
                source_file=factor_file.file,
                file_sha256=checksum,
                **dict(factor_file.extra),
            )
    return {"checksums": checksums, "rows": rows}
