"""Publishing the serving file: build a complete copy beside it, then swap it in with os.replace.

DuckDB allows one writer OR many readers per file, so BI tools never open the pipeline's warehouse.
The swap is atomic on POSIX: a reader that already has the old file open keeps its snapshot (the
inode stays alive until it closes), a new reader sees the new file whole, and nothing ever sees a
half-built one.

Beside it, ``parquet/<schema>.<table>.parquet`` holds copies of the marts for tools that prefer files.
``parquet`` is a symlink to a hidden folder built whole; replacing the symlink with ``os.replace`` swaps
the folder atomically (a plain rename cannot replace a non-empty folder), so a reader sees the old set
of files or the new one, never a mix.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import duckdb

from carbon_pipeline.safety.leftovers import remove_dead_leftovers
from carbon_pipeline.transforms import MONTE_CARLO_DRAWS, MONTE_CARLO_SEED
from carbon_pipeline.warehouse.connection import memory_limit, released
from carbon_pipeline.warehouse.sql_models import insert_model, model_sql

SERVED_TABLES = (
    ("marts", "scope_summary"),
    ("marts", "cloud_emissions"),
    ("marts", "cloud_reconciliation"),
    ("ledger", "activity"),
    ("ledger", "provider_emissions"),
    ("emissions", "activity_emissions"),
    # uncertainty and data quality (issue 17): the bi.*uncertainty* views and the report read these
    ("emissions", "emission_uncertainty"),
    ("marts", "scope_summary_uncertainty"),
    ("marts", "cloud_reconciliation_uncertainty"),
    ("marts", "uncertainty_ranges"),
    ("factors", "uncertainty_defaults"),
    ("factors", "emission_factors"),
    ("factors", "aws_region_grid"),
    ("raw", "deliveries"),
    ("raw", "delivery_objects"),
    ("audit", "restatements"),
    ("published", "snapshots"),
    ("published", "scope_summary"),
    ("published", "figures"),
    ("audit", "restatement_log"),
    ("audit", "restatement_bridge"),
)
# Tables the publish computes in the serving file rather than copies: each year's totals with their range,
# propagated again from the year's figures (_yearly_uncertainty), which no monthly table of the warehouse holds;
# the intensity metrics and their denominators (whole-year figures from the copied marts and the sources file);
# emissions split by gas.
COMPUTED_TABLES = (
    ("marts", "uncertainty_by_year"),
    ("marts", "intensity_denominators"),
    ("marts", "intensity_metrics"),
    ("marts", "emissions_by_gas"),
)
# Hourly carbon (docs/hourly.md), an option: published only when the warehouse has them (hourly on), so with
# hourly off the serving file is exactly what it was. The hour-of-day view is copied as a table.
OPTIONAL_TABLES = (
    ("marts", "hourly_vs_annual"),
    ("marts", "hourly_market_scope2"),
    ("marts", "hourly_intensity_by_hour_of_day"),
)
# BI tools embed their own DuckDB (JDBC in DBeaver and Metabase, duckdb-engine in Superset, Node in
# Evidence), often a release or two behind the pipeline's. Writing the file in an older storage format
# lets any DuckDB >= 1.0 open it; a new file would otherwise need the pipeline's own version.
SERVING_STORAGE_VERSION = "v1.0.0"
PARQUET_TABLES = tuple((schema, table) for schema, table in SERVED_TABLES if schema == "marts")
# Copied in the warehouse's own row order rather than sorted: a row per activity and method, hundreds of thousands at
# a 10M-line month, where sorting every column (a 300-character formula among them) took a third of the publish
# and most of its memory at 100M line items (docs/performance.md, Profile 42). Their rows, like any SQL table's,
# come in no promised order: readers sort by the key (the data dictionary says so), and the views and report queries
# that add their rows up do it exactly, as DECIMAL (serving/test_row_order.py). Every other served table, and every
# Parquet copy, is still copied in a fixed order.
UNSORTED_TABLES = frozenset(
    {("ledger", "activity"), ("emissions", "activity_emissions"), ("emissions", "emission_uncertainty")}
)


def parquet_folder(serving: Path) -> Path:
    """Where the Parquet copies of the marts are published: beside the serving file."""
    return serving.parent / "parquet"


def publish_serving(
    warehouse: Path, serving: Path, intensity_denominators: Sequence[tuple[str, str, int, float]] = ()
) -> dict[str, int]:
    """Copy the served tables (rows in a fixed order, so equal data gives equal files' contents, except the
    activity-grain UNSORTED_TABLES), and build the intensity metrics from marts.scope_summary and the sources
    file's ``intensity_denominators`` (name, unit, year, value): whole-year figures, rebuilt with every publish
    (dbt_like_sql/serving/intensity_metrics.sql)."""
    serving.parent.mkdir(parents=True, exist_ok=True)
    # what a killed publish left behind (its copy of the database, its Parquet folder, its new symlink)
    remove_dead_leftovers(serving.parent, f".{serving.name}.", ".building")
    remove_dead_leftovers(serving.parent, f".{serving.name}.", ".building.wal")
    remove_dead_leftovers(serving.parent, f".{serving.name}.", ".building.tmp")  # its spill folder
    remove_dead_leftovers(serving.parent, ".parquet.", ".building")
    remove_dead_leftovers(serving.parent, f".{parquet_folder(serving).name}.", ".link")
    staging = serving.with_name(f".{serving.name}.{os.getpid()}.building")
    staging.unlink(missing_ok=True)
    parquet_staging = serving.parent / f".parquet.{os.getpid()}.building"
    shutil.rmtree(parquet_staging, ignore_errors=True)
    # under the warehouse's memory limit (spilling to <staging>.tmp beside it): most served tables are copied in a
    # fixed order, a sort; sorting every table took 7.9 GB at 100M line items with DuckDB's default (80 % of the
    # machine)
    config = {"storage_compatibility_version": SERVING_STORAGE_VERSION, "memory_limit": memory_limit()}
    with released(warehouse):  # a run keeps the warehouse open; DuckDB attaches a file one process has open once
        counts = _copy_and_build(staging, parquet_staging, warehouse, config, intensity_denominators)
    os.replace(staging, serving)
    _swap_folder(parquet_staging, parquet_folder(serving))
    return counts


def _copy_and_build(
    staging: Path,
    parquet_staging: Path,
    warehouse: Path,
    config: dict[str, str],
    intensity_denominators: Sequence[tuple[str, str, int, float]],
) -> dict[str, int]:
    """The new serving file at ``staging`` and its Parquet folder: the served tables copied from the
    warehouse, the yearly ranges, intensity metrics, gases, dictionary and views; removed if anything fails.
    Returns the rows of each table built."""
    counts: dict[str, int] = {}
    con = duckdb.connect(str(staging), config=config)
    try:
        con.execute("ATTACH ? AS wh (READ_ONLY)", [str(warehouse)])
        # one transaction for the copies, one for the views: in autocommit each of the ~500 statements (tables,
        # comments, views) commits on its own, which took half the publish (docs/performance.md, Profile 33)
        con.execute("BEGIN")
        for schema, table in SERVED_TABLES:
            order = "" if (schema, table) in UNSORTED_TABLES else " ORDER BY ALL"
            con.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
            con.execute(f"CREATE TABLE {schema}.{table} AS SELECT * FROM wh.{schema}.{table}{order}")
            counts[f"{schema}.{table}"] = con.execute(f"SELECT COUNT(*) FROM {schema}.{table}").fetchall()[0][0]
        counts["marts.uncertainty_by_year"] = _yearly_uncertainty(con)
        present = {
            (schema, name)
            for schema, name in con.execute(
                "SELECT table_schema, table_name FROM information_schema.tables WHERE table_catalog = 'wh'"
            ).fetchall()
        }
        for schema, table in OPTIONAL_TABLES:
            if (schema, table) in present:
                con.execute(f"CREATE TABLE {schema}.{table} AS SELECT * FROM wh.{schema}.{table} ORDER BY ALL")
                counts[f"{schema}.{table}"] = con.execute(f"SELECT COUNT(*) FROM {schema}.{table}").fetchall()[0][0]
        _build_intensity(con, intensity_denominators)
        counts["marts.intensity_metrics"] = con.execute("SELECT COUNT(*) FROM marts.intensity_metrics").fetchall()[0][0]
        con.execute(f"CREATE TABLE marts.emissions_by_gas AS {model_sql('serving/emissions_by_gas')}")
        counts["marts.emissions_by_gas"] = con.execute("SELECT COUNT(*) FROM marts.emissions_by_gas").fetchall()[0][0]
        con.execute(model_sql("serving/data_dictionary"))
        con.execute("COMMIT")
        con.execute("DETACH wh")
        # after DETACH: a view that still named the warehouse would fail here, not in a BI tool
        con.execute("BEGIN")
        con.execute(model_sql("serving/views"))
        con.execute(model_sql("serving/intensity_views"))
        con.execute(model_sql("serving/emissions_by_gas_views"))
        con.execute("COMMIT")
        _write_parquet(con, parquet_staging)
        con.execute("CHECKPOINT")
    except BaseException:
        con.close()
        staging.unlink(missing_ok=True)
        shutil.rmtree(parquet_staging, ignore_errors=True)
        raise
    con.close()
    return counts


def _yearly_uncertainty(con: duckdb.DuckDBPyConnection) -> int:
    """Each year's scope and inventory totals with their 95 % range, for bi.inventory_uncertainty: the model that
    gives the warehouse's months theirs (marts/uncertainty_ranges.sql), run here over the copied figures with
    ``uncertainty_period = 'year'``, so a year's range is propagated from its figures (a factor shared by twelve
    months still one error; the same seeded Monte Carlo where a tier is skewed), never added from months."""
    con.execute("CREATE TABLE marts.uncertainty_by_year AS SELECT * FROM wh.marts.uncertainty_ranges LIMIT 0")
    first, last = con.execute(
        "SELECT MIN(period_month), MAX(period_month) FROM emissions.emission_uncertainty"
    ).fetchone()
    if first is None:
        return 0
    return insert_model(
        con,
        "marts.uncertainty_by_year",
        "marts/uncertainty_ranges",
        start=date(first.year, 1, 1),
        end=date(last.year + 1, 1, 1),
        uncertainty_period="year",
        monte_carlo_seed=MONTE_CARLO_SEED,
        monte_carlo_draws=MONTE_CARLO_DRAWS,
    )


def _build_intensity(con: duckdb.DuckDBPyConnection, denominators: Sequence[tuple[str, str, int, float]]) -> None:
    """marts.intensity_denominators as given in the sources file, and marts.intensity_metrics from them."""
    con.execute(
        """CREATE TABLE marts.intensity_denominators (
               name VARCHAR NOT NULL, unit VARCHAR NOT NULL, reporting_year INTEGER NOT NULL, value DOUBLE NOT NULL)"""
    )
    if denominators:
        con.executemany("INSERT INTO marts.intensity_denominators VALUES (?, ?, ?, ?)", [list(d) for d in denominators])
    con.execute(f"CREATE TABLE marts.intensity_metrics AS {model_sql('serving/intensity_metrics')}")


def _write_parquet(con: duckdb.DuckDBPyConnection, folder: Path) -> None:
    """One Parquet file per mart, rows in a fixed order so equal data gives equal files."""
    folder.mkdir(parents=True)
    for schema, table in PARQUET_TABLES:
        target = str(folder / f"{schema}.{table}.parquet").replace("'", "''")  # COPY takes no bound path
        con.execute(f"COPY (SELECT * FROM {schema}.{table} ORDER BY ALL) TO '{target}' (FORMAT parquet)")


def _swap_folder(built: Path, link: Path) -> None:
    """Make ``link`` point at ``built`` in one atomic step, then delete the folders it pointed at before
    (open files stay readable until closed; new opens go through the new link)."""
    version = link.with_name(f".{link.name}-{time.time_ns()}")
    built.rename(version)
    new_link = link.with_name(f".{link.name}.{os.getpid()}.link")
    new_link.unlink(missing_ok=True)
    new_link.symlink_to(version.name, target_is_directory=True)
    if link.is_dir() and not link.is_symlink():  # a plain folder left by hand: cannot be replaced atomically
        shutil.rmtree(link)
    os.replace(new_link, link)
    for old in link.parent.glob(f".{link.name}-*"):
        if old.name != version.name:
            shutil.rmtree(old, ignore_errors=True)
