"""Trends: where and how images are pulled, and which versions gain or lose traction."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from registry_insights.dashboard import charts, queries
from registry_insights.dashboard.context import current_context, headline, table

TOP = 8
context = current_context()
selection = context.selection
scope = ", ".join(selection.repositories) if selection.repositories else "all repositories"
st.title("Trends")
st.caption(f"{scope}; {selection.granularity}, last {selection.months} months of data.")


def trend(dimension: queries.TrendDimension) -> pd.DataFrame:
    return queries.trends_by(context.warehouse, dimension, context.interval_scope)


def leader(frame: pd.DataFrame) -> tuple[str, str | None]:
    """The value with most pulls over the interval and its share."""
    if frame.empty:
        return "none", None
    pulls = frame.groupby("value")["pulls"].sum().sort_values(ascending=False)
    return str(pulls.index[0]), f"{pulls.iloc[0] / pulls.sum():.0%} of pulls"


countries = trend("ip_country")
providers = trend("cloud_service_provider")
clients = trend("user_agent_tool")
tags = queries.tagged_only(trend("tag"))
tag_traction = queries.traction(tags)
rising = tag_traction.iloc[0] if len(tag_traction) else None
headline(
    [
        ("Top country", *leader(countries)),
        ("Top cloud provider", *leader(providers)),
        ("Top client", *leader(clients)),
        (
            "Fastest-rising tag",
            "none" if rising is None else str(rising["value"]),
            None if rising is None else f"{rising['change_pct_points']:+.1f} pts share",
        ),
    ]
)

by_country, by_provider, by_client, by_tag = st.tabs(
    ["By country", "By cloud provider", "By client", "Tag adoption"]
)
for tab, frame, title, key in (
    (by_country, countries, "Country", "country"),
    (by_provider, providers, "Cloud provider", "provider"),
    (by_client, clients, "Client", "client"),
):
    with tab:
        st.altair_chart(
            charts.stacked_over_time(
                queries.top_values(frame, TOP), f"Pulls by {title.lower()}", title
            ),
            width="stretch",
        )
        st.markdown(f"**Gaining or losing share, by {title.lower()}**")
        table(queries.traction(frame), key=f"traction_{key}")
with by_tag:
    st.altair_chart(
        charts.share_over_time(
            queries.top_values(tags, TOP).query("value != 'other'"),
            "Share of pulls by tag (which versions gain or lose traction)",
            "Tag",
        ),
        width="stretch",
    )
    st.caption("Share among pulls that named a tag; pulls by digest name no version.")
    gaining, losing = st.columns(2)
    with gaining:
        st.markdown("**Gaining traction** (share change, first to last period)")
        table(tag_traction[tag_traction["change_pct_points"] > 0].head(10), key="tags_gaining")
    with losing:
        st.markdown("**Losing traction**")
        table(
            tag_traction[tag_traction["change_pct_points"] < 0]
            .sort_values("change_pct_points")
            .head(10),
            key="tags_losing",
        )
