"""The report's hourly section: absent when the serving file has no hourly marts (hourly off: the report is the
annual one), a chart of when use was dirtiest when it has, labelled SYNTHETIC only when the synthetic profile was
used."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

from carbon_pipeline.reporting.report_data import Table
from carbon_pipeline.reporting.report_sections import hourly_section

BY_HOUR = ("entity_kind", "entity", "hour_of_day_utc", "kwh", "tco2e", "kgco2e_per_kwh", "grid_publishers")
VS_ANNUAL = (
    "entity_kind", "entity", "zone", "annual_tco2e", "hourly_tco2e", "timing_effect_tco2e", "factor_effect_tco2e",
    "profiled_kwh_share", "notes",
)  # fmt: skip


def year(publisher: str) -> SimpleNamespace:
    by_hour = [("site", "Office Dublin", h, 10.0, 0.003 + h / 1e4, 0.3 + h / 100, publisher) for h in range(24)]
    vs_annual = [("site", "Office Dublin", "IE", 0.07, 0.08, 0.01, 0.0, 1.0, "")]
    return SimpleNamespace(
        year=2025,
        month=date(2025, 1, 1),
        hourly_by_hour=Table(BY_HOUR, by_hour),
        hourly_vs_annual=Table(VS_ANNUAL, vs_annual),
    )


def test_no_hourly_marts_no_section():
    assert hourly_section(SimpleNamespace(hourly_by_hour=None, hourly_vs_annual=None)) == ""


def test_measured_factors_give_the_chart_without_the_synthetic_label():
    html = hourly_section(year("Electricity Maps"))
    assert html.startswith('<section id="hourly">') and 'aria-label="hourly-intensity"' in html
    assert "Office Dublin" in html and "SYNTHETIC" not in html


def test_the_synthetic_profile_is_labelled_in_the_section_and_the_chart():
    html = hourly_section(year("synthetic"))
    box = html[html.index('<p class="warning">') :]
    assert box[: box.index("</p>")].count("SYNTHETIC hourly grid profile") == 1
    chart = html[html.index("<svg") : html.index("</svg>")]
    assert "SYNTHETIC hourly grid profile" in chart  # the title (matplotlib keeps drawn text as a comment)
