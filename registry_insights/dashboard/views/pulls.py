"""Pulls: the Insights chart, its share link, the Summary table and the downloads."""

from __future__ import annotations

import streamlit as st

from registry_insights.dashboard import charts
from registry_insights.dashboard.context import (
    current_context,
    headline,
    period_label,
    pulls_over_time,
    report_download,
    summary_table,
    table,
)
from registry_insights.dashboard.downloads import (
    PULL_EXPORTS,
    TITLES,
    download_button,
    exports_for_the_organization,
    reports_for_the_year,
)
from registry_insights.dashboard.selection import share_url
from registry_insights.publishing.catalog import USAGE_REPORTS

context = current_context()
selection = context.selection
st.title("Pulls over time")

if not selection.repositories:
    st.info("Select one or more repositories in the sidebar to draw the chart.")
else:
    frame = pulls_over_time(context)
    totals = frame.groupby("measure")["value"].sum()
    per_period = frame.groupby("period")["value"].sum().sort_index()
    latest = int(per_period.iloc[-1]) if len(per_period) else 0
    previous = int(per_period.iloc[-2]) if len(per_period) > 1 else None
    headline(
        [
            ("Data downloads", f"{int(totals.get('Data downloads', 0)):,}", None),
            ("Version checks", f"{int(totals.get('Version checks', 0)):,}", None),
            (
                "Latest period, all pulls",
                f"{latest:,}",
                None if previous is None else f"{latest - previous:+,} vs previous",
            ),
        ],
        changes=True,
    )
    st.altair_chart(charts.pulls_over_time(frame, selection.granularity), width="stretch")
    st.caption(
        f"{len(context.interval_periods)} complete {selection.granularity} period(s) in the "
        f"last {selection.months} months of data. Solid: data downloads; dashed: version "
        "checks. Hover a point for the exact count."
    )

st.subheader("Share this view")
st.code(share_url(st.context.url or "", selection), language=None, wrap_lines=True)
st.caption(
    "The link carries the organization, granularity, interval, repositories and report "
    "period; never a token."
)

if context.period is None:
    st.info("No complete period in the warehouse yet.")
    st.stop()
st.subheader(f"Summary report, {period_label(selection.granularity, context.period)}")
table(
    summary_table(context),
    key="summary_table",
    human_labels=False,
)
st.caption(
    "Rows of the selected repositories, with the report's published header. Each download "
    "below is the report for the period, the bytes `registry-insights export` writes, "
    f"restricted to the namespaces of {context.organization}."
)
columns = st.columns(len(USAGE_REPORTS))
for column, name in zip(columns, USAGE_REPORTS, strict=True):
    file_name, data = report_download(context, name)
    download_button(column, TITLES[name], data, file_name, key=f"download_{name}")

reports_for_the_year(context, ["summary"])
exports_for_the_organization(
    context, PULL_EXPORTS, "Pull exports of the organization", "pull_exports"
)
