"""The sections of the inventory report, each a function from one year's data to an HTML fragment.

Every value is escaped where it enters the page (``html.escape``); fragments that carry their own markup
say so. Numbers are rounded for reading (3 decimals of tCO2e, like the printed inventory); the CSV files
beside the page keep full precision.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from html import escape
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from carbon_pipeline.reporting import charts
from carbon_pipeline.reporting.report_data import (
    ESTIMATED_BASES,
    METHODS,
    YearData,
    basis_shares,
    non_activity_basis_months,
    totals,
)
from carbon_pipeline.sources.config import InventorySettings

DRAFT_STATEMENT = "Draft prepared by carbon_pipeline; the organisation must verify before any submission."
CLOUD_TOP_ROWS = 15
POLICY_TEXT = {
    "scope3_category1": "Cloud services are purchased services: Scope 3 category 1 (GHG Protocol). The "
    "provider's own Scope 1/2/3 split is kept as <code>provider_scope</code> in <code>marts.cloud_emissions</code> "
    "and never mapped onto this organisation's Scope 1 or 2.",
    "scope2_framing": "<strong>Non-default policy:</strong> cloud figures are reported under Scope 2, as some "
    "vendors present them. The GHG Protocol reading is Scope 3 category 1 (purchased services: the organisation "
    "does not buy the data centres' electricity); this report uses the framing because the settings choose it.",
}


def header(data: YearData, generated_at: datetime, serving_name: str) -> str:
    months = data.months
    coverage = f"{len(months)} of 12 months"
    if months:
        coverage += f" ({months[0]:%b} – {months[-1]:%b %Y})"
    partial = "" if len(months) == 12 else f'<p class="warning">Partial year: only {coverage} are published.</p>'
    links = "".join(
        f'<a href="#{anchor}">{label}</a>'
        for anchor, label in (
            ("totals", "Totals"),
            ("boundary", "Boundary"),
            ("trend", "Trend"),
            ("cloud", "Cloud"),
            ("data-quality", "Data quality"),
            ("factors", "Factor sources"),
            ("methodology", "Methodology"),
            ("restatements", "Restatements"),
        )
    )
    return (
        f"<header><h1>Greenhouse gas inventory — reporting year {data.year}</h1>"
        f'<p class="meta">GHG Protocol Scope 1, 2 and 3; location- and market-based; tonnes CO2e. '
        f"Generated {generated_at:%Y-%m-%d %H:%M} UTC by carbon_pipeline {escape(package_version())} from the "
        f"serving file <code>{escape(serving_name)}</code> (read-only). Months covered: {escape(coverage)}.</p>"
        f'<p class="draft" id="draft">DRAFT<span>{escape(DRAFT_STATEMENT)}</span></p>{partial}'
        f"<nav>{links}</nav></header>"
    )


def totals_section(data: YearData) -> str:
    body = []
    for row in totals(data.scope_summary):
        kind = "total" if row.scope is None else ("category" if row.scope3_category else "scope")
        body.append(
            f'<tr class="{kind}"><td>{escape(row.label)}</td>'
            f'<td class="num">{_t(row.location_tco2e)}</td><td class="num">{_t(row.market_tco2e)}</td></tr>'
        )
    table = (
        '<table id="totals-table"><thead><tr><th>Scope / category</th><th class="num">location-based tCO2e</th>'
        '<th class="num">market-based tCO2e</th></tr></thead><tbody>' + "".join(body) + "</tbody></table>"
    )
    return (
        f'<section id="totals"><h2>Inventory {data.year} by scope and category</h2>{table}'
        '<p class="note">Sums of <code>marts.scope_summary</code> for the year. A figure where the method makes no '
        "difference (fuel, travel, the provider's own Scope 1) appears under both methods. Full precision in "
        f"<code>{data.year}/totals.csv</code>.</p></section>"
    )


def trend_section(data: YearData) -> str:
    values: dict[tuple[str, date, int], float] = {}
    for row in data.scope_summary.dicts():
        key = (row["method"], row["period_month"], row["scope"])
        values[key] = values.get(key, 0.0) + row["tco2e"]
    chart = charts.monthly_by_scope(values, data.year) if values else "<p>No monthly figures.</p>"
    parts = [
        f'<section id="trend"><h2>Monthly trend</h2><div class="chart">{chart}</div>',
        '<p class="note">Stacked by scope; location-based left, market-based right, on one scale.</p>',
    ]
    previous = totals(data.previous_scope_summary)
    if previous:
        this_year = {t.label: t for t in totals(data.scope_summary)}
        before = {t.label: t for t in previous}
        prev_months = len({r["period_month"] for r in data.previous_scope_summary.dicts()})
        rows = []
        for label in [t.label for t in totals(data.scope_summary)] + [lb for lb in before if lb not in this_year]:
            now, then = this_year.get(label), before.get(label)
            indent = "&nbsp;" * 4 if label.startswith("cat ") else ""
            cells = [indent + escape(label)]
            for method in METHODS:
                a = getattr(then, f"{method}_tco2e") if then else None
                b = getattr(now, f"{method}_tco2e") if now else None
                cells += [_t(a), _t(b), _change(a, b)]
            rows.append(cells)
        columns = ["", f"location {data.year - 1}", f"location {data.year}", "change"]
        columns += [f"market {data.year - 1}", f"market {data.year}", "change"]
        parts.append(
            f"<h3>Year on year</h3>{_html_table(columns, rows, numeric=range(1, 7), escaped=True)}"
            f'<p class="note">{data.year - 1}: {prev_months} of 12 months published. Annual grid-factor updates '
            "move figures without being restatements.</p>"
        )
        basis_now = non_activity_basis_months(data.scope_summary)
        basis_then = non_activity_basis_months(data.previous_scope_summary)
        if basis_now != basis_then:
            parts.append(
                f'<p class="warning">The basis of the reported/estimated figures differs between the years '
                f"({data.year - 1}: {escape(_basis_coverage(basis_then))}; {data.year}: "
                f"{escape(_basis_coverage(basis_now))}): part of the change is a change of method, not of activity.</p>"
            )
    parts.append("</section>")
    return "".join(parts)


def cloud_section(data: YearData) -> str:
    rows = data.cloud.dicts()
    if not rows:
        return '<section id="cloud"><h2>Cloud</h2><p>No cloud emissions in this year.</p></section>'
    keyed: dict[tuple[str, str, str, str], dict[str, Any]] = {}
    for row in rows:
        entry = keyed.setdefault((row["provider"], row["account_id"], row["region"], row["service"]), {})
        by_method = entry.setdefault(row["method"], {"tco2e": 0.0, "basis": []})
        by_method["tco2e"] += row["tco2e"]
        by_method["basis"].append((row["basis"], row["months"]))

    def amount(entry: dict[str, Any], method: str) -> float | None:
        return entry[method]["tco2e"] if method in entry else None

    ordered = sorted(keyed.items(), key=lambda kv: (-(amount(kv[1], "location") or 0), -(amount(kv[1], "market") or 0)))
    detail = []
    for (provider, account, region, service), entry in ordered[:CLOUD_TOP_ROWS]:
        detail.append(
            [provider, account or "", region, service]
            + [_t(amount(entry, "location")), _basis_text(entry.get("location"))]
            + [_t(amount(entry, "market")), _basis_text(entry.get("market"))]
        )
    rest = ordered[CLOUD_TOP_ROWS:]
    if rest:
        detail.append(
            [f"{len(rest)} more rows", "", "", ""]
            + [_t(sum(amount(e, "location") or 0 for _, e in rest)), ""]
            + [_t(sum(amount(e, "market") or 0 for _, e in rest)), ""]
        )
    detail.append(
        ["Total cloud", "", "", ""]
        + [_t(sum(amount(e, "location") or 0 for _, e in ordered)), ""]
        + [_t(sum(amount(e, "market") or 0 for _, e in ordered)), ""]
    )
    columns = ["provider", "account", "region", "service", "location tCO2e", "basis", "market tCO2e", "basis"]
    rollups = "".join(_cloud_rollup(rows, column, title) for column, title in _ROLLUPS)
    by_service = _rollup_values(rows, lambda r: f"{r['provider']} {r['service']}")
    chart = charts.cloud_by_service([(label, loc, mkt) for label, loc, mkt in by_service][:12])
    return (
        '<section id="cloud"><h2>Cloud by provider, account, region and service</h2>'
        "<p>Counted figures only: the provider's reported figure (selected model version) for a month and method, "
        "else the usage-based estimate. Estimates for months the provider reported stay in "
        "<code>marts.cloud_reconciliation</code> as a cross-check and are not part of the inventory.</p>"
        f'<div class="chart">{chart}</div>'
        f'<div class="grid">{rollups}</div>'
        f"<h3>Top {min(CLOUD_TOP_ROWS, len(ordered))} of {len(ordered)} account × region × service rows</h3>"
        f"{_html_table(columns, detail, numeric=(4, 6), css='wide')}"
        f'<p class="note">All rows: <code>{data.year}/cloud_breakdown.csv</code>.</p></section>'
    )


_ROLLUPS = (("provider", "By provider"), ("account_id", "By account"), ("region", "By region"))


def _rollup_values(rows: list[dict[str, Any]], key: Callable[[dict[str, Any]], str]) -> list[tuple[str, float, float]]:
    sums: dict[str, dict[str, float]] = {}
    for row in rows:
        by_method = sums.setdefault(key(row), {})
        by_method[row["method"]] = by_method.get(row["method"], 0.0) + row["tco2e"]
    values = [(label, v.get("location", 0.0), v.get("market", 0.0)) for label, v in sums.items()]
    return sorted(values, key=lambda v: (-v[1], -v[2], v[0]))


def _cloud_rollup(rows: list[dict[str, Any]], column: str, title: str) -> str:
    values = _rollup_values(rows, lambda r: r[column] or "")
    table_rows = [[label, _t(loc), _t(mkt)] for label, loc, mkt in values[:8]]
    if len(values) > 8:
        table_rows.append([f"{len(values) - 8} more", "", ""])
    return f"<div><h3>{escape(title)}</h3>{_html_table(['', 'location', 'market'], table_rows, numeric=(1, 2))}</div>"


def _basis_coverage(months: dict[str, dict[str, int]]) -> str:
    """E.g. ``location: estimated_usage 12 mo; market: reported 12 mo``."""
    return "; ".join(
        f"{method}: " + ", ".join(f"{basis} {n} mo" for basis, n in bases.items()) for method, bases in months.items()
    )


def _basis_text(entry: dict[str, Any] | None) -> str:
    if not entry:
        return ""
    parts = sorted(entry["basis"])
    if len(parts) == 1:
        return parts[0][0]
    return ", ".join(f"{basis} {months} mo" for basis, months in parts)


def quality_section(data: YearData) -> str:
    shares = basis_shares(data.scope_summary)
    by_method: dict[str, dict[str, float]] = {}
    for row in shares.dicts():
        if row["share"] is not None:
            by_method.setdefault(row["method"], {})[row["basis"]] = row["share"]
    estimated = {m: sum(v for b, v in by_method.get(m, {}).items() if b in ESTIMATED_BASES) for m in METHODS}
    headline = (
        f"<p><strong>Share of estimated data:</strong> {_pct(estimated['location'])} of location-based and "
        f"{_pct(estimated['market'])} of market-based tCO2e.</p>"
    )
    chart = charts.basis_shares(by_method) if by_method else ""
    share_rows = [[r["method"], r["basis"], _t(r["tco2e"]), _pct(r["share"])] for r in shares.dicts()]
    coverage = _basis_coverage(non_activity_basis_months(data.scope_summary))
    flagged = data.flagged_rows.dicts()
    if flagged:
        flag_table = _html_table(
            ["table", "flag", "activity type", "rows"],
            [[r["table_name"], r["flag"], r["activity_type"], f"{r['row_count']:,}"] for r in flagged],
            numeric=(3,),
        )
    else:
        flag_table = "<p>No flagged rows.</p>"
    return (
        '<section id="data-quality"><h2>Data quality tiers</h2>'
        "<p>Each figure's basis: <code>reported</code> (the supplier's or provider's own figure), "
        "<code>estimated_usage</code> (usage-based estimate from billing data), <code>estimated_spend</code> "
        "(spend-based), <code>activity</code> (the organisation's own activity data × a published factor).</p>"
        f'{headline}<div class="chart">{chart}</div>'
        f"{_html_table(['method', 'basis', 'tCO2e', 'share'], share_rows, numeric=(2, 3))}"
        f'<p class="note">Months per reported/estimated basis: {escape(coverage) or "none"}.</p>'
        f"{_fallback_tiers(data)}"
        "<h3>Flagged rows (kept, never dropped)</h3>"
        f"{flag_table}"
        f"{_unconverted_spend(data)}"
        '<p class="note">A ledger row is flagged when it cannot be classified or estimated (for example usage with no '
        "coefficient); its emission rows carry the flag instead of a figure, and a warning check reports them.</p>"
        "</section>"
    )


UNCERTAINTY_TOTALS_COLUMNS = ["scope", "method", "tCO2e", "95 % range", "uncertainty", "primary data"]
CONTRIBUTOR_COLUMNS = ["method", "rank", "activity", "activity tier", "factor tier", "tCO2e", "share of variance"]


def uncertainty_section(data: YearData) -> str:
    """Issue 17: each scope's total with its 95 % range, the shares by data-quality tier (the ESRS E1
    primary-data share), the ten activities that contribute most to the total's uncertainty, and the
    provider-reported cloud figures against the usage estimate's range. Every table is a bi view's rows."""
    totals = [
        [
            r["scope_label"],
            r["method"],
            _t(r["tco2e"]),
            f"{_t(r['tco2e_low'])} – {_t(r['tco2e_high'])}",
            "–" if r["u95_relative"] is None else f"± {_pct(r['u95_relative'])}",
            _pct(r["primary_data_share"]),
        ]
        for r in data.uncertainty_totals.dicts()
    ]
    tiers = [
        [
            r["method"],
            r["activity_tier"],
            r["factor_tier"],
            "yes" if r["is_primary_data"] else "no",
            _t(r["tco2e"]),
            _pct(r["share_of_total"]),
        ]
        for r in data.uncertainty_tiers.dicts()
    ]
    contributors = [
        [
            r["method"],
            r["uncertainty_rank"],
            r["activity_label"],
            r["activity_tier"],
            r["factor_tier"],
            _t(r["tco2e"]),
            _pct(r["share_of_variance"]),
        ]
        for r in data.uncertainty_contributors.dicts()
    ]
    reconciliation = [
        [
            r["provider"],
            r["reported_position"].replace("_", " "),
            r["lines"],
            _t(r["reported_tco2e"]),
            _t(r["estimated_tco2e"]),
        ]
        for r in data.uncertainty_reconciliation.dicts()
    ]
    return (
        '<section id="uncertainty"><h2>Uncertainty and primary data</h2>'
        "<p>Every figure carries two data-quality tiers (how the activity was measured; how its factor was "
        "resolved) and a default 95 % relative uncertainty per tier with its source "
        "(<code>factors.uncertainty_defaults</code>, overridable with <code>settings.uncertainty</code>). "
        "Figures sharing one error (the same factor, the usage model's one utilisation assumption, one provider's "
        "methodology) are summed first, the groups then added in quadrature (IPCC 2006 Vol. 1 Ch. 3, Approach 1); "
        "see docs/uncertainty.md. Ranges are symmetric and stop at zero: for the widest tiers (spend-based, "
        "estimated from cost) the true distribution is skewed and the upper end understated.</p>"
        "<h3>Totals with their 95 % range</h3>"
        f"{_html_table(UNCERTAINTY_TOTALS_COLUMNS, totals, numeric=(2, 3, 4, 5))}"
        "<h3>Shares by tier</h3>"
        '<p class="note">Primary data (ESRS E1): metered, invoiced or provider-reported activity data.</p>'
        f"{_html_table(['method', 'activity tier', 'factor tier', 'primary', 'tCO2e', 'share'], tiers, numeric=(4, 5))}"
        "<h3>Largest contributors to the total's uncertainty</h3>"
        f"{_html_table(CONTRIBUTOR_COLUMNS, contributors, numeric=(1, 5, 6))}"
        "<h3>Provider-reported cloud figures against the estimate's range</h3>"
        + (
            _html_table(
                ["provider", "reported figure", "lines", "reported tCO2e", "estimated tCO2e"],
                reconciliation,
                numeric=(2, 3, 4),
            )
            if reconciliation
            else "<p>No line has both a provider-reported and a usage-estimated figure this year.</p>"
        )
        + "</section>"
    )


def fallback_shares(data: YearData) -> dict[str, float]:
    """Share of each method's activity x factor tCO2e computed with a fallback factor, summed from the rows of the
    factor_fallbacks check for this year (the same model, so the report and the check say the same)."""
    shares: dict[str, float] = {}
    for row in data.factor_fallbacks.dicts():
        if row["activity_year"] == data.year and row["share_of_method_tco2e"] is not None:
            shares[row["method"]] = shares.get(row["method"], 0.0) + float(row["share_of_method_tco2e"])
    return shares


def _fallback_tiers(data: YearData) -> str:
    rows = [r for r in data.factor_fallbacks.dicts() if r["activity_year"] == data.year]
    shares = fallback_shares(data)
    headline = (
        "<p><strong>Factor fallbacks within <code>activity</code> and estimates:</strong> "
        + "; ".join(f"{_pct(shares.get(m))} of {m}-based tCO2e computed from a factor" for m in METHODS)
        + " used a fallback (an older data year, a parent geography or the location factor standing in for a "
        "market instrument). These are the rows of the <code>factor_fallbacks</code> check; a figure is still "
        "<code>activity</code> when its factor fell back, so read the two together.</p>"
    )
    if not rows:
        return headline
    table = _html_table(
        ["method", "resolution", "activity", "factor year", "rows", "tCO2e", "share of method"],
        [
            [
                r["method"],
                (r["factor_resolution"] or "").replace("+", " + "),
                r["activity_type"],
                "" if r["factor_data_year"] is None else str(r["factor_data_year"]),
                f"{r['emission_rows']:,}",
                _t(r["tco2e"]),
                _pct(r["share_of_method_tco2e"]),
            ]
            for r in rows
        ],
        numeric=(4, 5, 6),
    )
    return headline + table


def _unconverted_spend(data: YearData) -> str:
    rows = data.unconverted_spend.dicts()
    if not rows:
        return "<p>All spend was converted to US dollars (no <code>no_exchange_rate</code> rows).</p>"
    amounts = "; ".join(f"{r['cost']:,.2f} {r['currency']} in {r['activity_rows']:,} row(s)" for r in rows)
    return (
        '<p class="warning"><strong>Spend without an emission figure</strong> (no exchange rate to US dollars for '
        f"its currency and year, flag <code>no_exchange_rate</code>): {escape(amounts)}. Its Scope 3 "
        "category 1 emissions are missing from the totals until a rate is supplied.</p>"
    )


SCOPE3_CATEGORIES = (
    "Purchased goods and services",
    "Capital goods",
    "Fuel- and energy-related activities",
    "Upstream transportation and distribution",
    "Waste generated in operations",
    "Business travel",
    "Employee commuting",
    "Upstream leased assets",
    "Downstream transportation and distribution",
    "Processing of sold products",
    "Use of sold products",
    "End-of-life treatment of sold products",
    "Downstream leased assets",
    "Franchises",
    "Investments",
)


def boundary_section(data: YearData, settings: InventorySettings) -> str:
    """What a reviewer reads first: boundary, consolidation approach, base year, energy and the Scope 3 screening.
    The first three are the organisation's statements (settings in the sources file), printed as given."""
    approach = settings.consolidation_approach.replace("_", " ")
    base_year = (
        f"{settings.base_year}" + (" (this report's year)" if settings.base_year == data.year else "")
        if settings.base_year
        else "not declared (set <code>settings.base_year</code>); no year is treated as the base year"
    )
    return (
        '<section id="boundary"><h2>Boundary, base year and screening</h2><ul>'
        f"<li><strong>Organisational boundary:</strong> {escape(settings.organisational_boundary)}</li>"
        f"<li><strong>Consolidation approach:</strong> {escape(approach)} "
        f"(<code>consolidation_approach: {escape(settings.consolidation_approach)}</code>)</li>"
        f"<li><strong>Base year:</strong> {base_year}. Recalculation: published months are never rewritten "
        "silently; a changed delivery or model version is recorded as a restatement (see Restatements).</li>"
        "</ul>"
        f"{_energy(data)}{_scope3_screening(data, settings.scope3_screening)}</section>"
    )


def gas_section(data: YearData) -> str:
    """The year's inventory by gas where the factors applied give CO2, CH4 and N2O (eGRID, EPA Hub); the rest is
    shown as CO2e only, with its tCO2e, never as zero gases."""
    rows = data.emissions_by_gas.dicts()

    def mass(value: float | None, digits: int) -> str:
        return "CO2e only" if value is None else f"{value:,.{digits}f}"

    table = _html_table(
        ["scope", "method", "tCO2e", "of which by gas", "tCO2", "tCH4", "tN2O", "CO2e from gases", "CO2e only"],
        [
            [
                f"Scope {r['scope']}",
                r["method"],
                _t(r["tco2e"]),
                mass(r["gases_known_tco2e"], 3),
                mass(r["co2_t"], 3),
                mass(r["ch4_t"], 5),
                mass(r["n2o_t"], 5),
                mass(r["co2e_from_gases_t"], 3),
                _t(r["co2e_only_tco2e"]),
            ]
            for r in rows
        ],
        numeric=(2, 3, 4, 5, 6, 7, 8),
    )
    return (
        '<section id="gases"><h2>Emissions by gas</h2>'
        "<p>Split in each factor's own proportions where its publisher gives the gases (US EPA eGRID and GHG "
        "Emission Factors Hub, GWPs AR5: CH4 28, N2O 265); tCH4 and tN2O are masses. Factors published as CO2e "
        "only (DESNZ totals, EEA, Ember, USEEIO), providers' reported cloud figures and cloud embodied emissions "
        "are reported as CO2e only.</p>"
        f"{table}</section>"
    )


def intensity_section(data: YearData, settings: InventorySettings) -> str:
    """tCO2e per unit of each denominator the organisation gives (settings.intensity_denominators). Said plainly
    when none is given, or when a denominator has no value for this year, rather than left out."""
    rows = data.intensity.dicts()
    given = sorted({name for name, _, _, _ in settings.intensity_denominators})
    without_year = sorted(
        set(given) - {name for name, _, year, _ in settings.intensity_denominators if year == data.year}
    )
    if not given:
        body = (
            "<p>No intensity denominator is given (<code>settings.intensity_denominators</code> in the sources "
            "file: name, unit and a value per year, e.g. revenue or employees).</p>"
        )
    else:
        table = _html_table(
            ["denominator", "value", "scopes", "method", "tCO2e", "tCO2e per unit", "months"],
            [
                [
                    f"{r['denominator']} ({r['denominator_unit']})",
                    f"{r['denominator_value']:,.6g}",
                    r["scopes"],
                    r["method"],
                    _t(r["tco2e"]),
                    f"{r['tco2e_per_unit']:,.6g}",
                    str(r["months_covered"]),
                ]
                for r in rows
            ],
            numeric=(1, 4, 5, 6),
        )
        notes = []
        if without_year:
            notes.append(f"No value for {data.year}: {', '.join(without_year)}.")
        if any(r["months_covered"] < 12 for r in rows):
            notes.append("Fewer than 12 months covered: a partial year's intensity is not comparable with a full year.")
        body = table + "".join(f'<p class="note">{escape(n)}</p>' for n in notes)
    return f'<section id="intensity"><h2>Intensity metrics</h2>{body}</section>'


def _energy(data: YearData) -> str:
    rows = data.energy.dicts()
    electricity = next((r for r in rows if r["energy"] == "purchased electricity"), None)
    table = _html_table(
        ["energy", "source", "MWh"],
        [[r["energy"], r["source"], _t(r["mwh"])] for r in rows],
        numeric=(2,),
    )
    share = ""
    if electricity and electricity["mwh"]:
        share = (
            f"<p>Renewable share of purchased electricity: {_pct(electricity['certificate_mwh'] / electricity['mwh'])}"
            f" ({_t(electricity['certificate_mwh'])} MWh covered by energy attribute certificates declared in the "
            "activity files; certificates from the factor library's contract items are applied in the market-based "
            "figure but not counted in this share). Cloud energy is the usage estimate's; providers' reported "
            "figures carry no energy.</p>"
        )
    return f"<h3>Energy consumption</h3>{table}{share}"


def _scope3_screening(data: YearData, screening: tuple[tuple[int, str, str], ...] = ()) -> str:
    """All 15 categories: included where the inventory counts tCO2e, else the organisation's own screening
    (settings.scope3_screening: not relevant / not estimated, with its reason), else "not estimated"."""
    counted: dict[int, set[str]] = {}
    for r in data.scope_summary.dicts():
        if r["scope"] == 3 and r["scope3_category"] and r["tco2e"]:
            counted.setdefault(int(r["scope3_category"]), set()).add(r["basis"])
    declared = {category: (status, reason) for category, status, reason in screening}
    rows = []
    for number, name in enumerate(SCOPE3_CATEGORIES, start=1):
        if number in counted:
            status = "included"
            reason = "from " + ", ".join(sorted(counted[number])) + " data"
            if number in declared:
                # the organisation's statement and the data disagree: say so rather than pick one
                reason += (
                    f" (the sources file screens it as {declared[number][0].replace('_', ' ')}: "
                    f"{declared[number][1]}; the inventory counts it)"
                )
        elif number in declared:
            status = declared[number][0].replace("_", " ")
            reason = declared[number][1] + " (the organisation's screening, settings.scope3_screening)"
        else:
            status = "not estimated"
            reason = "no source configured for it; relevance not yet screened by the organisation"
        rows.append([str(number), name, status, reason])
    return (
        "<h3>Scope 3 screening</h3>"
        f"{_html_table(['category', 'name', 'status', 'why'], rows)}"
        '<p class="note">"Not estimated" is not "not relevant": only the organisation can judge relevance '
        "(settings.scope3_screening in the sources file).</p>"
    )


def hourly_section(data: YearData) -> str:
    """Hourly carbon (issue 16, docs/hourly.md), only when the serving file has it: when each site's and cloud
    region's use was dirtiest, and the hourly location figure beside the annual one. Beside the inventory, never
    in its totals; a figure computed with the SYNTHETIC grid profile is labelled as such."""
    if data.hourly_by_hour is None or data.hourly_vs_annual is None:
        return ""
    by_hour = data.hourly_by_hour.dicts()
    if not by_hour and not data.hourly_vs_annual.rows:
        return ""
    synthetic = any("synthetic" in (r["grid_publishers"] or "") for r in by_hour)
    chart_rows = [(f"{r['entity_kind']} {r['entity']}", r["hour_of_day_utc"], r["kgco2e_per_kwh"]) for r in by_hour]
    parts = ['<section id="hourly"><h2>Hourly carbon (beside the inventory)</h2>']
    if synthetic:
        parts.append(
            '<p class="warning"><strong>SYNTHETIC hourly grid profile</strong>: the hourly factors have an invented '
            "shape, not measured data (docs/hourly.md). The figures below show the method only; never report them.</p>"
        )
    parts.append(
        f'<h3>When use was dirtiest</h3><div class="chart">{charts.hourly_intensity(chart_rows, synthetic)}</div>'
        "<p class=\"note\">The year's kWh-weighted carbon intensity of each site's and cloud region's electricity by "
        "UTC hour of day (marts.hourly_intensity_by_hour_of_day); hours without an hourly factor are gaps.</p>"
    )
    rows = [
        (
            escape(r["entity_kind"]), escape(r["entity"]), escape(r["zone"] or ""), _t(r["annual_tco2e"]),
            _t(r["hourly_tco2e"]), _t(r["timing_effect_tco2e"]), _t(r["factor_effect_tco2e"]),
            _pct(r["profiled_kwh_share"]), escape(r["notes"] or ""),
        )
        for r in data.hourly_vs_annual.dicts()
    ]  # fmt: skip
    columns = ["kind", "site / region", "zone", "annual tCO2e", "hourly tCO2e", "timing effect", "factor effect",
               "profiled kWh", "note"]  # fmt: skip
    parts.append(
        f"<h3>Hourly vs annual location-based</h3>{_html_table(columns, rows, numeric=range(3, 8), escaped=True)}"
        '<p class="note">marts.hourly_vs_annual summed over the year: timing effect = when the kWh were used; factor '
        "effect = the hourly data set vs the annual factor. Cloud excludes embodied emissions. Not part of the "
        "inventory totals above.</p></section>"
    )
    return "".join(parts)


def factor_section(data: YearData) -> str:
    rows = data.factor_sources.dicts()
    table_rows = [
        [
            f"<strong>{escape(r['publisher'])}</strong> · {escape(r['dataset'])}<br>{escape(r['edition'])}"
            f'<br><span class="note">licence: {escape(r["licence"])}</span>',
            "" if r["data_year"] is None else str(r["data_year"]),
            escape(r["boundary"] or ""),
            escape(r["gwp_set"] or ""),
            escape(r["activity_types"]),
            escape(r["resolutions"].replace("+", " + ")),
            f"{r['emission_rows']:,}",
            _t(r["location_tco2e"]),
            _t(r["market_tco2e"]),
        ]
        for r in rows
    ]
    columns = ["source and edition", "data year", "boundary", "GWP", "used for", "resolution", "rows"]
    columns += ["location tCO2e", "market tCO2e"]
    lifecycle = sorted({f"{r['publisher']} ({r['dataset']})" for r in rows if r["boundary"] == "lifecycle"})
    notes = []
    if lifecycle:
        notes.append(
            f'<p class="warning">Lifecycle factors: {escape(", ".join(lifecycle))}. They include upstream '
            "emissions (fuel supply, plant construction) and so overstate a direct Scope 2 location-based figure; "
            "they are used where no direct factor ships for the grid and labelled as such.</p>"
        )
    return (
        '<section id="factors"><h2>Emission-factor sources and editions</h2>'
        "<p>The factors behind the figures counted in this year's inventory, from "
        "<code>emissions.activity_emissions</code> joined to <code>factors.emission_factors</code>. "
        "Resolution: <code>exact</code> (factor year = activity year), <code>older_year</code> (newest earlier "
        "data year), <code>supplier</code>, <code>certificates</code>, <code>location_fallback</code> (market-based "
        "figure falling back to the location factor: no residual-mix factor can be shipped).</p>"
        f"{_html_table(columns, table_rows, numeric=(6, 7, 8), css='wide', escaped=True)}{''.join(notes)}</section>"
    )


ACTIVITY_LABELS = {
    "electricity": "Purchased electricity (Scope 2)",
    "fuel": "Fuel and fleet (Scope 1)",
    "travel": "Business travel (Scope 3 category 6)",
    "spend": "Purchased goods and services (Scope 3 category 1, spend-based)",
    "vehicle": "Vehicle distance (Scope 1 owned, Scope 3 category 6 otherwise)",
    "cloud_usage": "Cloud usage estimates",
}


def factors_used_text(data: YearData) -> str:
    """One sentence per kind of activity naming the factor publishers, datasets and editions that were actually
    applied to this year's counted figures (the factor_sources rows), never a fixed list: the text said "EPA Hub"
    and "Ember" while the table showed DESNZ and EEA. Publishers appear exactly as the catalogue spells them."""
    used: dict[str, list[dict[str, Any]]] = {}
    for row in data.factor_sources.dicts():
        for activity in (a.strip() for a in (row["activity_types"] or "").split(",") if a.strip()):
            used.setdefault(activity, []).append(row)
    if not used:
        return "<li><strong>Emission factors:</strong> none applied to this year's counted figures.</li>"
    items = []
    for activity in sorted(used, key=lambda a: (list(ACTIVITY_LABELS).index(a) if a in ACTIVITY_LABELS else 99, a)):
        sources = sorted(
            {
                f"{r['publisher']} {r['dataset']} ({r['edition']}"
                + ("" if r["data_year"] is None else f", data year {r['data_year']}")
                + f"; {r['resolutions'].replace('+', ' + ')})"
                for r in used[activity]
            }
        )
        label = ACTIVITY_LABELS.get(activity, activity)
        items.append(f"<li><strong>{escape(label)}:</strong> × {escape('; '.join(sources))}.</li>")
    return "".join(items)


def methodology_section(data: YearData, settings: InventorySettings) -> str:
    policy = settings.cloud_scope_policy
    placed = sorted(
        {(r["scope"], r["scope3_category"]) for r in data.scope_summary.dicts() if r["basis"] != "activity"},
        key=lambda k: (k[0], k[1] or 0),
    )
    placed_text = ", ".join(f"Scope {s}" + (f" category {c}" if c else "") for s, c in placed) or "nowhere"
    expected = (2, None) if policy == "scope2_framing" else (3, 1)
    mismatch = ""
    if placed and placed != [expected]:
        mismatch = (
            f'<p class="warning">The settings given to this report say <code>{escape(policy)}</code>, but the '
            f"published inventory places cloud under {escape(placed_text)}: re-run the pipeline with the same "
            "settings before using this report.</p>"
        )
    pinned = settings.pinned_model_version
    version_policy = (
        f"pinned to <code>{escape(pinned)}</code> by the settings (<code>carbon_model_version</code>)"
        if pinned
        else "<code>newest</code> (default): when a provider delivers more than one model version for a month, the "
        "newest is counted"
    )
    return (
        '<section id="methodology"><h2>Methodology and policies</h2><ul>'
        f"<li><strong>Cloud scope policy</strong> (<code>cloud_scope_policy: {escape(policy)}</code>): "
        f"{POLICY_TEXT.get(policy, escape(policy))} In this inventory cloud appears under {escape(placed_text)}.</li>"
        f"<li><strong>Carbon-model version:</strong> {version_policy}; the versions not counted stay in "
        "<code>ledger.provider_emissions</code> with <code>is_selected = false</code>. A change of vendor model "
        "is a method change.</li>"
        "<li><strong>Reported before estimated:</strong> the provider's reported figure is the source of record for a "
        "provider, month and method. The usage-based estimate (energy from usage x coefficients of profile "
        f"<code>{escape(settings.coefficient_profile)}</code>, x the grid factors listed below) fills only months "
        "and methods "
        "with no provider figure; the two are never added.</li>"
        "<li><strong>Scope 2 dual reporting:</strong> location-based by the site's grid; market-based by "
        "certificates, then the supplier's factor, then the location factor as a recorded fallback.</li>"
        f"{factors_used_text(data)}"
        "<li><strong>Factor vintage</strong> follows the activity year: the newest data year not after it, recorded "
        "as <code>older_year</code> when older.</li>"
        "<li><strong>Nothing dropped silently:</strong> rows that cannot be classified or have no factor are kept "
        "and flagged (see Data quality).</li>"
        f"</ul>{mismatch}{_model_version_block(data)}</section>"
    )


def _model_version_block(data: YearData) -> str:
    rows = data.model_versions.dicts()
    if not rows:
        return "<h3>Provider carbon-model versions</h3><p>No provider carbon export in this year.</p>"
    selected = [r for r in rows if r["is_selected"]]
    runs: list[list[Any]] = []
    for r in selected:
        key = (r["source_id"], r["model_version"])
        if runs and runs[-1][0] == key:
            runs[-1][2] = r["period_month"]
        else:
            runs.append([key, r["period_month"], r["period_month"]])
    summary = "; ".join(
        f"{source}: {version} counted for {first:%Y-%m}" + ("" if first == last else f" – {last:%Y-%m}")
        for (source, version), first, last in runs
    )
    choices = []
    for r in selected:
        if r["versions_delivered"] > 1:
            others = sorted(
                o["model_version"]
                for o in rows
                if o["period_month"] == r["period_month"] and o["source_id"] == r["source_id"] and not o["is_selected"]
            )
            choices.append(
                f"<li>{r['period_month']:%Y-%m} ({escape(r['source_id'])}): {escape(r['model_version'])} selected "
                f"over {escape(', '.join(others))} ({escape(r['selection_note'] or '')})</li>"
            )
    multi = [r for r in rows if r["versions_delivered"] > 1]
    table = ""
    if multi:
        table = _html_table(
            ["month", "source", "version", "selected", "note", "location tCO2e", "market tCO2e"],
            [
                [
                    f"{r['period_month']:%Y-%m}",
                    r["source_id"],
                    r["model_version"],
                    "yes" if r["is_selected"] else "no",
                    r["selection_note"] or "",
                    _t(r["location_tco2e"]),
                    _t(r["market_tco2e"]),
                ]
                for r in multi
            ],
            numeric=(5, 6),
        )
    months_text = (
        f"<p>Months where more than one version was delivered:</p><ul>{''.join(choices)}</ul>{table}"
        if choices
        else "<p>One model version was delivered for every month.</p>"
    )
    return f"<h3>Provider carbon-model versions</h3><p>{escape(summary)}.</p>{months_text}"


def restatement_section(data: YearData) -> str:
    rows = data.restatements.dicts()
    if rows:
        body = _html_table(
            ["month", "source", "change", "previous", "new", "previous rows", "new rows", "run"],
            [
                [
                    f"{r['period_month']:%Y-%m}",
                    r["source_id"],
                    r["change_kind"],
                    r["previous_identity"],
                    r["new_identity"],
                    "" if r["previous_row_count"] is None else f"{r['previous_row_count']:,}",
                    "" if r["new_row_count"] is None else f"{r['new_row_count']:,}",
                    r["recorded_by_run"] or "",
                ]
                for r in rows
            ],
            numeric=(5, 6),
            css="wide",
        )
    else:
        body = f"<p>None recorded for {data.year}.</p>"
    superseded = data.superseded_deliveries.dicts()
    extra = ""
    if superseded:
        extra = "<h3>Deliveries superseded before they were counted</h3>" + _html_table(
            ["month", "source", "kind", "delivery", "manifest"],
            [
                [f"{r['period_month']:%Y-%m}", r["source_id"], r["source_kind"], r["delivery_id"], r["manifest_key"]]
                for r in superseded
            ],
            css="wide",
        )
    return (
        '<section id="restatements"><h2>Restatements</h2>'
        "<p>Periods whose source delivery or chosen model version changed after they had been loaded "
        "(<code>audit.restatements</code>).</p>"
        f"{body}{extra}{published_restatements(data)}</section>"
    )


RESTATEMENT_LOG_HEADER = (
    "month",
    "scope",
    "method",
    "basis",
    "published",
    "current",
    "delta",
    "method",
    "activity",
    "factor",
    "provider revision",
    "added/removed",
    "cause",
)
RESTATEMENT_LOG_FIGURES = (
    "published_tco2e",
    "current_tco2e",
    "delta_tco2e",
    "method_effect",
    "activity_effect",
    "factor_effect",
    "provider_revision_effect",
    "added_removed_effect",
)


def published_restatements(data: YearData) -> str:
    """Published snapshots of the year and how the figures now differ from them, split by the bridge
    (docs/restatements.md)."""
    snapshots = data.published_snapshots.dicts()
    if not snapshots:
        return f"<h3>Published snapshots</h3><p>No month of {data.year} has been published.</p>"
    snapshot_table = _html_table(
        ["snapshot", "months", "published (UTC)", "current", "supersedes", "note", "SHA-256"],
        [
            [
                s["snapshot_id"],
                f"{s['first_month']:%Y-%m}..{s['last_month']:%Y-%m}",
                f"{s['published_at']:%Y-%m-%d %H:%M}",
                "yes" if s["is_current"] else "no",
                s["supersedes"] or "",
                s["note"] or "",
                s["content_sha256"][:16] + "…",
            ]
            for s in snapshots
        ],
        css="wide",
    )
    lines = data.restatement_log.dicts()
    if not lines:
        log = "<p>The current figures equal the published ones.</p>"
    else:
        log = _html_table(
            RESTATEMENT_LOG_HEADER,
            [
                [
                    f"{r['period_month']:%Y-%m}",
                    f"{r['scope']}" + ("" if r["scope3_category"] is None else f" cat {r['scope3_category']}"),
                    r["method"],
                    r["basis"],
                    *("" if r[k] is None else f"{r[k]:,.6f}" for k in RESTATEMENT_LOG_FIGURES),
                    r["cause"],
                ]
                for r in lines
            ],
            numeric=range(4, 12),
            css="wide",
        )
    return (
        "<h3>Published snapshots</h3>" + snapshot_table + "<h3>Restatements of published figures (tCO2e)</h3>"
        "<p>Current figures against each month's current snapshot, the difference split into method change, "
        "activity, factor, provider revision and added/removed lines (<code>bi.restatement_log</code>; per grain "
        "in <code>bi.restatement_bridge</code>).</p>" + log
    )


def footer(data: YearData, csv_names: Sequence[str]) -> str:
    """Relative links to the CSV files written beside the page: the only references it makes."""
    links = " · ".join(f'<a href="{data.year}/{escape(name)}.csv">{escape(name)}.csv</a>' for name in csv_names)
    return (
        f"<footer><p>Tables as CSV (full precision): {links}.</p>"
        "<p>Every figure traces to its source rows and factors in the serving file: see the audit queries in the "
        f"project README. {escape(DRAFT_STATEMENT)}</p></footer>"
    )


# --- formatting ------------------------------------------------------------------------------------


def _html_table(
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    numeric: Iterable[int] = (),
    css: str = "",
    escaped: bool = False,
) -> str:
    """A table from plain cell values (escaped here) or, with ``escaped``, cells already made safe."""
    numeric = set(numeric)

    def cell(tag: str, i: int, value: Any) -> str:
        text = str(value) if escaped else escape(str(value))
        cls = ' class="num"' if i in numeric else ""
        return f"<{tag}{cls}>{text}</{tag}>"

    head = "".join(cell("th", i, c) for i, c in enumerate(columns))
    body = "".join("<tr>" + "".join(cell("td", i, v) for i, v in enumerate(row)) + "</tr>" for row in rows)
    attr = f' class="{css}"' if css else ""
    return f'<div class="scroll"><table{attr}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>'


def _t(value: float | None) -> str:
    return "–" if value is None else f"{value:,.3f}"


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.1f} %"


def _change(before: float | None, after: float | None) -> str:
    if before is None or after is None or before == 0:
        return "–"
    return f"{100 * (after - before) / before:+.1f} %"


def package_version() -> str:
    try:
        return version("carbon_pipeline")
    except PackageNotFoundError:
        return "(not installed)"
