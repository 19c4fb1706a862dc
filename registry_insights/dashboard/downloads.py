"""The download lists of the report pages: the year's periods of a page's reports, and
the organization's pull and extension exports. Every file comes from the export's own
code (`registry_insights.publishing`), so it is byte-identical to what
`registry-insights export` (reports) and the Data API (exports, one namespace's file)
write; files are made when clicked, not when the page is drawn."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from registry_insights.dashboard import queries
from registry_insights.dashboard.context import (
    CACHE_SECONDS,
    DashboardContext,
    _cache_key,
    _periods,
    period_label,
    report_download,
)
from registry_insights.dashboard.selection import GRANULARITIES
from registry_insights.publishing.catalog import REPORTS
from registry_insights.publishing.rows import periods_of
from registry_insights.warehouse import Warehouse

#: Human names of the published datasets, for buttons.
TITLES = {
    "summary": "Summary",
    "trends": "Trends",
    "technographic": "Technographic",
    "technographic-companies": "Technographic companies",
    "tracked-companies": "Tracked companies",
    "vulnerabilities-by-tag": "Vulnerabilities by tag",
    "vulnerability-details": "Vulnerability details",
    "vulnerable-pulls": "Vulnerable pulls",
}
DATAVIEW_TITLES = {
    "raw": "Raw pulls",
    "summary": "Pull summary",
    "repo-summary": "Repository summary",
    "namespace-summary": "Namespace summary",
    "geo-repo-summary": "Geo repository summary",
    "ext-summary": "Extensions summary",
    "ext-premium-summary": "Extensions premium summary",
    "ext-premium-geo": "Extensions premium by country",
}
PULL_EXPORTS = ("raw", "summary", "repo-summary", "namespace-summary", "geo-repo-summary")
EXTENSION_EXPORTS = ("ext-summary", "ext-premium-summary", "ext-premium-geo")
YEAR_MONTHS = 12


def download_button(
    where: DeltaGenerator | None,
    label: str,
    data: bytes | Callable[[], bytes],
    file_name: str,
    key: str,
    mime: str = "text/csv",
) -> None:
    """One download button (in `where`, else the page): a file made when clicked when
    `data` is a function, and clicking it does not rerun the page."""
    button = st.download_button if where is None else where.download_button
    button(
        label,
        data=data,
        file_name=file_name,
        mime=mime,
        key=key,
        icon=":material/download:",
        on_click="ignore",
    )


def year_periods(context: DashboardContext, granularity: str) -> list[datetime.date]:
    """The complete periods of the last year of data, newest first."""
    periods = context.report_periods
    if granularity != context.granularity:
        periods = tuple(_periods(_cache_key(context.warehouse), granularity))
    return sorted(queries.interval_periods(periods, granularity, YEAR_MONTHS), reverse=True)


def _report_bytes(
    context: DashboardContext, name: str, granularity: str, period: datetime.date
) -> bytes:
    return report_download(context, name, granularity, period)[1]


def reports_for_the_year(context: DashboardContext, names: Sequence[str]) -> None:
    """The year's weekly and monthly periods of these reports, one download each, for
    the organization. Only the open tab's list is drawn (the selected granularity's at
    first): one button per period, so that the page stays light."""
    st.subheader("Reports for the year")
    st.caption(
        f"Organization {context.organization}: each file is the report for that period, "
        "identical to the file `registry-insights export` writes, restricted to the "
        "organization's namespaces."
    )
    tabs = st.tabs(
        [granularity.capitalize() for granularity in GRANULARITIES],
        default=context.granularity.capitalize(),
        key=f"year_{names[0]}_{context.granularity}",  # follows the granularity
        on_change="rerun",
    )
    for granularity, tab in zip(GRANULARITIES, tabs, strict=True):
        if not tab.open:
            continue
        with tab:
            periods = year_periods(context, granularity)
            if not periods:
                st.info("No complete period yet.")
                continue
            with st.container(height=320, border=False):
                for name in names:
                    st.markdown(f"**{TITLES[name]}**")
                    with st.container(horizontal=True, gap="small"):
                        for period in periods:
                            download_button(
                                None,
                                period_label(granularity, period),
                                partial(_report_bytes, context, name, granularity, period),
                                f"{REPORTS[name].name}_{granularity}_{period.isoformat()}.csv",
                                key=f"year_{name}_{granularity}_{period.isoformat()}",
                            )


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def _dataview_periods(key: tuple[str, float], name: str) -> list[tuple[str, datetime.date]]:
    return queries.dataview_periods(Warehouse(Path(key[0])), name)


def _first_part(
    context: DashboardContext, name: str, granularity: str, period: datetime.date, namespace: str
) -> bytes:
    files = queries.dataview_download(context.warehouse, name, granularity, period, namespace)
    return files[0][1]


def exports_for_the_organization(
    context: DashboardContext, names: Sequence[str], title: str, key: str
) -> None:
    """The organization's pull or extension exports of one period: for each of its
    namespaces, one gzip CSV per export, as the Data API serves it."""
    st.subheader(title)
    periods = sorted(
        {p for name in names for p in _dataview_periods(_cache_key(context.warehouse), name)},
        key=lambda p: (p[0] != context.granularity, -p[1].toordinal()),
    )
    if not periods:
        st.info("No export period in the warehouse yet.")
        return
    chosen: tuple[str, datetime.date] = st.selectbox(
        "Export period",
        periods,
        format_func=lambda p: f"{p[0].capitalize()}: {period_label(p[0], p[1])}",
        key=f"{key}_period_{context.granularity}",  # follows the granularity
    )
    granularity, period = chosen
    namespaces = sorted(context.namespaces or ())
    st.caption(
        "One file per namespace of the organization, gzip-compressed CSV, the same bytes "
        "as the Data API's export file for that namespace and period."
    )
    for namespace in namespaces:
        cells = st.columns(len(names))
        for cell, name in zip(cells, names, strict=True):
            stem = f"{namespace}_{name}_{granularity}_{period.isoformat()}"
            download_button(
                cell,
                f"{DATAVIEW_TITLES[name]} ({namespace})",
                partial(_first_part, context, name, granularity, period, namespace),
                f"{stem}_000.csv.gz",
                key=f"{key}_{name}_{namespace}",
                mime="application/gzip",
            )


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def _report_periods(key: tuple[str, float], name: str) -> list[tuple[str, datetime.date]]:
    warehouse = Warehouse(Path(key[0]))
    with warehouse.connect() as connection:
        return periods_of(connection, REPORTS[name])


def latest_report(context: DashboardContext, name: str) -> None:
    """The download of a snapshot report (granularity `latest`) for the organization."""
    periods = _report_periods(_cache_key(context.warehouse), name)
    if not periods:
        return
    granularity, period = periods[-1]
    download_button(
        None,
        f"{TITLES[name]} (latest scans, {period.isoformat()})",
        partial(_report_bytes, context, name, granularity, period),
        f"{name}_{granularity}_{period.isoformat()}.csv",
        key=f"latest_{name}",
    )
