"""Charts for the inventory report, rendered to inline SVG text.

The report must open with no network (an auditor's laptop, an archived attachment), so charts are
vector drawings inside the HTML, text drawn as paths (no web fonts). Figures are built with
``matplotlib.figure.Figure`` rather than pyplot: no GUI backend, no global figure registry, safe in a
Dagster worker. Output is deterministic for equal data (fixed SVG id salt, no date metadata), so
regenerating an unchanged year gives the same charts.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from datetime import date

import matplotlib
from matplotlib.figure import Figure

from carbon_pipeline.safety.names import chart_label

SCOPE_COLOURS = {1: "#4e79a7", 2: "#f28e2b", 3: "#59a14f"}
BASIS_COLOURS = {
    "activity": "#59a14f",
    "reported": "#4e79a7",
    "estimated_usage": "#f28e2b",
    "estimated_spend": "#e15759",
}
METHOD_COLOURS = {"location": "#4e79a7", "market": "#9c755f"}
MONTH_LABELS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

_XML_PROLOGUE = re.compile(r"^.*?(?=<svg)", re.DOTALL)
_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.DOTALL)


def to_svg(figure: Figure, name: str) -> str:
    """The figure as an ``<svg>`` element to paste into HTML: no XML prologue or DOCTYPE, no RDF
    metadata (it names external vocabularies), ids salted by ``name`` so two charts in one page never
    share a clip-path id."""
    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": f"carbon-report-{name}", "svg.fonttype": "path"}):
        figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    svg = _METADATA.sub("", _XML_PROLOGUE.sub("", buffer.getvalue(), count=1))
    return svg.replace("<svg ", f'<svg role="img" aria-label="{name}" ', 1)


def _style(ax) -> None:
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.tick_params(labelsize=8)


def monthly_by_scope(values: dict[tuple[str, date, int], float], year: int, name: str = "monthly-by-scope") -> str:
    """Stacked bars per month by scope, location- and market-based side by side on one y scale.
    ``values`` maps (method, month, scope) to tCO2e."""
    months = [date(year, m, 1) for m in range(1, 13)]
    scopes = sorted({scope for _, _, scope in values})
    figure = Figure(figsize=(10, 3.4))
    axes = figure.subplots(1, 2, sharey=True)
    for ax, method in zip(axes, ("location", "market"), strict=True):
        bottom = [0.0] * 12
        for scope in scopes:
            heights = [values.get((method, month, scope), 0.0) for month in months]
            ax.bar(MONTH_LABELS, heights, bottom=bottom, color=SCOPE_COLOURS.get(scope), label=f"Scope {scope}")
            bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
        ax.set_title(f"{method}-based", fontsize=10)
        _style(ax)
    axes[0].set_ylabel("tCO2e", fontsize=9)
    handles, labels = axes[0].get_legend_handles_labels()
    figure.legend(handles, labels, loc="upper center", ncol=len(labels), fontsize=8, frameon=False)
    figure.subplots_adjust(top=0.82, wspace=0.08)
    return to_svg(figure, name)


def cloud_by_service(rows: Sequence[tuple[str, float, float]], name: str = "cloud-by-service") -> str:
    """Horizontal bars per provider/service, location and market counted tCO2e.
    ``rows`` are (label, location, market), largest first."""
    labels = [chart_label(label) for label, _, _ in rows][::-1]  # '$' in a service name is not mathtext
    location = [loc for _, loc, _ in rows][::-1]
    market = [mkt for _, _, mkt in rows][::-1]
    figure = Figure(figsize=(10, 0.9 + 0.45 * len(rows)))
    ax = figure.subplots()
    positions = list(range(len(rows)))
    height = 0.38
    ax.barh([p + height / 2 for p in positions], location, height, color=METHOD_COLOURS["location"], label="location")
    ax.barh([p - height / 2 for p in positions], market, height, color=METHOD_COLOURS["market"], label="market")
    ax.set_yticks(positions, labels)
    ax.set_xlabel("tCO2e", fontsize=9)
    ax.legend(fontsize=8, frameon=False, loc="lower right")
    _style(ax)
    ax.grid(axis="y", visible=False)
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    return to_svg(figure, name)


def basis_shares(shares: dict[str, dict[str, float]], name: str = "basis-shares") -> str:
    """100 % bars per method split by basis: how much of each total is reported, estimated, or
    computed from the organisation's own activity data. ``shares`` maps method -> basis -> share."""
    methods = [m for m in ("location", "market") if m in shares]
    bases = [b for b in BASIS_COLOURS if any(b in shares[m] for m in methods)]
    bases += sorted({b for m in methods for b in shares[m]} - set(bases))
    figure = Figure(figsize=(10, 0.8 + 0.5 * len(methods)))
    ax = figure.subplots()
    left = [0.0] * len(methods)
    for basis in bases:
        widths = [100 * shares[m].get(basis, 0.0) for m in methods]
        ax.barh(methods, widths, left=left, color=BASIS_COLOURS.get(basis, "#bab0ac"), label=basis)
        for i, width in enumerate(widths):
            if width >= 4:
                ax.text(left[i] + width / 2, i, f"{width:.1f} %", ha="center", va="center", fontsize=8, color="white")
        left = [a + w for a, w in zip(left, widths, strict=True)]
    ax.set_xlim(0, 100)
    ax.invert_yaxis()
    ax.set_xlabel("share of tCO2e (%)", fontsize=9)
    ax.legend(fontsize=8, frameon=False, ncol=len(bases), loc="lower center", bbox_to_anchor=(0.5, 1.0))
    _style(ax)
    ax.grid(axis="y", visible=False)
    return to_svg(figure, name)


def hourly_intensity(
    rows: Sequence[tuple[str, int, float | None]], synthetic: bool, name: str = "hourly-intensity"
) -> str:
    """When each site's / region's use was dirtiest: the year's kWh-weighted kgCO2e per kWh by UTC hour of day,
    one line per site / region (``rows``: label, hour 0-23, intensity or None). Drawn with the SYNTHETIC profile,
    the title says so."""
    labels = sorted({label for label, _, _ in rows})
    values = {(label, hour): value for label, hour, value in rows}
    figure = Figure(figsize=(10, 3.4))
    ax = figure.subplots()
    for label in labels:
        ys = [values.get((label, hour)) for hour in range(24)]
        ax.plot(range(24), [float("nan") if y is None else y for y in ys], marker="o", markersize=3,
                label=chart_label(label))  # fmt: skip
    ax.set_xticks(range(0, 24, 3), [f"{h:02d}:00" for h in range(0, 24, 3)])
    ax.set_xlabel("hour of day (UTC)", fontsize=9)
    ax.set_ylabel("kgCO2e per kWh used", fontsize=9)
    if synthetic:
        ax.set_title("SYNTHETIC hourly grid profile (invented shape, not measured data)", fontsize=10, color="#b44d12")
    _style(ax)
    if labels:
        ax.legend(fontsize=7, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return to_svg(figure, name)
