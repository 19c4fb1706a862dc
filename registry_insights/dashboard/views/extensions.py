"""Extensions: installs, uninstalls and updates of the organization's Docker Desktop
extensions over time (core), and unique installs, uninstalls and users, by country
(premium), as the extension exports have them."""

from __future__ import annotations

import streamlit as st

from registry_insights.dashboard import charts, queries
from registry_insights.dashboard.context import (
    current_context,
    headline,
    period_label,
    query,
    table,
)
from registry_insights.dashboard.downloads import EXTENSION_EXPORTS, exports_for_the_organization

context = current_context()
selection = context.selection
st.title("Extensions")
st.caption(
    f"Extensions of {context.organization}; {selection.granularity}, last "
    f"{selection.months} months of data."
)
over_time = query(queries.extensions_over_time, context, context.interval_scope)
if over_time.empty:
    st.info(f"No extension of {context.organization} has events in this interval.")
else:
    latest = over_time[over_time["period"] == max(over_time["period"])]
    headline(
        [
            ("Extensions", f"{over_time['extension'].nunique():,}", None),
            ("Installs", f"{int(over_time['installs'].sum()):,}", "over the interval"),
            ("Uninstalls", f"{int(over_time['uninstalls'].sum()):,}", "over the interval"),
            ("Updates", f"{int(over_time['updates'].sum()):,}", "over the interval"),
            (
                "Unique users",
                f"{int(latest['unique_users'].sum()):,}",
                f"{period_label(selection.granularity, max(over_time['period']))}",
            ),
        ]
    )
    core, premium, by_country = st.tabs(["Core", "Premium", "Premium by country"])
    with core:
        st.altair_chart(
            charts.extension_measures(over_time, queries.EXTENSION_CORE, "Core extension events"),
            width="stretch",
        )
        table(
            charts.labelled(over_time, ["period", "extension", *queries.EXTENSION_CORE]),
            key="extensions_core",
        )
    with premium:
        st.altair_chart(
            charts.extension_measures(
                over_time, queries.EXTENSION_PREMIUM, "Premium: unique installs, uninstalls, users"
            ),
            width="stretch",
        )
        table(
            charts.labelled(over_time, ["period", "extension", *queries.EXTENSION_PREMIUM]),
            key="extensions_premium",
        )
    with by_country:
        if context.period is None:
            st.info("No complete period in the warehouse yet.")
        else:
            countries = query(queries.extensions_by_country, context, context.period_scope)
            st.caption(period_label(selection.granularity, context.period))
            table(charts.labelled(countries, list(countries.columns)), key="extensions_countries")

exports_for_the_organization(
    context, EXTENSION_EXPORTS, "Extension exports of the organization", "extension_exports"
)
