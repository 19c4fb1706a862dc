"""The dashboard's Altair charts, built from `queries` frames (no Streamlit here).
Every mark carries a tooltip with the exact numbers."""

from __future__ import annotations

import altair as alt
import pandas as pd

PERIOD = alt.X("period:O", title="Period starting", axis=alt.Axis(labelAngle=-30))
PERIOD_TOOLTIP = alt.Tooltip("period:O", title="Period starting")
COLOURS = alt.Scale(scheme="tableau10")


def _with_period_text(frame: pd.DataFrame) -> pd.DataFrame:
    # Periods as ISO dates (the reports' DATE_REFERENCE), one axis step each.
    return frame.assign(period=[str(value) for value in frame["period"]])


def pulls_over_time(frame: pd.DataFrame, granularity: str) -> alt.Chart:
    """One line per repository and measure: colour = repository, solid = data
    downloads, dashed = version checks; points show the exact value on hover."""
    data = _with_period_text(frame)
    chart: alt.Chart = (
        alt.Chart(data, title=f"Pulls per {'week' if granularity == 'weekly' else 'month'}")
        .mark_line(point=alt.OverlayMarkDef(size=70, filled=True))
        .encode(
            x=PERIOD,
            y=alt.Y("value:Q", title="Pulls"),
            color=alt.Color("repository:N", title="Repository", scale=COLOURS),
            strokeDash=alt.StrokeDash(
                "measure:N",
                title="Measure",
                scale=alt.Scale(
                    domain=["Data downloads", "Version checks"], range=[[1, 0], [6, 4]]
                ),
            ),
            tooltip=[
                PERIOD_TOOLTIP,
                alt.Tooltip("repository:N", title="Repository"),
                alt.Tooltip("measure:N", title="Measure"),
                alt.Tooltip("value:Q", title="Count", format=","),
            ],
        )
        .properties(height=380)
    )
    return chart


def stacked_over_time(frame: pd.DataFrame, title: str, value_title: str) -> alt.Chart:
    """Pulls per period stacked by value (a `queries.top_values` frame)."""
    base = _values_over_time(frame, title, value_title).mark_bar()
    chart: alt.Chart = base.encode(
        y=alt.Y("pulls:Q", title="Pulls"), order=alt.Order("pulls:Q", sort="descending")
    )
    return chart


def share_over_time(frame: pd.DataFrame, title: str, value_title: str) -> alt.Chart:
    """Share of each period's pulls per value, one line each: which gain or lose."""
    base = _values_over_time(frame, title, value_title)
    chart: alt.Chart = base.mark_line(point=alt.OverlayMarkDef(size=60, filled=True)).encode(
        y=alt.Y("share:Q", title="Share of pulls", axis=alt.Axis(format="%"))
    )
    return chart


def _values_over_time(frame: pd.DataFrame, title: str, value_title: str) -> alt.Chart:
    """A `queries.trends_by` frame by period and value, every number in the tooltip."""
    chart: alt.Chart = (
        alt.Chart(_with_period_text(frame), title=title)
        .encode(
            x=PERIOD,
            color=alt.Color("value:N", title=value_title, scale=COLOURS),
            tooltip=[
                PERIOD_TOOLTIP,
                alt.Tooltip("value:N", title=value_title),
                alt.Tooltip("pulls:Q", title="Pulls", format=","),
                alt.Tooltip("data_downloads:Q", title="Data downloads", format=","),
                alt.Tooltip("version_checks:Q", title="Version checks", format=","),
                alt.Tooltip("share:Q", title="Share of pulls", format=".1%"),
            ],
        )
        .properties(height=320)
    )
    return chart


def ranked_bars(
    frame: pd.DataFrame,
    category: str,
    measure: str,
    colour: str,
    title: str,
    tooltip: list[str],
) -> alt.Chart:
    """Horizontal bars, largest first."""
    chart: alt.Chart = (
        alt.Chart(frame, title=title)
        .mark_bar()
        .encode(
            y=alt.Y(f"{category}:N", sort="-x", title=None, axis=alt.Axis(labelLimit=360)),
            x=alt.X(f"{measure}:Q", title=measure.replace("_", " ")),
            color=alt.Color(f"{colour}:N", title=colour.replace("_", " "), scale=COLOURS),
            tooltip=tooltip,
        )
        .properties(height=alt.Step(22))
    )
    return chart
