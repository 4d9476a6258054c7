"""The transform stages as data, declared once: which table each writes, from which SQL models, what it reads
and which checks guard it. The Dagster asset factory (carbon_pipeline/defs/<stage>/) and the engines
(DuckDB, Spark, Pipes: carbon_pipeline/engines/) both read this table, so they can never disagree.

Models are files under dbt_like_sql/ (``ledger/activity_focus`` is ``dbt_like_sql/ledger/activity_focus.sql``);
a table's models are appended in order, by column name, and its months replaced in one transaction. Checks
are SQL models under dbt_like_sql/checks/ that return offending rows (none = pass), or great-expectations
contracts (carbon_pipeline/quality/expectations.py). Nothing here imports Dagster.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from carbon_pipeline.factors.uncertainty import overrides_parameter
from carbon_pipeline.sources.config import InventorySettings

FACTOR_CATALOGUE = "factors/emission_factors"
# The Monte Carlo of marts/uncertainty_ranges.sql: a fixed seed (the same inputs give the same ranges on every
# run and engine) and enough draws that the 2.5 % and 97.5 % quantiles move by well under 1 % between seeds.
MONTE_CARLO_SEED = "issue17"
MONTE_CARLO_DRAWS = 10000


@dataclass(frozen=True)
class SqlCheck:
    """A check that runs ``dbt_like_sql/checks/<model>.sql`` over the run's months; any row it returns is an
    offence. ``blocking`` checks stop everything downstream; the others warn. ``overview``: parameters with
    which the same model returns every row, shown whole in the check's metadata."""

    name: str
    model: str
    description: str
    blocking: bool = True
    params: Mapping[str, Any] = field(default_factory=dict)
    overview: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class ContractCheck:
    """A great-expectations suite for ``table``'s column contract (blocking)."""

    table: str
    name: str = "column_contract"
    description: str | None = None
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Transform:
    """One table of the ledger, emissions or marts stage. ``inputs`` are the asset keys (``stage/name``) it
    depends on besides the raw assets of the source kinds that feed it (SourceKind.feeds)."""

    table: str
    models: tuple[str, ...]
    group: str
    description: str
    inputs: tuple[str, ...] = ()
    checks: tuple[SqlCheck | ContractCheck, ...] = ()

    @property
    def key(self) -> str:
        """The asset key, ``ledger/activity`` for ``ledger.activity``."""
        return self.table.replace(".", "/")


_ROW_COUNTS_DESCRIPTION = (
    "Row counts raw -> ledger -> emissions per source and month: every estimable line item has an emission figure "
    "or a flag saying why not; fails only on unexplained loss."
)

TRANSFORMS: tuple[Transform, ...] = (
    Transform(
        table="ledger.activity",
        models=("ledger/activity_cloud_billing", "ledger/activity_own_operations", "ledger/activity_focus"),
        group="ledger",
        description="The activity ledger: cloud billing grouped to month x object x account x region x usage "
        "type x line-item type, and every line of the activity files; each row names its source object, "
        "delivery and line-item count, and is classified for estimation or flagged.",
        inputs=(FACTOR_CATALOGUE,),
        checks=(
            ContractCheck("ledger.activity"),
            SqlCheck(
                "cost_and_line_items_reconcile_with_raw",
                "ledger_reconciles_with_raw",
                "Ledger cost and line-item count per source, month and currency equal raw exactly.",
            ),
            SqlCheck(
                "unclassified_cloud_usage",
                "unclassified_cloud_usage",
                "Cloud usage with no estimation coefficient (kept and flagged), with its cost share.",
                blocking=False,
            ),
            SqlCheck(
                "negative_usage",
                "negative_usage",
                "Usage rows with a negative usage amount: kept and flagged 'negative_usage', left out of the usage "
                "estimate (never netted against positive rows).",
                blocking=False,
            ),
            SqlCheck(
                "row_counts_by_stage",
                "row_counts_by_stage",
                "Raw line items = ledger line items per source and month; every line item not carried on to "
                "emissions has a reason (cost_only, unclassified, flag). Fails only on unexplained loss.",
                # the emissions of these months are rebuilt after this check: judge the ledger stage only
                params={"through_emissions": False, "all_rows": False},
                overview={"all_rows": True},
            ),
        ),
    ),
    Transform(
        table="ledger.provider_emissions",
        models=("ledger/provider_emissions", "ledger/provider_carbon_emissions"),
        group="ledger",
        description="Provider-reported cloud emissions by month x account x region x service x provider scope, "
        "every model version kept, one selected per month by policy (newest unless pinned).",
        checks=(
            SqlCheck(
                "one_model_version_per_month",
                "provider_emissions_one_version",
                "Exactly one provider model version counts per month, with the raw export's totals.",
            ),
        ),
    ),
    Transform(
        table="emissions.activity_emissions",
        # own operations second: its spend exclusion reads the months' cloud figures written first
        models=("emissions/activity_emissions", "emissions/own_operations_emissions"),
        group="emissions",
        description="Per-activity emissions: cloud usage estimated from billing rows (energy coefficients x "
        "grid factor); electricity, fuel, vehicles, travel and spend as activity x factor, the factor chosen "
        "as of the activity's date, geography and boundary (fallbacks recorded); location and market rows, "
        "each with factor id, data year, resolution and formula, or a flag saying why there is no figure.",
        inputs=("ledger/activity", "ledger/provider_emissions", FACTOR_CATALOGUE),
        checks=(
            SqlCheck(
                "every_activity_has_emissions_or_flag",
                "emissions_cover_ledger",
                "Each emitting activity has one location and one market row with a figure or a flag; "
                "no negative emissions.",
            ),
            SqlCheck(
                "row_counts_by_stage",
                "row_counts_by_stage",
                _ROW_COUNTS_DESCRIPTION,
                params={"through_emissions": True, "all_rows": False},
                overview={"all_rows": True},
            ),
            SqlCheck(
                "factor_fallbacks",
                "factor_fallbacks",
                "Warns with the share of tCO2e computed with a fallback factor (an older data year than the "
                "activity, or the location factor standing in for a market instrument).",
                blocking=False,
            ),
            SqlCheck(
                "cloud_usage_mostly_estimated_from_usage",
                "cloud_spend_fallback_share",
                "Fails when more than settings.max_spend_fallback_share (default 20 %) of a provider-month's cloud "
                "usage cost has only the spend-based fallback or no figure, naming the top services; the overview "
                "shows the coverage (share of usage cost classified) of every provider-month. Never a silent zero.",
                params={"all_rows": False},
                overview={"all_rows": True},
            ),
            SqlCheck(
                "spend_excluded_providers",
                "spend_excluded_providers",
                "Warns with the spend left out of spend-based category 1 because its supplier is a cloud provider "
                "whose emissions the inventory already has for the month (reported or usage-estimated).",
                blocking=False,
            ),
        ),
    ),
    Transform(
        table="emissions.emission_uncertainty",
        models=("emissions/emission_uncertainty",),
        group="emissions",
        description="Data quality and uncertainty per figure (docs/uncertainty.md): for every emission row and every "
        "selected provider-reported figure, its activity tier and factor tier (read from factor_resolution, flag "
        "and basis), their default relative 95 % uncertainties with sources (overridable: settings.uncertainty), "
        "the row's range, and the error groups the marts propagate by (one error per shared factor).",
        inputs=("emissions/activity_emissions", "ledger/activity", "ledger/provider_emissions", FACTOR_CATALOGUE),
        checks=(
            SqlCheck(
                "every_figure_has_tiers_and_range",
                "uncertainty_rows_rated",
                "Every emission row and selected provider figure has one row here with both tiers known and, where it "
                "has a figure, a range with 0 <= low <= tco2e <= high.",
            ),
        ),
    ),
    Transform(
        table="marts.cloud_emissions",
        models=("marts/cloud_emissions",),
        group="marts",
        description="Cloud emissions by month x provider x account x region x service x basis x provider scope: "
        "provider-reported (selected model version) beside the usage-based estimate.",
        inputs=("emissions/activity_emissions", "ledger/provider_emissions"),
        checks=(
            SqlCheck(
                "reported_totals_match_ledger",
                "cloud_emissions_match_ledger",
                "Reported cloud emissions in the mart equal the selected provider figures and the raw export's "
                "totals for the selected model version, both methods.",
            ),
            SqlCheck(
                "month_over_month_spike",
                "month_over_month_spike",
                "Warns where an account x service x basis emits more than 2x its previous month's location-based "
                "tCO2e (and over 0.01 t).",
                blocking=False,
                params={"max_ratio": 2.0, "min_tco2e": 0.01},
            ),
        ),
    ),
    Transform(
        table="marts.cloud_reconciliation",
        models=("marts/cloud_reconciliation",),
        group="marts",
        description="Reported vs usage-estimated location-based cloud tCO2e side by side, with their ratio.",
        inputs=("marts/cloud_emissions",),
        checks=(
            SqlCheck(
                "reported_vs_estimated_divergence",
                "reconciliation_divergence",
                "Warns where reported and estimated location-based figures differ by more than 3x.",
                blocking=False,
                params={"max_ratio": 3.0},
            ),
        ),
    ),
    Transform(
        table="marts.scope_summary",
        models=("marts/scope_summary",),
        group="marts",
        description="The GHG inventory: month x scope x Scope 3 category x method x basis, tCO2e. Cloud is "
        "Scope 3 category 1 (provider-reported where available, else estimated); never both summed.",
        inputs=("emissions/activity_emissions", "ledger/provider_emissions"),
        checks=(
            SqlCheck(
                "inventory_adds_up",
                "scope_summary_reconciles",
                "Per month and method the inventory equals own-operations emissions plus cloud (reported, else "
                "estimated, never both); the contract's grain is unique.",
            ),
        ),
    ),
    Transform(
        table="marts.uncertainty_ranges",
        models=("marts/uncertainty_ranges",),
        group="marts",
        description="The 95 % range of every total the uncertainty marts show, computed once: per row of "
        "marts.scope_summary and per usage estimate of marts.cloud_reconciliation, errors summed within a shared "
        "factor or shared estimate, the groups added in quadrature (IPCC Approach 1), or a seeded Monte Carlo "
        "(Approach 2) where a group's tier is lognormal (docs/uncertainty.md).",
        inputs=("emissions/emission_uncertainty", "ledger/activity", FACTOR_CATALOGUE),
    ),
    Transform(
        table="marts.scope_summary_uncertainty",
        models=("marts/scope_summary_uncertainty",),
        group="marts",
        description="marts.scope_summary's grain and tco2e with a 95 % range (tco2e_low, tco2e_high) and the "
        "share from primary data: errors summed within a shared factor or shared estimate first, the groups then "
        "added in quadrature (docs/uncertainty.md).",
        inputs=("marts/uncertainty_ranges", "marts/scope_summary"),
        checks=(
            SqlCheck(
                "ranges_contain_and_widen",
                "uncertainty_ranges_hold",
                "Each row's tco2e equals marts.scope_summary's; 0 <= low <= tco2e <= high; the range is never "
                "narrower than its widest row's (adding rows widens it) nor wider than all errors fully correlated.",
            ),
        ),
    ),
    Transform(
        table="marts.cloud_reconciliation_uncertainty",
        models=("marts/cloud_reconciliation_uncertainty",),
        group="marts",
        description="Provider-reported vs usage-estimated location-based cloud tCO2e, with the estimate's 95 % "
        "range and whether the reported figure falls below, within or above it.",
        inputs=("marts/uncertainty_ranges", "marts/cloud_reconciliation"),
    ),
)


# Hourly carbon (issue 16, docs/hourly.md): SQL transforms too, declared here like the others, but an OPTION: their
# assets exist only when the sources file turns hourly on (carbon_pipeline/defs/hourly/), and they are not in
# TRANSFORMS, so the annual engines (DuckDB, Spark, Pipes: engines/tables.py) and `carbon-pipeline transform` never
# run them and the annual warehouse stays byte-for-byte what it was. Their inputs that come from files (hourly grid
# factors, meter files, load profiles, instruments) are loaded by the stage's assets before the models run; the
# models bind $hourly_sources (hourly/build.py: hourly_sources) besides the month window.
HOURLY_GRID_FACTORS = "hourly/grid_factors"
HOURLY_TRANSFORMS: tuple[Transform, ...] = (
    Transform(
        table="hourly.consumption",
        models=("hourly/site_consumption", "hourly/cloud_consumption"),
        group="hourly",
        description="Hourly activity: electricity by UTC hour for sites (interval meter files, else the month's bill "
        "spread by a flat or user load profile, flagged profiled) and cloud regions (the usage estimate's kWh spread "
        "over the hours of its CUR line items for sources with `hourly: true`, else flat, flagged). The monthly ledger "
        "stays the ledger of record.",
        inputs=("ledger/activity", "emissions/activity_emissions"),
        checks=(
            SqlCheck(
                "hours_add_up_to_the_month",
                "hourly_kwh_in_the_hours",
                "Every profiled site bill and every cloud usage estimate of the month is in its hours: the hours' kWh "
                "equal the month's (to 1e-6 relative). Metered months are the meter's kWh and are not compared.",
            ),
        ),
    ),
    Transform(
        table="hourly.location_hourly",
        models=("hourly/location_hourly",),
        group="hourly",
        description="Location-based by the hour: each hour's kWh x its zone's hourly factor for that hour (direct "
        "before life-cycle). A consumer without a zone or an hour without a factor is kept, flagged, without a figure.",
        inputs=("hourly/consumption", HOURLY_GRID_FACTORS),
        checks=(
            SqlCheck(
                "hours_without_zone_or_factor",
                "hourly_hours_without_factor",
                "Warns with the kWh of each site / region and month that has no zone or no hourly factor for some "
                "hours: kept and flagged, left out of hourly_tco2e (never filled with the annual factor).",
                blocking=False,
            ),
        ),
    ),
    Transform(
        table="hourly.matching",
        models=("hourly/matching",),
        group="hourly",
        description="Hourly matching of contractual instruments (granular certificates, PPA profiles) to the sites' "
        "consumption per market boundary and UTC hour (GHG Protocol Scope 2 revision, public consultation draft): "
        "no carry-over of surplus; unmatched hours at the residual mix, else the hourly location factor (recorded).",
        inputs=("hourly/consumption", HOURLY_GRID_FACTORS, FACTOR_CATALOGUE),
        checks=(
            SqlCheck(
                "matching_balances",
                "hourly_matching_balances",
                "Each hour: matched + unmatched = consumption, matched + surplus = supply, matched <= both, nothing "
                "negative; an hour with unmatched kWh has a factor or says 'none'.",
            ),
        ),
    ),
    Transform(
        table="marts.hourly_vs_annual",
        models=("hourly/hourly_vs_annual",),
        group="hourly",
        description="The hourly location-based figure beside the annual one per month x site / cloud region, the "
        "difference split into a timing effect (when the kWh were used) and a factor effect (hourly data set vs "
        "annual factor); profiled share, kWh without an hourly factor and a note naming a SYNTHETIC grid profile.",
        inputs=("hourly/location_hourly", HOURLY_GRID_FACTORS, "emissions/activity_emissions", "ledger/activity"),
        checks=(
            SqlCheck(
                "synthetic_grid_profile_in_use",
                "hourly_synthetic_profile",
                "Warns on every row computed with the SYNTHETIC hourly grid profile (invented shape, not measured "
                "data): such a figure is a demonstration, never one to report.",
                blocking=False,
            ),
        ),
    ),
    Transform(
        table="marts.hourly_market_scope2",
        models=("hourly/hourly_market_scope2",),
        group="hourly",
        description="Hourly-matched market-based Scope 2 per month x market boundary beside today's annual-matching "
        "market figure, with matched / unmatched / surplus kWh and the 24x7 CFE score (matched / consumed kWh).",
        inputs=("hourly/matching", "emissions/activity_emissions", "ledger/activity"),
    ),
)


def transform(table: str) -> Transform:
    for candidate in (*TRANSFORMS, *HOURLY_TRANSFORMS):
        if candidate.table == table:
            return candidate
    raise KeyError(f"{table} is not a transform table (one of {[t.table for t in TRANSFORMS]})")


def of_group(group: str) -> list[Transform]:
    return [t for t in (*TRANSFORMS, *HOURLY_TRANSFORMS) if t.group == group]


def upstream_tables(table: str) -> set[str]:
    """``table`` and every transform table it reads, directly or through another (its declared inputs)."""
    by_key = {t.key: t.table for t in TRANSFORMS}
    found, todo = set(), [table]
    while todo:
        current = todo.pop()
        if current in found:
            continue
        found.add(current)
        todo.extend(by_key[key] for key in transform(current).inputs if key in by_key)
    return found


def downstream_tables(table: str) -> list[str]:
    """``table`` and every transform table built from it, in declaration order: what a change of its rows
    makes stale (the unchanged-delivery skip compares what each of them was built from)."""
    return [t.table for t in TRANSFORMS if table in upstream_tables(t.table)]


def policy_parameters(settings: InventorySettings) -> dict[str, Any]:
    """The inventory policies every model may bind. `coefficient_profile` selects the usage-estimate
    coefficients by the same name in factors.cloud_usage_coefficients: `default` (CCF's method with its
    known defects fixed) or `ccf` (CCF reproduced, for comparing with it); see docs/methodology.md."""
    return {
        "cloud_scope_policy": settings.cloud_scope_policy,
        "coefficient_profile": settings.coefficient_profile,
        "pinned_model_version": settings.pinned_model_version,
        # checks/cloud_spend_fallback_share.sql: the share of a provider-month allowed on the last fallback
        "max_share": settings.max_spend_fallback_share,
        # emissions/emission_uncertainty.sql: settings.uncertainty as ';tier=value;' (docs/uncertainty.md)
        "uncertainty_overrides": overrides_parameter(settings.uncertainty_overrides),
        # marts/uncertainty_ranges.sql: the Monte Carlo's fixed seed and number of draws (docs/uncertainty.md)
        "monte_carlo_seed": MONTE_CARLO_SEED,
        "monte_carlo_draws": MONTE_CARLO_DRAWS,
        # marts/uncertainty_ranges.sql: monthly cells in the warehouse ('year': the serving file's yearly totals)
        "uncertainty_period": "month",
    }
