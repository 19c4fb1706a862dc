"""Entry point of the dashboard: `streamlit run registry_insights/dashboard/app.py`
(or `registry-insights dashboard`)."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from registry_insights.dashboard.context import build_context

VIEWS = Path(__file__).resolve().parent / "views"

st.set_page_config(page_title="Registry insights", page_icon=":material/insights:", layout="wide")

navigation = st.navigation(
    [
        st.Page(VIEWS / "pulls.py", title="Pulls", icon=":material/show_chart:", default=True),
        st.Page(VIEWS / "trends.py", title="Trends", icon=":material/trending_up:"),
        st.Page(VIEWS / "technographic.py", title="Technographic", icon=":material/hub:"),
        st.Page(
            VIEWS / "tracked_companies.py",
            title="Tracked companies",
            icon=":material/domain:",
        ),
        st.Page(VIEWS / "security.py", title="Security", icon=":material/security:"),
    ]
)
build_context()
navigation.run()
