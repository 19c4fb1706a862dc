"""Security: what the scanners found in the images, per tag over time, the findings
sorted by severity, and how many pulls still land on vulnerable images."""

from __future__ import annotations

import altair as alt
import streamlit as st

from registry_insights.dashboard import charts, queries
from registry_insights.dashboard.context import current_context, headline, query, table
from registry_insights.dashboard.downloads import latest_report, reports_for_the_year

context = current_context()
selection = context.selection
scope = ", ".join(selection.repositories) if selection.repositories else "all repositories"
st.title("Security")
st.caption(
    f"{scope}; {selection.granularity}, last {selection.months} months of data. From the "
    "reports of the scanners you run (Trivy, Grype, CycloneDX), latest scan of each image."
)

interval = context.interval_scope
over_time = query(queries.vulnerabilities_over_time, context, interval)
pulls = query(queries.vulnerable_pull_shares, context, interval)
details = query(queries.vulnerability_details, context, interval)
tags = query(queries.tags_at_period, context, interval) if interval.periods else details.iloc[0:0]

if over_time.empty and details.empty:
    st.info(
        "No scans of these images yet: ingest scanner reports with `registry-insights ingest-scan`."
    )
    reports_for_the_year(context, ["vulnerabilities-by-tag", "vulnerable-pulls"])
    st.stop()

last = pulls.iloc[-1] if len(pulls) else None
counts = query(queries.finding_counts, context, interval)
headline(
    [
        ("Critical findings", f"{counts['critical']:,}", "latest scans"),
        ("High findings", f"{counts['high']:,}", "latest scans"),
        ("Fixable critical or high", f"{counts['fixable']:,}", "a fixed version exists"),
        (
            "Pulls on vulnerable images",
            "none" if last is None else f"{last['vulnerable_share']:.0%}",
            None if last is None else "of scanned downloads, last period",
        ),
    ]
)

by_severity, findings, vulnerable_pulls = st.tabs(
    ["Tags by severity over time", "Findings by severity", "Pulls on vulnerable images"]
)
with by_severity:
    if not over_time.empty:
        chart = (
            alt.Chart(
                over_time.assign(period=[str(value) for value in over_time["period"]]),
                title="Findings of the images tags pointed to, by severity",
            )
            .mark_bar()
            .encode(
                x=alt.X("period:O", title="Period"),
                y=alt.Y("vulnerabilities:Q", title="Findings"),
                color=alt.Color(
                    "severity:N",
                    title="Severity",
                    sort=list(queries.SEVERITIES),
                    scale=alt.Scale(
                        domain=list(queries.SEVERITIES),
                        range=["#7f0000", "#d7301f", "#fc8d59", "#fdcc8a", "#bdbdbd", "#e0e0e0"],
                    ),
                ),
                tooltip=[
                    alt.Tooltip("period:O", title="Period starting"),
                    alt.Tooltip("severity:N", title="Severity"),
                    alt.Tooltip("vulnerabilities:Q", title="Findings", format=","),
                ],
            )
            .properties(usermeta=charts.DRAWN_AS_SVG)
        )
        st.altair_chart(chart, width="stretch")
    st.markdown("**Tags in the last period**")
    table(tags, key="security_tags")
with findings:
    st.caption(
        "Most severe first (at most 500 rows); introduced and fixed in: tags of the "
        "repository's history."
    )
    table(details, key="security_details")
with vulnerable_pulls:
    if not pulls.empty:
        chart = (
            alt.Chart(
                pulls.assign(period=[str(value) for value in pulls["period"]]),
                title="Share of downloads of scanned images with critical or high findings",
            )
            .mark_line(point=True)
            .encode(
                x=alt.X("period:O", title="Period"),
                y=alt.Y(
                    "vulnerable_share:Q",
                    title="Share of downloads on vulnerable images (%)",
                    axis=alt.Axis(format="%"),
                ),
                tooltip=[
                    alt.Tooltip("period:O", title="Period starting"),
                    alt.Tooltip(
                        "vulnerable_share:Q", title="Share on vulnerable images", format=".1%"
                    ),
                    alt.Tooltip("scanned:Q", title="Downloads of scanned images", format=","),
                    alt.Tooltip("vulnerable:Q", title="Downloads of vulnerable images", format=","),
                    alt.Tooltip("fixable:Q", title="Of which fixable", format=","),
                    alt.Tooltip("clean:Q", title="Downloads of clean images", format=","),
                ],
            )
            .properties(usermeta=charts.DRAWN_AS_SVG)
        )
        st.altair_chart(chart, width="stretch")
    table(pulls, key="security_pulls")

reports_for_the_year(context, ["vulnerabilities-by-tag", "vulnerable-pulls"])
latest_report(context, "vulnerability-details")
