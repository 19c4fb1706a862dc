"""The dashboard's Altair charts, built from `queries` frames (no Streamlit here).
Every mark carries a tooltip with the exact numbers."""

from __future__ import annotations

import datetime
import zlib
from collections.abc import Iterable, Mapping, Sequence

import altair as alt
import pandas as pd

PERIOD = alt.X("period:O", title="Period starting", axis=alt.Axis(labelAngle=-30))
PERIOD_TOOLTIP = alt.Tooltip("period:O", title="Period starting")
COLOURS = alt.Scale(scheme="tableau10")
#: Charts are drawn as SVG (vega-embed's `usermeta.embedOptions`): axis labels, legends
#: and titles are text in the page, read by screen readers (and by the browser test,
#: which checks the dates each chart's axis draws).
DRAWN_AS_SVG = {"embedOptions": {"renderer": "svg"}}
#: Twenty distinct colours (Tableau 20); a repository's colour is picked by its name.
PALETTE = (
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1",
    "#ff9da7", "#9c755f", "#bab0ac", "#a0cbe8", "#ffbe7d", "#ff9d9a", "#86bcb6",
    "#8cd17d", "#f1ce63", "#d4a6c8", "#fabfd2", "#d37295", "#79706e",
)  # fmt: skip

#: Human labels (with units) of the columns the pages show, for tables and tooltips.
LABELS: dict[str, str] = {
    "period": "Period starting",
    "repository": "Repository",
    "measure": "Measure",
    "value": "Value",
    "data_downloads": "Data downloads",
    "version_checks": "Version checks",
    "pulls": "Pulls",
    "share": "Share of pulls (%)",
    "first_share_pct": "Share in first period (%)",
    "last_share_pct": "Share in last period (%)",
    "change_pct_points": "Change (percentage points)",
    "last_pulls": "Pulls in last period",
    "dvpp_image": "Your image",
    "paired_image": "Also pulled",
    "users": "Users of both",
    "total_pullers": "Users of your image",
    "pct_users": "Share of your image's users (%)",
    "domains": "Company domains of both",
    "total_domains": "Company domains of your image",
    "pct_domains": "Share of your image's company domains (%)",
    "companies": "Companies",
    "company_domain": "Company",
    "ip_country": "Country",
    "country": "Country",
    "provider": "Cloud provider",
    "client": "Client",
    "cloud_service_provider": "Cloud provider",
    "user_agent_tool": "Client",
    "inferred_use_case": "Inferred use case",
    "unique_authenticated_users": "Unique signed-in users",
    "extension": "Extension",
    "installs": "Installs",
    "uninstalls": "Uninstalls",
    "updates": "Updates",
    "total_installs": "Total installs",
    "total_uninstalls": "Total uninstalls",
    "unique_installs": "Unique installs",
    "unique_uninstalls": "Unique uninstalls",
    "unique_users": "Unique users",
    "tag": "Tag",
    "digest": "Digest",
    "is_scanned": "Scanned",
    "critical": "Critical findings",
    "high": "High findings",
    "medium": "Medium findings",
    "low": "Low findings",
    "fixable": "Fixable findings",
    "manifest_digest": "Image digest",
    "vulnerability_id": "Vulnerability",
    "severity": "Severity",
    "package_name": "Package",
    "installed_version": "Installed version",
    "fixed_version": "Fixed in version",
    "introduced_in_tag": "Introduced in tag",
    "fixed_in_tag": "Fixed in tag",
    "cvss_score": "CVSS score",
    "scanned": "Downloads of scanned images",
    "vulnerable": "Downloads of vulnerable images",
    "clean": "Downloads of clean images",
    "vulnerable_share": "Share of downloads on vulnerable images (%)",
    "vulnerabilities": "Findings",
}


def label(column: str) -> str:
    """A column's human label (the column itself when it has none)."""
    return LABELS.get(column, column.replace("_", " ").capitalize())


def repository_colours(repositories: Iterable[str]) -> alt.Scale:
    """A colour per repository picked from its name, so that a repository keeps its
    colour whatever else is selected."""
    domain = sorted(set(repositories))
    return alt.Scale(domain=domain, range=[colour_of(name) for name in domain])


def colour_of(name: str) -> str:
    return PALETTE[zlib.crc32(name.encode("utf-8")) % len(PALETTE)]


def labelled(
    frame: pd.DataFrame, columns: Sequence[str] | None = None, rename: bool = True
) -> pd.DataFrame:
    """`frame` for a table: dates shown as dates (2026-08-10), shares in percent
    (0-1 shares times 100) and (unless not `rename`) human column labels."""
    shown = frame[list(columns)] if columns is not None else frame
    shown = shown.copy()
    for column in shown.columns:
        values = shown[column]
        if pd.api.types.is_datetime64_any_dtype(values):
            shown[column] = values.dt.strftime("%Y-%m-%d")
        elif len(values) and isinstance(values.iloc[0], datetime.date):
            shown[column] = [str(value) for value in values]
        elif column in {"share", "vulnerable_share"}:
            shown[column] = (values * 100).round(2)
    if not rename:
        return shown
    return shown.rename(columns={column: label(column) for column in shown.columns})


def _with_period_text(frame: pd.DataFrame) -> pd.DataFrame:
    # Periods as ISO dates (the reports' DATE_REFERENCE), one axis step each.
    return frame.assign(period=[str(value) for value in frame["period"]])


def pulls_over_time(frame: pd.DataFrame, granularity: str) -> alt.LayerChart:
    """One line per repository and measure: colour = repository, solid = data
    downloads, dashed = version checks; points show the exact value on hover. The points
    are a layer of their own, outside the line-style legend, so that the legend draws
    the two line styles (not two identical dots)."""
    data = _with_period_text(frame)
    lines = (
        alt.Chart()
        .mark_line(strokeWidth=2)
        .encode(
            strokeDash=alt.StrokeDash(
                "measure:N",
                title="Line style",
                scale=alt.Scale(
                    domain=["Data downloads", "Version checks"], range=[[1, 0], [6, 4]]
                ),
                legend=alt.Legend(
                    symbolType="stroke",
                    symbolStrokeWidth=2,
                    symbolSize=500,
                    symbolStrokeColor="#333333",
                    labelExpr="datum.label + (datum.label == 'Data downloads' ? ' (solid)' "
                    ": ' (dashed)')",
                ),
            )
        )
    )
    points = alt.Chart().mark_point(size=70, filled=True, opacity=1)
    chart: alt.LayerChart = (
        alt.layer(
            lines,
            points,
            data=data,
            title=f"Pulls per {'week' if granularity == 'weekly' else 'month'}",
        )
        .encode(
            x=PERIOD,
            y=alt.Y("value:Q", title="Pulls"),
            color=alt.Color(
                "repository:N",
                title="Repository",
                scale=repository_colours(data["repository"]),
                legend=alt.Legend(labelLimit=0, symbolType="stroke", symbolStrokeWidth=3),
            ),
            tooltip=[
                PERIOD_TOOLTIP,
                alt.Tooltip("repository:N", title="Repository"),
                alt.Tooltip("measure:N", title="Measure"),
                alt.Tooltip("value:Q", title="Count", format=","),
            ],
            detail="measure:N",
        )
        .properties(height=380, usermeta=DRAWN_AS_SVG)
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
            color=alt.Color(
                "value:N", title=value_title, scale=COLOURS, legend=alt.Legend(labelLimit=0)
            ),
            tooltip=[
                PERIOD_TOOLTIP,
                alt.Tooltip("value:N", title=value_title),
                alt.Tooltip("pulls:Q", title="Pulls", format=","),
                alt.Tooltip("data_downloads:Q", title="Data downloads", format=","),
                alt.Tooltip("version_checks:Q", title="Version checks", format=","),
                alt.Tooltip("share:Q", title="Share of pulls", format=".1%"),
            ],
        )
        .properties(height=320, usermeta=DRAWN_AS_SVG)
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
            y=alt.Y(f"{category}:N", sort="-x", title=None, axis=alt.Axis(labelLimit=0)),
            x=alt.X(f"{measure}:Q", title=label(measure)),
            color=alt.Color(
                f"{colour}:N", title=label(colour), scale=COLOURS, legend=alt.Legend(labelLimit=0)
            ),
            tooltip=[alt.Tooltip(column, title=label(column)) for column in tooltip],
        )
        .properties(height=alt.Step(22), usermeta=DRAWN_AS_SVG)
    )
    return chart


def extension_measures(
    frame: pd.DataFrame, measures: Mapping[str, str], title: str
) -> alt.FacetChart:
    """One small chart per measure: each extension's count per period, exact counts in
    the tooltip."""
    long = _with_period_text(frame).melt(
        id_vars=["period", "extension"], value_vars=list(measures), var_name="measure"
    )
    long["measure"] = long["measure"].map(measures)
    chart: alt.FacetChart = (
        alt.Chart(long, title=title)
        .mark_line(point=alt.OverlayMarkDef(size=50, filled=True))
        .encode(
            x=PERIOD,
            y=alt.Y("value:Q", title="Count"),
            color=alt.Color(
                "extension:N",
                title="Extension",
                scale=repository_colours(long["extension"]),
                legend=alt.Legend(labelLimit=0),
            ),
            tooltip=[
                PERIOD_TOOLTIP,
                alt.Tooltip("extension:N", title="Extension"),
                alt.Tooltip("measure:N", title="Measure"),
                alt.Tooltip("value:Q", title="Count", format=","),
            ],
        )
        .properties(height=180, width=300)
        .facet(facet=alt.Facet("measure:N", title=None, sort=list(measures.values())), columns=2)
        .resolve_scale(y="independent")
        # Legend below, two charts a row: fits the page from 1280 px wide.
        .configure_legend(orient="bottom", columns=3, labelLimit=0)
        .properties(usermeta=DRAWN_AS_SVG)
    )
    return chart
