"""The hourly chart for the Dagster UI (issue 16): when each site's and cloud region's use was dirtiest, as the
month's kWh-weighted carbon intensity by UTC hour of day, one line per site / region (orchestration/plots.py
says why PNG inlined in markdown). A chart drawn with the SYNTHETIC grid profile says so in its title."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.figure import Figure

SYNTHETIC_TITLE = "SYNTHETIC hourly grid profile (invented shape, not measured data)"


def intensity_by_hour_of_day(
    rows: Sequence[tuple[str, int, float | None, float | None]], month: str, synthetic: bool
) -> Figure:
    """``rows``: (site / region, UTC hour of day 0-23, kgCO2e/kWh or None, kWh). Hours without use or factor are
    gaps in the line, not zeros."""
    from matplotlib.figure import Figure

    entities = sorted({entity for entity, _, _, _ in rows})
    values = {(entity, hour): intensity for entity, hour, intensity, kwh in rows if kwh}
    figure = Figure(figsize=(8, 3.2))
    ax = figure.subplots()
    for entity in entities:
        ys = [values.get((entity, hour)) for hour in range(24)]
        ax.plot(range(24), [float("nan") if y is None else y for y in ys], marker="o", markersize=3, label=entity)
        known = [(y, h) for h, y in enumerate(ys) if y is not None]
        if known:
            peak, hour = max(known)
            ax.annotate("dirtiest", (hour, peak), textcoords="offset points", xytext=(0, 6), ha="center", fontsize=7)
    ax.set_xticks(range(0, 24, 3), [f"{h:02d}:00" for h in range(0, 24, 3)])
    ax.set_xlabel("hour of day (UTC)", fontsize=9)
    ax.set_ylabel("kgCO2e per kWh used", fontsize=9)
    title = f"Carbon intensity of use by hour of day, {month}"
    ax.set_title(
        f"{title}\n{SYNTHETIC_TITLE}" if synthetic else title, fontsize=10, color="#b44d12" if synthetic else None
    )
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    ax.tick_params(labelsize=8)
    if entities:
        ax.legend(fontsize=7, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return figure


def intensity_chart_markdowns(
    months: Sequence[tuple[str, Sequence[tuple[str, int, float | None, float | None]], bool]],
) -> list[str]:
    """The markdown image (PNG inlined) of each (month label, rows, synthetic): a module-level function of plain
    values, so a run's helper process can draw part of a backfill's months (defs/hourly/assets.py)."""
    from carbon_pipeline.orchestration.plots import png_markdown_text

    return [
        png_markdown_text(
            intensity_by_hour_of_day(rows, month, synthetic), f"kg CO2e per kWh by UTC hour of day, {month}"
        )
        for month, rows, synthetic in months
    ]
