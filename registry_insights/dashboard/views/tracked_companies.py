"""Tracked companies: how the companies you track use your images."""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from registry_insights.dashboard import charts, queries
from registry_insights.dashboard.context import (
    headline,
    page_for_period,
    period_label,
    query,
    table,
)
from registry_insights.dashboard.downloads import reports_for_the_year

context, period = page_for_period("Tracked companies")
selection = context.selection
# The interval for the trend, plus the report period should it lie before the interval.
scope = context.interval_scope
scope = replace(scope, periods=tuple(sorted({*scope.periods, period})))
over_interval = query(queries.tracked_companies, context, scope)
in_period = over_interval[over_interval["period"] == period]
st.caption(
    f"{period_label(selection.granularity, period)}; trend over the last "
    f"{selection.months} months. Companies come from the tracked-companies list."
)
if in_period.empty:
    st.info("No pull by a tracked company for the selected repositories in this period.")
    reports_for_the_year(context, ["tracked-companies"])
    st.stop()
by_company = in_period.groupby("company_domain")["pulls"].sum().sort_values(ascending=False)
by_use_case = in_period.groupby("inferred_use_case")["pulls"].sum().sort_values(ascending=False)
headline(
    [
        ("Active tracked companies", f"{len(by_company):,}", None),
        ("Heaviest user", str(by_company.index[0]), f"{int(by_company.iloc[0]):,} pulls"),
        (
            "Main use case",
            str(by_use_case.index[0]),
            f"{by_use_case.iloc[0] / by_use_case.sum():.0%} of pulls",
        ),
        ("Countries", f"{in_period['ip_country'].nunique():,}", None),
    ]
)
use_cases = in_period.groupby(["company_domain", "inferred_use_case"], as_index=False)[
    ["pulls", "data_downloads", "version_checks", "unique_authenticated_users"]
].sum()
st.altair_chart(
    charts.ranked_bars(
        use_cases,
        "company_domain",
        "pulls",
        "inferred_use_case",
        "Pulls per company and inferred use case (Local Dev, CI/CD, Prod)",
        ["company_domain", "inferred_use_case", "pulls", "data_downloads", "version_checks"],
    ),
    width="stretch",
)
trend = over_interval.groupby(["period", "company_domain"], as_index=False)[
    ["pulls", "data_downloads", "version_checks"]
].sum()
trend["share"] = trend["pulls"] / trend.groupby("period")["pulls"].transform("sum")
st.altair_chart(
    charts.stacked_over_time(
        trend.rename(columns={"company_domain": "value"}),
        "Pulls per company over time",
        "Company",
    ),
    width="stretch",
)
st.subheader("Where and how (selected period)")
table(in_period.drop(columns=["period"]), key="tracked_companies_table")

reports_for_the_year(context, ["tracked-companies"])
