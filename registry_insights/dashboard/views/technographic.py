"""Technographic: which other images the users of your DVP images pull."""

from __future__ import annotations

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

context, period = page_for_period("Technographic")
selection = context.selection
st.caption(
    f"{period_label(selection.granularity, period)}. DVP images only; a pairing is "
    "published when at least 10 users pulled both images."
)
pairings = query(queries.technographic, context, context.period_scope)
companies = query(queries.technographic_companies, context, context.period_scope)
if pairings.empty:
    st.info(
        "No published pairing for the selected repositories in this period "
        "(technographic data covers DVP images only)."
    )
    reports_for_the_year(context, ["technographic", "technographic-companies"])
    st.stop()
top = pairings.sort_values("pct_users", ascending=False).iloc[0]
headline(
    [
        ("Images with pairings", f"{pairings['dvpp_image'].nunique():,}", None),
        ("Pairings", f"{len(pairings):,}", None),
        (
            "Most shared stack",
            f"{top['paired_image']}",
            f"{top['pct_users']:.1f}% of its users",
        ),
        ("Companies on these stacks", f"{companies['company_domain'].nunique():,}", None),
    ]
)
st.caption(
    f"{top['pct_users']:.1f}% of the users of {top['dvpp_image']} also pull {top['paired_image']}."
)
st.altair_chart(
    charts.ranked_bars(
        pairings.sort_values("pct_users", ascending=False)
        .head(20)
        .assign(pairing=lambda f: f["paired_image"] + "  (with " + f["dvpp_image"] + ")"),
        "pairing",
        "pct_users",
        "dvpp_image",
        "Share of each image's users who also pull the paired image (%)",
        ["dvpp_image", "paired_image", "users", "total_pullers", "pct_users", "companies"],
    ),
    width="stretch",
)
st.subheader("Pairings")
table(pairings, key="technographic_table")
st.subheader("Companies using your image with another")
table(companies, key="technographic_companies_table")

reports_for_the_year(context, ["technographic", "technographic-companies"])
