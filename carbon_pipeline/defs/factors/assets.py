"""Factors stage: the shipped factor catalogue, versioned by the SHA-256 of each file."""

import dagster as dg

from carbon_pipeline.factors.catalogue import load_catalogue
from carbon_pipeline.orchestration.keys import FACTOR_CATALOGUE_KEY
from carbon_pipeline.orchestration.metadata import markdown_table
from carbon_pipeline.orchestration.resources import SourcesResource, WarehouseResource


@dg.asset(
    key=FACTOR_CATALOGUE_KEY,
    group_name="factors",
    description="Emission factors with provenance (publisher, edition, data year, licence, file checksum), "
    "the AWS region -> grid geography map, usage coefficients and unit conversions. "
    "Sources: carbon_pipeline/factors/data/SOURCES.md.",
    kinds={"duckdb"},
)
def factor_catalogue(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, sources: SourcesResource
) -> dg.MaterializeResult:
    # the user's own factor files (user_factor_files: in the sources file), loaded non-redistributable
    user_files = sources.load().user_factor_files
    with warehouse.connect() as con:
        loaded = load_catalogue(con, user_files=user_files)
        by_publisher = con.execute(
            """SELECT publisher, edition, boundary, COUNT(*) FROM factors.emission_factors
               GROUP BY ALL ORDER BY 1, 2"""
        ).fetchall()
    checksums = loaded["checksums"]
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": sum(loaded["rows"].values()),
            "factor_files": markdown_table(
                ["file", "rows", "sha256"], [(f, loaded["rows"][f], checksums[f][:16]) for f in sorted(checksums)]
            ),
            "factors_by_publisher": markdown_table(["publisher", "edition", "boundary", "factors"], by_publisher),
            "user_factor_files": markdown_table(
                ["kind", "file", "edition", "rows"],
                [(u.kind, str(u.path), u.edition, loaded["rows"][str(u.path)]) for u in user_files],
            )
            if user_files
            else "none (optional: docs/factors.md)",
        },
        data_version=dg.DataVersion("".join(checksums[f][:8] for f in sorted(checksums))),
    )
