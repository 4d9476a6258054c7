"""The table of malformed inputs (issue 3): what is damaged, how, and what a data engineer running the
pipeline on real billing data must see. Corruptions are built in carbon_pipeline_tests/fixtures/malformed/build.py.

Outcomes:

* ``fails``: the run fails with a message holding every ``expected`` substring (``{cur_key}`` and the other
  placeholders of build.object_keys are the objects' keys) and the warehouse is unchanged;
* ``flagged``: the data is usable, so the run succeeds; ``flag_sql`` finds the damaged row with its flag and
  ``totals_sql`` (the other rows) is the same as for the clean file;
* ``loads``: not an error at all (BOM, CRLF, a very long field): the run succeeds and ``totals_sql`` is the same
  as for the clean file.

Every case is checked where its behaviour lives: the sources file's loader, or the kind's reader in a
transaction on a copy of the clean warehouse (the raw asset's own protocol), and for flags set downstream,
only the ledger and emissions assets. ``job`` cases are also run through the whole inventory job: the
failure surface a person sees (the failed step's message) and the nothing-written guarantee end to end.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from carbon_pipeline_tests.fixtures.malformed import build as b

Outcome = Literal["fails", "flagged", "loads"]


@dataclass(frozen=True)
class Case:
    id: str
    source_id: str
    kind: str
    corrupt: b.Corruption
    outcome: Outcome
    expected: tuple[str, ...] = ()
    flag_sql: str = ""
    flag: tuple[tuple, ...] = ()
    totals_sql: str = ""
    job: bool = False

    def __str__(self) -> str:
        return self.id


MARCH = "period_month = DATE '2025-03-01'"


def cur_totals(except_line: int = 0) -> str:
    return (
        "SELECT COUNT(*), ROUND(SUM(usage_amount), 6), SUM(unblended_cost) FROM raw.aws_cur_line_items "
        f"WHERE source_id = 'demo-cur' AND {MARCH} AND object_line <> {except_line}"
    )


def activity_totals(source_id: str, except_line: int = 0) -> str:
    return (
        "SELECT COUNT(*), ROUND(SUM(quantity), 6), SUM(cost) FROM raw.activity_rows "
        f"WHERE source_id = '{source_id}' AND {MARCH} AND object_line <> {except_line}"
    )


def focus_totals(except_line: int = 0) -> str:
    return (
        "SELECT COUNT(*), ROUND(SUM(consumed_quantity), 6), SUM(billed_cost) FROM raw.focus_charges "
        f"WHERE source_id = 'demo-focus' AND {MARCH} AND object_line <> {except_line}"
    )


CARBON_TOTALS = (
    "SELECT COUNT(*), ROUND(SUM(total_lbm_mtco2e), 6), ROUND(SUM(total_mbm_mtco2e), 6) FROM raw.aws_carbon_emissions "
    f"WHERE source_id = 'demo-carbon' AND {MARCH}"
)
CUR = ("source 'demo-cur'", "object '{cur_key}'")
CUR_PARQUET = ("source 'demo-cur'", "object '{cur_parquet_key}'")
CARBON = ("source 'demo-carbon'", "object '{carbon_key}'")
ELECTRICITY = ("source 'demo-electricity'", "object 'electricity_2025.csv'")
FUEL = ("source 'demo-fleet-fuel'", "object 'fleet_fuel_2025.csv'")
TRAVEL = ("source 'demo-travel'", "object 'travel_2025.csv'")
FOCUS = ("source 'demo-focus'", "object '{focus_key}'")
SOURCES_FILE = ("sources.yaml",)


def cur_ledger_flag(region: str = "", unit: str = "") -> str:
    """The emissions flag of the ledger row that holds the damaged line (line 2: EC2 BoxUsage m5.xlarge)."""
    return (
        "SELECT DISTINCT l.region, l.unit, e.flag FROM ledger.activity AS l JOIN emissions.activity_emissions AS e "
        f"USING (activity_id) WHERE l.source_id = 'demo-cur' AND l.{MARCH} AND "
        f"(l.region = '{region}' OR l.unit = '{unit}')"
    )


CASES: tuple[Case, ...] = (
    # --- legacy CUR, gzip CSV -----------------------------------------------------------------------------
    Case("cur_truncated_gzip", "demo-cur", "aws_cur", b.truncate("cur"), "fails", (*CUR, "cannot be read")),
    Case("cur_zero_byte_object", "demo-cur", "aws_cur", b.empty("cur"), "fails", (*CUR, "cannot be read")),
    Case(
        "cur_semicolon_delimited", "demo-cur", "aws_cur", b.replace_delimiter("cur"), "loads", totals_sql=cur_totals()
    ),
    Case(
        "cur_missing_usage_amount_column",
        "demo-cur",
        "aws_cur",
        b.drop_column("cur", "lineItem/UsageAmount"),
        "fails",
        (*CUR, "row 1", "column 'lineItem/UsageAmount'", "required column missing"),
    ),
    Case(
        "cur_renamed_cost_column",
        "demo-cur",
        "aws_cur",
        b.rename_column("cur", "lineItem/UnblendedCost", "lineItem/UnblendedCosts"),
        "fails",
        (*CUR, "row 1", "column 'lineItem/UnblendedCost'", "required column missing"),
    ),
    Case(
        "cur_duplicate_usage_amount_header",
        "demo-cur",
        "aws_cur",
        b.duplicate_header("cur", "lineItem/UnblendedRate", "lineItem/UsageAmount"),
        "fails",
        (*CUR, "row 1", "column 'lineItem/UsageAmount'", "duplicate column"),
    ),
    Case(
        "cur_non_numeric_usage_amount",
        "demo-cur",
        "aws_cur",
        b.set_cell("cur", 9, "lineItem/UsageAmount", "1,234.5"),
        "fails",
        (*CUR, "row 9", "column 'lineItem/UsageAmount'", "'1,234.5'"),
        job=True,
    ),
    Case(
        "cur_non_numeric_cost",
        "demo-cur",
        "aws_cur",
        b.set_cell("cur", 4, "lineItem/UnblendedCost", "USD 3.20"),
        "fails",
        (*CUR, "row 4", "column 'lineItem/UnblendedCost'", "'USD 3.20'"),
    ),
    Case(
        "cur_nan_usage_amount",
        "demo-cur",
        "aws_cur",
        b.set_cell("cur", 5, "lineItem/UsageAmount", "NaN"),
        "fails",
        (*CUR, "row 5", "column 'lineItem/UsageAmount'", "'NaN'"),
    ),
    Case(
        "cur_infinite_usage_amount",
        "demo-cur",
        "aws_cur",
        b.set_cell("cur", 6, "lineItem/UsageAmount", "-Infinity"),
        "fails",
        (*CUR, "row 6", "column 'lineItem/UsageAmount'", "'-Infinity'"),
    ),
    Case(
        "cur_infinite_cost",
        "demo-cur",
        "aws_cur",
        b.set_cell("cur", 7, "lineItem/UnblendedCost", "inf"),
        "fails",
        (*CUR, "row 7", "column 'lineItem/UnblendedCost'", "'inf'"),
    ),
    Case(
        "cur_unparseable_usage_start",
        "demo-cur",
        "aws_cur",
        b.set_cell("cur", 3, "lineItem/UsageStartDate", "03/01/2025 00:00"),
        "fails",
        (*CUR, "row 3", "column 'lineItem/UsageStartDate'", "'03/01/2025 00:00'"),
    ),
    Case(
        "cur_usage_start_in_another_month",
        "demo-cur",
        "aws_cur",
        b.set_cell("cur", 2, "lineItem/UsageStartDate", "2025-02-28T00:00:00Z"),
        "flagged",
        flag_sql=f"SELECT object_line, flag FROM raw.aws_cur_line_items WHERE {MARCH} AND flag IS NOT NULL",
        flag=((2, "usage_outside_billing_period"),),
        totals_sql=cur_totals(except_line=2),
    ),
    Case(
        "cur_unknown_region_code",
        "demo-cur",
        "aws_cur",
        b.set_cell("cur", 2, "product/regionCode", "xx-mars-1"),
        "flagged",
        flag_sql=cur_ledger_flag(region="xx-mars-1"),
        flag=(("xx-mars-1", "Hrs", "no_factor"),),
        totals_sql=cur_totals(except_line=2),
        job=True,
    ),
    Case(
        "cur_unknown_pricing_unit",
        "demo-cur",
        "aws_cur",
        b.set_cell("cur", 2, "pricing/unit", "Fortnights"),
        "flagged",
        flag_sql=cur_ledger_flag(unit="Fortnights"),
        flag=(("us-east-1", "Fortnights", "estimated_from_cost"),),
        totals_sql=cur_totals(except_line=2),
    ),
    Case(
        "cur_negative_usage_on_a_usage_row",
        "demo-cur",
        "aws_cur",
        b.set_cell("cur", 2, "lineItem/UsageAmount", "-12.5"),
        "flagged",
        flag_sql=(
            f"SELECT object_line, usage_amount, flag FROM raw.aws_cur_line_items WHERE {MARCH} AND usage_amount < 0"
        ),
        # kept and flagged, never netted into the positive rows' activity: an activity of its own, left out
        # of the usage estimate (no negative emissions) and reported by the ledger's negative_usage warning
        flag=((2, -12.5, "negative_usage"),),
        totals_sql=cur_totals(except_line=2),
    ),
    Case("cur_with_bom", "demo-cur", "aws_cur", b.add_bom("cur"), "loads", totals_sql=cur_totals()),
    Case("cur_with_crlf_line_endings", "demo-cur", "aws_cur", b.use_crlf("cur"), "loads", totals_sql=cur_totals()),
    Case(
        "cur_with_a_100_kB_resource_tag",
        "demo-cur",
        "aws_cur",
        b.long_field("cur", 2, "resourceTags/user:Project"),
        "loads",
        totals_sql=cur_totals(),
    ),
    Case(
        "cur_manifest_lists_a_missing_object",
        "demo-cur",
        "aws_cur",
        b.cur_manifest_lists_missing_object,
        "fails",
        ("source 'demo-cur'", "demo-cur-2.csv.gz", "does not exist"),
    ),
    Case(
        "cur_manifest_is_not_json",
        "demo-cur",
        "aws_cur",
        b.cur_manifest_not_json,
        "fails",
        ("source 'demo-cur'", "object '{cur_manifest}'", "not valid JSON"),
    ),
    # --- legacy CUR, Parquet ------------------------------------------------------------------------------
    Case("cur_parquet_clean", "demo-cur", "aws_cur", b.cur_as_parquet(), "loads", totals_sql=cur_totals()),
    Case(
        "cur_parquet_truncated",
        "demo-cur",
        "aws_cur",
        b.cur_as_parquet(b.parquet_truncated),
        "fails",
        (*CUR_PARQUET, "cannot be read as Parquet"),
    ),
    Case(
        "cur_parquet_nan_usage_amount",
        "demo-cur",
        "aws_cur",
        b.cur_as_parquet(b.parquet_nan_amount),
        "fails",
        (*CUR_PARQUET, "row 3", "column 'line_item_usage_amount'"),
    ),
    # --- carbon emissions export --------------------------------------------------------------------------
    Case("carbon_truncated_gzip", "demo-carbon", "aws_carbon", b.truncate("carbon"), "fails", (*CARBON, "cannot")),
    Case(
        "carbon_missing_usage_period_start",
        "demo-carbon",
        "aws_carbon",
        b.drop_column("carbon", "usage_period_start"),
        "fails",
        (*CARBON, "row 1", "column 'usage_period_start'", "required column missing"),
    ),
    Case(
        "carbon_unknown_unit",
        "demo-carbon",
        "aws_carbon",
        b.set_cell("carbon", 4, "total_mbm_emissions_unit", "kgCO2e"),
        "fails",
        (*CARBON, "row 4", "column 'total_mbm_emissions_unit'", "'kgCO2e'"),
        job=True,
    ),
    Case(
        "carbon_nan_emissions_value",
        "demo-carbon",
        "aws_carbon",
        b.set_cell("carbon", 3, "total_lbm_emissions_value", "NaN"),
        "fails",
        (*CARBON, "row 3", "column 'total_lbm_emissions_value'", "'NaN'"),
    ),
    Case(
        "carbon_non_numeric_emissions_value",
        "demo-carbon",
        "aws_carbon",
        b.set_cell("carbon", 5, "total_mbm_emissions_value", "n/a"),
        "fails",
        (*CARBON, "row 5", "column 'total_mbm_emissions_value'", "'n/a'"),
    ),
    Case(
        "carbon_unparseable_usage_period_start",
        "demo-carbon",
        "aws_carbon",
        b.set_cell("carbon", 6, "usage_period_start", "March 2025"),
        "fails",
        (*CARBON, "row 6", "column 'usage_period_start'", "'March 2025'"),
    ),
    Case(
        "carbon_usage_period_of_another_month",
        "demo-carbon",
        "aws_carbon",
        b.set_cell("carbon", 7, "usage_period_start", "2025-01-01T00:00:00Z"),
        "fails",
        (*CARBON, "row 7", "column 'usage_period_start'"),
    ),
    Case(
        "carbon_manifest_lists_a_missing_object",
        "demo-carbon",
        "aws_carbon",
        b.carbon_manifest_lists_missing_object,
        "fails",
        ("source 'demo-carbon'", "demo-carbon-00002.csv.gz", "does not exist"),
    ),
    Case(
        "carbon_manifest_is_not_json",
        "demo-carbon",
        "aws_carbon",
        b.carbon_manifest_not_json,
        "fails",
        ("source 'demo-carbon'", "object '{carbon_manifest}'", "not valid JSON"),
    ),
    Case(
        "carbon_with_crlf_line_endings",
        "demo-carbon",
        "aws_carbon",
        b.use_crlf("carbon"),
        "loads",
        totals_sql=CARBON_TOTALS,
    ),
    # --- activity files: electricity ----------------------------------------------------------------------
    Case(
        "electricity_non_numeric_kwh",
        "demo-electricity",
        "activity_csv",
        b.set_cell("electricity", 9, "kwh", "14 259,2"),
        "fails",
        (*ELECTRICITY, "row 9", "column 'kwh'"),
        job=True,
    ),
    Case(
        "electricity_missing_kwh_column",
        "demo-electricity",
        "activity_csv",
        b.drop_column("electricity", "kwh"),
        "fails",
        (*ELECTRICITY, "row 1", "column 'kwh'", "required column missing"),
    ),
    Case(
        "electricity_unparseable_month",
        "demo-electricity",
        "activity_csv",
        b.set_cell("electricity", 10, "month", "Mar-25", expect="2025-03"),
        "fails",
        (*ELECTRICITY, "row 10", "column 'month'"),
    ),
    Case(
        "electricity_unknown_country",
        "demo-electricity",
        "activity_csv",
        b.set_cell("electricity", 10, "country", "XYZ"),
        "flagged",
        flag_sql=(
            "SELECT DISTINCT l.geography, e.flag FROM ledger.activity AS l JOIN emissions.activity_emissions AS e "
            f"USING (activity_id) WHERE l.{MARCH} AND l.source_id = 'demo-electricity' AND e.method = 'location' "
            "AND e.flag IS NOT NULL"
        ),
        flag=(("iso3:XYZ", "no_factor"),),
        totals_sql=activity_totals("demo-electricity", except_line=10),
    ),
    Case(
        "electricity_with_bom",
        "demo-electricity",
        "activity_csv",
        b.add_bom("electricity"),
        "loads",
        totals_sql=activity_totals("demo-electricity"),
    ),
    Case(
        "electricity_with_crlf_line_endings",
        "demo-electricity",
        "activity_csv",
        b.use_crlf("electricity"),
        "loads",
        totals_sql=activity_totals("demo-electricity"),
    ),
    # --- activity files: fleet fuel -----------------------------------------------------------------------
    Case(
        "fuel_unknown_unit",
        "demo-fleet-fuel",
        "activity_csv",
        b.set_cell("fuel", 30, "unit", "barrel"),
        "flagged",
        flag_sql=f"SELECT unit, flag FROM ledger.activity WHERE {MARCH} AND flag = 'unknown_unit'",
        flag=(("barrel", "unknown_unit"),),
        totals_sql=activity_totals("demo-fleet-fuel", except_line=30),
    ),
    Case(
        "fuel_negative_quantity",
        "demo-fleet-fuel",
        "activity_csv",
        b.set_cell("fuel", 31, "quantity", "-14.88"),
        "fails",
        (*FUEL, "row 31", "column 'quantity'"),
    ),
    Case(
        "fuel_infinite_quantity",
        "demo-fleet-fuel",
        "activity_csv",
        b.set_cell("fuel", 32, "quantity", "inf"),
        "fails",
        (*FUEL, "row 32", "column 'quantity'"),
    ),
    Case(
        "fuel_semicolon_delimited_with_decimal_commas",
        "demo-fleet-fuel",
        "activity_csv",
        b.european_csv("fuel"),
        "fails",
        (*FUEL, "row 2", "column 'quantity'", "'15,06'"),
    ),
    Case(
        "fuel_tab_delimited",
        "demo-fleet-fuel",
        "activity_csv",
        b.replace_delimiter("fuel", "\t"),
        "loads",
        totals_sql=activity_totals("demo-fleet-fuel"),
    ),
    Case("fuel_zero_byte_file", "demo-fleet-fuel", "activity_csv", b.empty("fuel"), "fails", (*FUEL, "cannot be read")),
    # --- activity files: travel ---------------------------------------------------------------------------
    Case(
        "travel_impossible_date",
        "demo-travel",
        "activity_csv",
        b.set_cell("travel", 19, "date", "2025-03-32"),
        "fails",
        (*TRAVEL, "row 19", "column 'date'"),
    ),
    Case(
        "travel_renamed_distance_column",
        "demo-travel",
        "activity_csv",
        b.rename_column("travel", "distance", "distance_km"),
        "fails",
        (*TRAVEL, "row 1", "column 'distance'", "required column missing"),
    ),
    Case(
        "travel_duplicate_cost_header",
        "demo-travel",
        "activity_csv",
        b.duplicate_header("travel", "passengers", "cost"),
        "fails",
        (*TRAVEL, "row 1", "column 'cost'", "duplicate column"),
    ),
    Case(
        "travel_unknown_distance_unit",
        "demo-travel",
        "activity_csv",
        b.set_cell("travel", 18, "distance_unit", "furlong"),
        "flagged",
        flag_sql=f"SELECT unit, flag FROM ledger.activity WHERE {MARCH} AND flag = 'unknown_unit'",
        flag=(("passenger-furlong", "unknown_unit"),),
        totals_sql=activity_totals("demo-travel", except_line=18),
    ),
    Case(
        "travel_with_a_100_kB_trip_reference",
        "demo-travel",
        "activity_csv",
        b.long_field("travel", 20, "trip_ref"),
        "loads",
        totals_sql=activity_totals("demo-travel"),
    ),
    # --- FOCUS --------------------------------------------------------------------------------------------
    Case(
        "focus_non_numeric_billed_cost",
        "demo-focus",
        "focus",
        b.set_cell("focus", 5, "BilledCost", "0.0001 USD"),
        "fails",
        (*FOCUS, "row 5", "column 'BilledCost'"),
    ),
    Case(
        "focus_nan_consumed_quantity",
        "demo-focus",
        "focus",
        b.set_cell("focus", 6, "ConsumedQuantity", "NaN"),
        "fails",
        (*FOCUS, "row 6", "column 'ConsumedQuantity'"),
    ),
    Case(
        "focus_unparseable_charge_period_start",
        "demo-focus",
        "focus",
        b.set_cell("focus", 7, "ChargePeriodStart", "18/03/2025 22:00"),
        "fails",
        (*FOCUS, "row 7", "column 'ChargePeriodStart'"),
    ),
    Case(
        "focus_missing_billing_currency_column",
        "demo-focus",
        "focus",
        b.drop_column("focus", "BillingCurrency"),
        "fails",
        (*FOCUS, "row 1", "column 'BillingCurrency'", "required column missing"),
    ),
    Case("focus_with_bom", "demo-focus", "focus", b.add_bom("focus"), "loads", totals_sql=focus_totals()),
    Case(
        "focus_unknown_region",
        "demo-focus",
        "focus",
        b.set_cell("focus", 2, "RegionId", "xx-mars-1"),
        "flagged",
        flag_sql=(
            "SELECT DISTINCT l.region, e.flag FROM ledger.activity AS l JOIN emissions.activity_emissions AS e "
            f"USING (activity_id) WHERE l.source_id = 'demo-focus' AND l.{MARCH} AND l.region = 'xx-mars-1'"
        ),
        # line 2 is AWS (SQS requests): the CUR rules leave it unclassified, its kWh come from the cost ratio
        # of the month's estimated AWS rows, and an unknown region has no grid factor to turn them into CO2e
        flag=(("xx-mars-1", "no_factor"),),
        totals_sql=focus_totals(except_line=2),
    ),
    # --- the sources file ---------------------------------------------------------------------------------
    Case(
        "sources_unknown_kind",
        "demo-focus",
        "sources",
        b.edit_sources("kind: focus", "kind: focus_v2"),
        "fails",
        (*SOURCES_FILE, "source 'demo-focus'", "unknown kind 'focus_v2'"),
        job=True,
    ),
    Case(
        "sources_unknown_key",
        "demo-cur",
        "sources",
        b.edit_sources("    kind: aws_cur\n", "    kind: aws_cur\n    report_nmae: demo-cur\n"),
        "fails",
        (*SOURCES_FILE, "source 'demo-cur'", "unknown key 'report_nmae'"),
    ),
    Case(
        "sources_bad_setting",
        "settings",
        "sources",
        b.edit_sources("coefficient_profile: default", "coefficient_profile: fancy"),
        "fails",
        (*SOURCES_FILE, "settings.coefficient_profile", "'fancy'"),
    ),
    Case(
        "sources_unknown_settings_key",
        "settings",
        "sources",
        b.edit_sources("settings:\n", "settings:\n  reporting_year: 2025\n"),
        "fails",
        (*SOURCES_FILE, "unknown key 'settings.reporting_year'"),
    ),
    Case(
        "sources_bad_activity_template",
        "demo-travel",
        "sources",
        b.edit_sources("template: travel", "template: flights"),
        "fails",
        (*SOURCES_FILE, "source 'demo-travel'", "key 'template'"),
    ),
)
