"""The Streamlit side of the dashboard shared by every page: who is looking (access),
the selection widgets in the sidebar (synchronised with the URL, which is the share
link), and cached wrappers around `queries`."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import streamlit as st

from registry_insights.access import ConfigError
from registry_insights.dashboard import queries, settings
from registry_insights.dashboard.access import LOCAL_MODE_BANNER, AccessPolicy, load_access
from registry_insights.dashboard.selection import (
    GRANULARITIES,
    INTERVAL_MONTHS,
    Granularity,
    Selection,
    constrain,
    decode,
    encode,
)
from registry_insights.warehouse import Warehouse

CONTEXT_KEY = "dashboard_context"
DEFAULT_REPOSITORY_COUNT = 3
CACHE_SECONDS = 300


@dataclass(frozen=True)
class DashboardContext:
    """Everything a page needs: the warehouse, what the viewer may see, the selection
    and the periods it covers."""

    warehouse: Warehouse
    namespaces: frozenset[str] | None
    repositories: tuple[str, ...]
    selection: Selection
    interval_periods: tuple[datetime.date, ...]
    report_periods: tuple[datetime.date, ...]

    @property
    def period(self) -> datetime.date | None:
        return self.selection.period

    @property
    def granularity(self) -> Granularity:
        return self.selection.granularity

    @property
    def interval_scope(self) -> queries.Scope:
        """The selected repositories over the selected interval."""
        return self._scope(self.interval_periods)

    @property
    def period_scope(self) -> queries.Scope:
        """The selected repositories in the report period (none when there is none)."""
        return self._scope(() if self.period is None else (self.period,))

    def _scope(self, periods: tuple[datetime.date, ...]) -> queries.Scope:
        return queries.Scope(
            self.granularity, periods, self.selection.repositories, self.namespaces
        )


def period_label(granularity: str, period: datetime.date) -> str:
    if granularity == "monthly":
        return period.strftime("%B %Y")
    end = period + datetime.timedelta(days=6)
    return f"week of {period.isoformat()} (to {end.isoformat()})"


@st.cache_resource
def _access_policy(path: str | None, modified: float | None) -> AccessPolicy:
    # `modified` (the file's mtime) is in the key: an edited access file is reread.
    return load_access(None if path is None else Path(path))


def _cache_key(warehouse: Warehouse) -> tuple[str, float]:
    # The file's mtime is part of every cache key: a rebuilt warehouse is read afresh.
    return str(warehouse.path), warehouse.path.stat().st_mtime


def _namespace_key(namespaces: frozenset[str] | None) -> tuple[str, ...] | None:
    return None if namespaces is None else tuple(sorted(namespaces))


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def _repositories(key: tuple[str, float], namespaces: tuple[str, ...] | None) -> list[str]:
    return queries.repositories(Warehouse(Path(key[0])), namespaces)


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def _periods(key: tuple[str, float], granularity: str) -> list[datetime.date]:
    return queries.available_periods(Warehouse(Path(key[0])), granularity)


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def _report_download(
    key: tuple[str, float],
    report_name: str,
    granularity: str,
    period: datetime.date,
    namespaces: tuple[str, ...] | None,
) -> tuple[str, bytes]:
    warehouse = Warehouse(Path(key[0]))
    return queries.report_download(warehouse, report_name, granularity, period, namespaces)


def report_download(context: DashboardContext, report_name: str) -> tuple[str, bytes]:
    """File name and bytes of a report for the selected period (cached)."""
    assert context.period is not None
    return _report_download(
        _cache_key(context.warehouse),
        report_name,
        context.granularity,
        context.period,
        _namespace_key(context.namespaces),
    )


def _identity(policy: AccessPolicy) -> str | None:
    """The bearer token: from an `Authorization: Bearer` header (a proxy in front of
    the dashboard can add it), else from the sidebar field. Never from the URL, so a
    share link never carries a token."""
    if policy.mode == "local":
        return None
    header = st.context.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    token = st.sidebar.text_input("Access token", type="password", key="access_token")
    return token or None


def _seed_from_link(selection: Selection) -> None:
    st.session_state["granularity"] = selection.granularity
    st.session_state["months"] = selection.months
    st.session_state["repositories"] = list(selection.repositories)
    st.session_state["period"] = selection.period
    st.session_state["seeded_from_link"] = True


def build_context() -> DashboardContext:
    """Resolve access, render the selection sidebar and return the page context; stops
    the script (with a message) when there is nothing the viewer may see."""
    warehouse = Warehouse(settings.database_path())
    access_file = settings.access_file()
    try:
        policy = _access_policy(
            None if access_file is None else str(access_file),
            None if access_file is None else access_file.stat().st_mtime,
        )
    except (ConfigError, OSError) as error:
        st.error(f"The access file is unusable: {error}")
        st.stop()
    if not warehouse.path.exists():
        st.error(f"No warehouse at `{warehouse.path}`: run `make demo` (or `dbt build`) first.")
        st.stop()
    if policy.mode == "local":
        st.info(LOCAL_MODE_BANNER, icon=":material/lock_open:")
    namespaces = policy.allowed_namespaces(_identity(policy))
    if namespaces is not None and not namespaces:
        st.warning("Enter a valid access token in the sidebar to see your organizations' data.")
        st.stop()
    key = _cache_key(warehouse)
    repositories = _repositories(key, _namespace_key(namespaces))

    if not st.session_state.get("seeded_from_link"):
        asked = decode({name: st.query_params.get_all(name) for name in st.query_params})
        _seed_from_link(
            constrain(
                asked,
                repositories,
                _periods(key, asked.granularity),
                repositories[:DEFAULT_REPOSITORY_COUNT],
            )
        )

    sidebar = st.sidebar
    sidebar.header("Selection")
    granularity: Granularity = sidebar.radio(
        "Granularity",
        GRANULARITIES,
        key="granularity",
        format_func=str.capitalize,
        horizontal=True,
    )
    months: int = sidebar.radio(
        "Interval",
        INTERVAL_MONTHS,
        key="months",
        format_func=lambda m: f"{m} months",
        horizontal=True,
    )
    # Options can shrink (another token, a rebuilt warehouse): keep what is still offered.
    st.session_state["repositories"] = [
        r for r in st.session_state.get("repositories", []) if r in set(repositories)
    ]
    selected: list[str] = sidebar.multiselect(
        "Repositories",
        repositories,
        key="repositories",
        placeholder="Choose one or more repositories",
    )
    report_periods = _periods(key, granularity)
    if st.session_state.get("period") not in report_periods:
        st.session_state["period"] = max(report_periods) if report_periods else None
    period: datetime.date | None = sidebar.selectbox(
        "Report period",
        list(reversed(report_periods)),
        key="period",
        format_func=lambda p: period_label(granularity, p),
    )
    selection = Selection(granularity, months, tuple(selected), period)
    if _current_params() != _as_lists(encode(selection)):
        st.query_params.from_dict(encode(selection))
    context = DashboardContext(
        warehouse=warehouse,
        namespaces=namespaces,
        repositories=tuple(repositories),
        selection=selection,
        interval_periods=tuple(queries.interval_periods(report_periods, granularity, months)),
        report_periods=tuple(report_periods),
    )
    st.session_state[CONTEXT_KEY] = context
    return context


def page_for_period(title: str) -> tuple[DashboardContext, datetime.date]:
    """A page about the report period: its title, the context and the period; stops
    with a message when the warehouse has no complete period yet."""
    context = current_context()
    st.title(title)
    note = queries.incomplete_period_note(context.warehouse, context.granularity)
    if note is not None:
        st.caption(note)
    if context.period is None:
        st.info("No complete period in the warehouse yet.")
        st.stop()
    return context, context.period


def current_context() -> DashboardContext:
    """The context `build_context` made for this run (pages call this)."""
    context = st.session_state.get(CONTEXT_KEY)
    if not isinstance(context, DashboardContext):
        context = build_context()
    return context


def _current_params() -> dict[str, list[str]]:
    return {name: st.query_params.get_all(name) for name in st.query_params}


def _as_lists(params: dict[str, str | list[str]]) -> dict[str, list[str]]:
    return {k: v if isinstance(v, list) else [v] for k, v in params.items()}


def headline(columns: Sequence[tuple[str, str, str | None]], changes: bool = False) -> None:
    """A row of headline numbers: (label, value, note or None). With `changes`, the
    notes are changes and get coloured arrows; otherwise they are plain notes."""
    for column, (label, value, delta) in zip(st.columns(len(columns)), columns, strict=True):
        if changes:
            column.metric(label, value, delta)
        else:
            column.metric(label, value, delta, delta_color="off", delta_arrow="off")


def table(frame: pd.DataFrame, key: str) -> None:
    st.dataframe(frame, hide_index=True, width="stretch", key=key)
