"""Loading the shipped factor files (and the user's own, never shipped) into the factors schema, each row
carrying its file's SHA-256.

The catalogue is replaced whole in one transaction: its version is the set of file checksums, which
is returned as metadata (and kept in factors.catalogue_files) so a run records exactly which factor files
it used. Which edition a factor is meant for is on each row (valid_from / valid_to / superseded_by);
the rule that fills them is in docs/factors.md.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

from carbon_pipeline.factors.user_files import LAYOUTS, UserFactorFile, validate_user_file
from carbon_pipeline.warehouse.connection import transaction
from carbon_pipeline.warehouse.sql_models import insert_model

DATA_DIR = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class FactorFile:
    file: str
    table: str
    model: str
    extra: tuple[tuple[str, str], ...] = ()
    # (valid_from, valid_to, superseded_by) of every factor of the file; "" = NULL (open / not superseded)
    validity: tuple[str, str, str] = ("", "", "")


FACTOR_FILES = (
    FactorFile(
        "egrid2023rev2_subregion_total_output_rates.csv",
        "factors.emission_factors",
        "factors/egrid_subregions",
        (("dataset", "egrid2023rev2"),),
        ("2025-01-01", "", ""),
    ),
    FactorFile(
        "egrid2022_subregion_total_output_rates.csv",
        "factors.emission_factors",
        "factors/egrid_subregions",
        (("dataset", "egrid2022"),),
        ("2024-01-01", "2024-12-31", "eGRID2023rev2"),
    ),
    FactorFile("ember_country_intensity_latest_subset.csv", "factors.emission_factors", "factors/ember_countries"),
    # EEA direct intensities for EU-27 member states (preferred to Ember's lifecycle ones): build/build_eea_factors.py;
    # validity is per row (each data year until the next), so the file-wide triple stays empty.
    FactorFile(
        "eea_ghg_intensity_electricity_member_states.csv", "factors.emission_factors", "factors/eea_member_states"
    ),
    FactorFile(
        "epa_ghg_hub_2018_mobile_travel.csv",
        "factors.emission_factors",
        "factors/epa_mobile_travel",
        validity=("2018-01-01", "2023-12-31", "GHG Emission Factors Hub 2024"),
    ),
    # Issue 4's factor library: built from publisher copies by build/build_factor_files.py (SOURCES.md).
    FactorFile(
        "desnz_2025_conversion_factors.csv",
        "factors.emission_factors",
        "factors/desnz_conversion_factors",
        validity=("2025-01-01", "", ""),
    ),
    FactorFile(
        "epa_ghg_hub_2024.csv", "factors.emission_factors", "factors/epa_hub_2024", validity=("2024-01-01", "", "")
    ),
    FactorFile(
        "useeio_v1_3_naics_co2e_usd2022.csv",
        "factors.emission_factors",
        "factors/useeio_supply_chain",
        validity=("2024-01-01", "", ""),
    ),
    FactorFile("aws_region_location_factors.csv", "factors.aws_region_grid", "factors/aws_region_grid"),
    FactorFile("cloud_region_grid_geographies.csv", "factors.cloud_region_grid", "factors/cloud_region_grid"),
    FactorFile("cloud_usage_coefficients.csv", "factors.cloud_usage_coefficients", "factors/cloud_usage_coefficients"),
    FactorFile("unit_conversions.csv", "factors.unit_conversions", "factors/unit_conversions"),
    FactorFile("contract_items.csv", "factors.contract_items", "factors/contract_items"),
    # Usage-based cloud estimate (issue 4): CCF's coefficient files and the tables that key into them.
    FactorFile("ccf_aws_instances.csv", "factors.aws_instance_types", "factors/aws_instance_types"),
    # the instance types CCF's own EC2 table knows that aws-instances.csv does not (after it: an anti-join)
    FactorFile("ccf_aws_ec2_instance_types.csv", "factors.aws_instance_types", "factors/aws_instance_types_ccf"),
    FactorFile("ccf_coefficients_aws_embodied.csv", "factors.aws_instance_embodied", "factors/aws_instance_embodied"),
    FactorFile("aws_platform_processors.csv", "factors.aws_platform_processors", "factors/aws_platform_processors"),
    FactorFile(
        "ccf_aws_processor_coefficients.csv", "factors.aws_processor_coefficients", "factors/aws_processor_coefficients"
    ),
    FactorFile("aws_burstable_baselines.csv", "factors.aws_burstable_baselines", "factors/aws_burstable_baselines"),
    FactorFile("ccf_aws_usage_type_rules.csv", "factors.aws_usage_type_rules", "factors/aws_usage_type_rules"),
    FactorFile("ccf_aws_instance_processors.csv", "factors.ccf_instance_processors", "factors/ccf_instance_processors"),
    # Azure, Google Cloud and OCI usage estimate (issue 14): build/build_ccf_cloud_tables.py, SOURCES.md.
    FactorFile(
        "ccf_cloud_provider_coefficients.csv",
        "factors.cloud_provider_coefficients",
        "factors/cloud_provider_coefficients",
    ),
    FactorFile(
        "ccf_cloud_processor_coefficients.csv",
        "factors.cloud_processor_coefficients",
        "factors/cloud_processor_coefficients",
    ),
    FactorFile("ccf_cloud_machine_types.csv", "factors.cloud_machine_types", "factors/cloud_machine_types"),
    FactorFile("ccf_azure_sku_sizes.csv", "factors.azure_sku_sizes", "factors/azure_sku_sizes"),
    FactorFile("cloud_region_aliases.csv", "factors.cloud_region_aliases", "factors/cloud_region_aliases"),
    FactorFile("oci_shapes.csv", "factors.oci_shapes", "factors/oci_shapes"),
    # CCF's grid factors: emission factors like any other, used only by the `ccf` coefficient profile.
    FactorFile("ccf_aws_grid_factors_2024.csv", "factors.emission_factors", "factors/ccf_aws_grid"),
    # Default relative uncertainty per data-quality tier, each with its source (issue 17, docs/uncertainty.md).
    FactorFile("uncertainty_defaults.csv", "factors.uncertainty_defaults", "factors/uncertainty_defaults"),
)
# Rebuilt with the catalogue though no shipped file fills them directly.
DERIVED_TABLES = ("factors.geography_parents", "factors.certificates", "factors.catalogue_files")
TABLES = sorted({f.table for f in FACTOR_FILES} | set(DERIVED_TABLES))


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load_catalogue(
    con: duckdb.DuckDBPyConnection, data_dir: Path = DATA_DIR, user_files: Sequence[UserFactorFile] = ()
) -> dict[str, object]:
    """Replace the catalogue with the shipped files plus the user's own files. Every user file is validated
    whole before anything changes, so a bad file (named with row and column) leaves the catalogue as it was."""
    user_rows = {str(u.path): validate_user_file(u) for u in user_files}
    checksums: dict[str, str] = {}
    rows: dict[str, int] = {}
    with transaction(con):
        for table in TABLES:
            con.execute(f"DELETE FROM {table}")
        for factor_file in FACTOR_FILES:
            path = data_dir / factor_file.file
            checksum = file_sha256(path)
            checksums[factor_file.file] = checksum
            valid_from, valid_to, superseded_by = factor_file.validity
            rows[factor_file.file] = insert_model(
                con,
                factor_file.table,
                factor_file.model,
                path=str(path),
                source_file=factor_file.file,
                file_sha256=checksum,
                valid_from=valid_from,
                valid_to=valid_to,
                superseded_by=superseded_by,
                **dict(factor_file.extra),
            )
            _record_file(con, factor_file.file, "shipped", factor_file.table, rows[factor_file.file], checksum, None)
        for user_file in user_files:
            _, _, model, table = LAYOUTS[user_file.kind]
            key = str(user_file.path)
            checksum = file_sha256(user_file.path)
            checksums[key] = checksum
            rows[key] = insert_model(
                con,
                table,
                model,
                path=key,
                source_file=key,
                file_sha256=checksum,
                edition=user_file.edition,
                licence_note=user_file.licence_note,
            )
            if rows[key] != user_rows[key]:
                raise RuntimeError(f"user factor file '{key}': {user_rows[key]} rows validated, {rows[key]} loaded")
            licence = user_file.licence_note
            _record_file(con, key, f"user:{user_file.kind}", table, rows[key], checksum, licence)
        insert_model(con, "factors.geography_parents", "factors/geography_parents")
    return {"checksums": checksums, "rows": rows, "user_files": sorted(user_rows)}


def _record_file(
    con: duckdb.DuckDBPyConnection,
    source_file: str,
    origin: str,
    table: str,
    rows: int,
    checksum: str,
    user_licence: str | None,
) -> None:
    """One row of factors.catalogue_files; a shipped file's licence is the one its factors carry."""
    if user_licence is None:
        found = con.execute(
            "SELECT string_agg(DISTINCT licence, '; ') FROM factors.emission_factors WHERE source_file = ?",
            [source_file],
        ).fetchall()[0][0]
        licence = found or "see carbon_pipeline/factors/data/SOURCES.md"
    else:
        licence = user_licence
    con.execute(
        "INSERT INTO factors.catalogue_files VALUES (?, ?, ?, ?, ?, ?, ?)",
        [source_file, origin, table, rows, licence, user_licence is None, checksum],
    )
