"""Trends: where and how images are pulled, and which versions gain or lose traction."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from registry_insights.dashboard import charts, queries
from registry_insights.dashboard.context import current_context, headline, query, table
from registry_insights.dashboard.downloads import reports_for_the_year

TOP = 8
context = current_context()
selection = context.selection
scope = ", ".join(selection.repositories) if selection.repositories else "all repositories"
st.title("Trends")
st.caption(f"{scope}; {selection.granularity}, last {selection.months} months of data.")


def trend(dimension: queries.TrendDimension) -> pd.DataFrame:
    return query(queries.trends_by, context, dimension, context.interval_scope)


def leader(frame: pd.DataFrame) -> tuple[str, str | None]:
    """The value with most pulls over the interval and its share."""
    if frame.empty:
        return "none", None
    pulls = frame.groupby("value")["pulls"].sum().sort_values(ascending=False)
    return str(pulls.index[0]), f"{pulls.iloc[0] / pulls.sum():.0%} of pulls"


def with_repository(traction: pd.DataFrame) -> pd.DataFrame:
    """Tag rows labelled with their repository: `repository, tag` instead of `value`."""
    parts = traction["value"].str.rsplit(":", n=1, expand=True)
    labelled = traction.drop(columns=["value"])
    labelled.insert(0, "tag", parts[1] if len(traction) else pd.Series(dtype=str))
    labelled.insert(0, "repository", parts[0] if len(traction) else pd.Series(dtype=str))
    return labelled


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
            None
            if rising is None
            else f"{rising['change_pct_points']:+.1f} points of its image's share",
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
        table(queries.traction(frame).rename(columns={"value": key}), key=f"traction_{key}")
with by_tag:
    images = list(selection.repositories) or sorted(set(tags.get("repository", [])))
    image = st.selectbox(
        "Image",
        images,
        key="tag_image",
        help="Tag adoption is within one image: each tag's share of that image's tagged pulls.",
    )
    if image is not None:
        one = tags[tags["repository"] == image]
        st.altair_chart(
            charts.share_over_time(
                queries.top_values(one, TOP).query("value != 'other'"),
                f"Share of {image}'s tagged pulls by tag (which versions gain or lose traction)",
                "Tag",
            ),
            width="stretch",
        )
    st.caption(
        "Each tag's share of its own image's pulls that named a tag; pulls by digest name "
        "no version. The tables list the tags of every selected image, each with its image."
    )
    gaining, losing = st.columns(2)
    labelled = with_repository(tag_traction)
    with gaining:
        st.markdown("**Gaining traction** (share change, first to last period)")
        table(labelled[labelled["change_pct_points"] > 0].head(10), key="tags_gaining")
    with losing:
        st.markdown("**Losing traction**")
        table(
            labelled[labelled["change_pct_points"] < 0].sort_values("change_pct_points").head(10),
            key="tags_losing",
        )

reports_for_the_year(context, ["trends"])
