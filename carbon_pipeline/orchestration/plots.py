"""Plots for materialization metadata in the Dagster UI, where a trend says more than a table.

The UI renders markdown metadata and accepts an inline ``data:image/png;base64`` image, so a chart needs
no file server and stays with the materialization event it describes. PNG rather than the report's
SVG: the UI sanitises inline SVG. Figures are built with ``matplotlib.figure.Figure`` (no pyplot, no
GUI backend, safe in a Dagster worker), small and at a low resolution to keep the event log light, and
without the PNG "Software" text chunk so equal data gives equal bytes.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # matplotlib (2 s) is imported when a chart is drawn, not when the code location loads
    import dagster as dg
    from matplotlib.figure import Figure

DPI = 80


def png_bytes(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight", metadata={"Software": None})
    return buffer.getvalue()


def png_markdown(figure: Figure, alt: str) -> dg.MetadataValue:
    """The figure as a markdown image with its PNG inlined (base64)."""
    import dagster as dg  # here, so that a run's helper process can draw charts without importing Dagster

    return dg.MetadataValue.md(png_markdown_text(figure, alt))


def png_markdown_text(figure: Figure, alt: str) -> str:
    """The markdown text of ``png_markdown``."""
    encoded = base64.b64encode(png_bytes(figure)).decode("ascii")
    return f"![{alt}](data:image/png;base64,{encoded})"


def monthly_by_scope(rows: Sequence[tuple[date, str, int, float]]) -> Figure:
    """Stacked bars per month by scope, location- and market-based side by side on one y scale, for any
    run window (one month to several years). ``rows`` are (month, method, scope, tCO2e)."""
    months = sorted({month for month, _, _, _ in rows})
    scopes = sorted({scope for _, _, scope, _ in rows})
    values = {(month, method, scope): tco2e for month, method, scope, tco2e in rows}
    labels = [f"{month:%Y-%m}" for month in months]
    step = max(1, len(months) // 12)  # at most ~12 tick labels, whatever the window
    from matplotlib.figure import Figure

    from carbon_pipeline.reporting.charts import SCOPE_COLOURS

    figure = Figure(figsize=(10, 3.2))
    axes = figure.subplots(1, 2, sharey=True)
    for ax, method in zip(axes, ("location", "market"), strict=True):
        bottom = [0.0] * len(months)
        for scope in scopes:
            heights = [values.get((month, method, scope), 0.0) for month in months]
            ax.bar(range(len(months)), heights, bottom=bottom, color=SCOPE_COLOURS.get(scope), label=f"Scope {scope}")
            bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
        ax.set_xticks(range(0, len(months), step), labels[::step], rotation=45, ha="right")
        ax.set_xlim(-0.6, max(len(months), 6) - 0.4)  # a one-month run keeps a bar, not a wall
        ax.set_title(f"{method}-based", fontsize=10)
        ax.spines[["top", "right"]].set_visible(False)
        ax.grid(axis="y", color="#dddddd", linewidth=0.6)
        ax.set_axisbelow(True)
        ax.tick_params(labelsize=8)
    axes[0].set_ylabel("tCO2e", fontsize=9)
    handles, legend_labels = axes[0].get_legend_handles_labels()
    figure.legend(handles, legend_labels, loc="upper center", ncol=max(1, len(scopes)), fontsize=8, frameon=False)
    figure.subplots_adjust(top=0.82, wspace=0.08)
    return figure
