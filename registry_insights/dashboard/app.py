"""Entry point of the dashboard: `streamlit run registry_insights/dashboard/app.py`
(or `registry-insights dashboard`)."""

from __future__ import annotations

import logging
from pathlib import Path

import streamlit as st

from registry_insights.dashboard import settings
from registry_insights.dashboard.context import build_context
from registry_insights.dashboard.icon import page_icon

VIEWS = Path(__file__).resolve().parent / "views"
LOG = logging.getLogger("registry_insights.dashboard")

# The icon is drawn here and served by this server: no request leaves the machine.
st.set_page_config(page_title="Registry insights", page_icon=page_icon(), layout="wide")

navigation = st.navigation(
    [
        st.Page(VIEWS / "pulls.py", title="Pulls", icon=":material/show_chart:", default=True),
        st.Page(VIEWS / "trends.py", title="Trends", icon=":material/trending_up:"),
        st.Page(VIEWS / "extensions.py", title="Extensions", icon=":material/extension:"),
        st.Page(VIEWS / "technographic.py", title="Technographic", icon=":material/hub:"),
        st.Page(
            VIEWS / "tracked_companies.py",
            title="Tracked companies",
            icon=":material/domain:",
        ),
        st.Page(VIEWS / "security.py", title="Security", icon=":material/security:"),
    ]
)
try:
    build_context()
    navigation.run()
except Exception:  # st.stop and st.rerun are BaseExceptions and pass through
    if settings.debug():
        raise
    # The traceback goes to the server's log, never to the browser.
    LOG.exception("page %s failed", navigation.title)
    st.error(
        "This page could not be drawn. The server's log has the details; if the warehouse "
        "was just rebuilt, reload the page.",
        icon=":material/error:",
    )
