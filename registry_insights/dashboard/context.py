"""The Streamlit side of the dashboard shared by every page: who is looking (access),
the selection widgets in the sidebar (synchronised with the URL, which is the share
link), and cached wrappers around `queries`."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Concatenate, NoReturn, ParamSpec, TypeVar, cast

import duckdb
import pandas as pd
import streamlit as st

from registry_insights.access import ConfigError
from registry_insights.dashboard import charts, queries, settings, token_store
from registry_insights.dashboard.access import (
    LOCAL_MODE_BANNER,
    AccessPolicy,
    SignIn,
    load_access,
)
from registry_insights.dashboard.selection import (
    DEFAULT_REPOSITORY_COUNT,
    GRANULARITIES,
    INTERVAL_MONTHS,
    MAX_REPOSITORIES,
    Granularity,
    Selection,
    constrain,
    decode,
    encode,
)
from registry_insights.warehouse import Warehouse, WarehouseUnavailable

LOG = logging.getLogger(__name__)
P = ParamSpec("P")
R = TypeVar("R")
SIDEBAR_CSS = (
    "<style>[data-testid='stSidebar'] [data-tag] "
    "{max-width: none !important; height: auto !important;}"
    "[data-testid='stSidebar'] [data-tag] span[title] "
    "{max-width: none !important; overflow: visible !important; text-overflow: clip !important;"
    " white-space: normal !important; overflow-wrap: anywhere;}</style>"
)
CONTEXT_KEY = "dashboard_context"
#: The session key of the signed-in token (this browser tab's session only).
TOKEN_KEY = "signed_in_token"
SAVE_TOKEN_KEY = "token_to_store"
CLEAR_TOKEN_KEY = "token_to_clear"
RESTORED_KEY = "token_restored"
CACHE_SECONDS = 300
#: A headline value or note longer than this is also written out in full below.
LONG_VALUE = 10
LONG_NOTE = 22
#: What to run when the warehouse is missing, unbuilt or empty.
WAREHOUSE_HELP = (
    "Build it, then reload this page:\n\n"
    "- the demo: `make demo`;\n"
    "- your own data: `registry-insights ingest ...` (or `registry-insights generate`), "
    "then `dbt build`;\n"
    "- another file: `registry-insights dashboard --database FILE`."
)


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
    organization: str = ""

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
    return f"{period.isoformat()} to {end.isoformat()}"


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
def _namespaces(key: tuple[str, float]) -> list[str]:
    return queries.namespaces(Warehouse(Path(key[0])))


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


def report_download(
    context: DashboardContext,
    report_name: str,
    granularity: str | None = None,
    period: datetime.date | None = None,
) -> tuple[str, bytes]:
    """File name and bytes of a report for the organization, for the selected period
    unless another one is given (cached)."""
    chosen = period if period is not None else context.period
    assert chosen is not None
    return _report_download(
        _cache_key(context.warehouse),
        report_name,
        granularity or context.granularity,
        chosen,
        _namespace_key(context.namespaces),
    )


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False, max_entries=200)
def _pulls_over_time(key: tuple[str, float], scope: queries.Scope) -> pd.DataFrame:
    return queries.pulls_over_time(Warehouse(Path(key[0])), scope)


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False, max_entries=200)
def _summary_table(key: tuple[str, float], scope: queries.Scope) -> pd.DataFrame:
    return queries.summary_table(Warehouse(Path(key[0])), scope)


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False, max_entries=500)
def _query(key: tuple[str, float], name: str, arguments: tuple[object, ...]) -> object:
    return getattr(queries, name)(Warehouse(Path(key[0])), *arguments)


def query(
    function: Callable[Concatenate[Warehouse, P], R],
    context: DashboardContext,
    *arguments: P.args,
    **no_keywords: P.kwargs,
) -> R:
    """`function(warehouse, *arguments)`, one of `queries`' functions, cached per
    warehouse build and per arguments. A query's scope names the namespaces the viewer
    may see (`Scope.namespaces`), so viewers of different namespaces never share a
    cached result."""
    assert not no_keywords, "pass the arguments by position"
    assert getattr(queries, function.__name__, None) is function, function
    return cast(R, _query(_cache_key(context.warehouse), function.__name__, arguments))


def pulls_over_time(context: DashboardContext) -> pd.DataFrame:
    """`queries.pulls_over_time` of the selection's interval (cached)."""
    return _pulls_over_time(_cache_key(context.warehouse), context.interval_scope)


def summary_table(context: DashboardContext) -> pd.DataFrame:
    """`queries.summary_table` of the selection's report period (cached)."""
    return _summary_table(_cache_key(context.warehouse), context.period_scope)


def _unavailable(problem: str) -> NoReturn:
    """The friendly page for a warehouse the dashboard cannot read: what to run, no
    traceback and no server path (those go to the server's log)."""
    st.title("Registry insights")
    st.warning(f"{problem}\n\n{WAREHOUSE_HELP}", icon=":material/construction:")
    st.stop()


def _token_from_header() -> str | None:
    header = st.context.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    return None


def _sign_in(policy: AccessPolicy) -> SignIn:
    """Who is looking. The bearer token comes from an `Authorization: Bearer` header
    (a proxy in front of the dashboard can add it), else from the sidebar's sign-in
    form; it is kept for this browser tab (the session, and the tab's sessionStorage so
    that a reload stays signed in), never in the URL, so a share link never carries a
    token, until "Sign out"."""
    if policy.mode == "local":
        return policy.sign_in(None)
    header = _token_from_header()
    if header is not None:
        return policy.sign_in(header)
    sidebar = st.sidebar
    with sidebar:
        stored = token_store.sync(
            st.session_state.get(TOKEN_KEY),
            save=st.session_state.pop(SAVE_TOKEN_KEY, None),
            clear=bool(st.session_state.pop(CLEAR_TOKEN_KEY, False)),
        )
    # A reloaded tab: the token its storage kept (once per session: not after sign-out).
    if stored and TOKEN_KEY not in st.session_state and not st.session_state.get(RESTORED_KEY):
        st.session_state[RESTORED_KEY] = True
        st.session_state[TOKEN_KEY] = stored
    signed = policy.sign_in(st.session_state.get(TOKEN_KEY))
    if signed.status == "signed_in" or signed.status == "no_organization":
        if sidebar.button("Sign out", key="sign_out", icon=":material/logout:"):
            st.session_state.pop(TOKEN_KEY, None)
            st.session_state[CLEAR_TOKEN_KEY] = True
            st.session_state[RESTORED_KEY] = True
            st.rerun()
        return signed
    with sidebar.form("sign_in_form", clear_on_submit=True, border=False):
        token = st.text_input("Access token", type="password", key="access_token")
        if st.form_submit_button("Sign in", icon=":material/login:", key="sign_in"):
            token = token.strip()
            st.session_state[TOKEN_KEY] = token
            if policy.sign_in(token).account is not None:
                st.session_state[SAVE_TOKEN_KEY] = token
            st.rerun()
    return signed


def _organizations(signed: SignIn, key: tuple[str, float]) -> dict[str, frozenset[str]]:
    """The organizations the viewer may pick, busiest first in local mode (where each
    namespace of the warehouse is one organization)."""
    if signed.organizations is not None:
        return dict(signed.organizations)
    return {namespace: frozenset({namespace}) for namespace in _namespaces(key)}


def _on_organization_change() -> None:
    # Another organization: its own default repositories, not the previous one's.
    st.session_state.pop("repositories", None)
    st.session_state["organization_changed"] = True


def _seed_from_link(selection: Selection) -> None:
    st.session_state["organization"] = selection.organization
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
        LOG.error("access file unusable: %s", error)
        st.error("The access file is unusable: the server's log says why.")
        st.stop()
    if not warehouse.path.is_file():
        LOG.error("no warehouse at %s", warehouse.path)
        _unavailable("There is no warehouse yet.")
    if policy.mode == "local":
        st.info(LOCAL_MODE_BANNER, icon=":material/lock_open:")
    signed = _sign_in(policy)
    if policy.mode == "token" and signed.status != "signed_in":
        st.warning(signed.message, icon=":material/key:")
        st.stop()
    try:
        key = _cache_key(warehouse)
        organizations = _organizations(signed, key)
        weekly_periods = _periods(key, "weekly")
    except (duckdb.Error, WarehouseUnavailable) as error:
        LOG.error("warehouse unreadable: %s", error)
        _unavailable("The warehouse is not built, or not completely.")
    if not organizations or not weekly_periods:
        _unavailable("The warehouse holds no complete period of pulls yet.")

    if not st.session_state.get("seeded_from_link"):
        asked = decode({name: st.query_params.get_all(name) for name in st.query_params})
        linked = asked.organization if asked.organization in organizations else None
        first = linked or next(iter(organizations))
        repositories = _repositories(key, _namespace_key(organizations[first]))
        asked = replace(asked, organization=first)
        _seed_from_link(
            constrain(
                asked,
                repositories,
                _periods(key, asked.granularity),
                repositories[:DEFAULT_REPOSITORY_COUNT],
            )
        )

    sidebar = st.sidebar
    # Repository names in the sidebar's chips are shown whole, not cut with an ellipsis.
    sidebar.html(SIDEBAR_CSS)
    if signed.status == "signed_in":
        sidebar.success(
            f"Signed in as **{signed.account}**, organization "
            f"**{st.session_state.get('organization')}**",
            icon=":material/person:",
        )
    sidebar.header("Selection")
    if st.session_state.get("organization") not in organizations:
        st.session_state["organization"] = next(iter(organizations))
    organization: str = sidebar.selectbox(
        "Organization",
        list(organizations),
        key="organization",
        on_change=_on_organization_change,
        help="Each namespace is one organization in local mode; with a token, your organizations.",
    )
    namespaces = organizations[organization]
    repositories = _repositories(key, _namespace_key(namespaces))
    if "repositories" not in st.session_state:
        st.session_state["repositories"] = repositories[:DEFAULT_REPOSITORY_COUNT]
    st.markdown(f"#### :material/apartment: Organization **{organization}**")
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
    offered = set(repositories)
    st.session_state["repositories"] = [
        r for r in st.session_state.get("repositories", []) if r in offered
    ][:MAX_REPOSITORIES]
    selected: list[str] = sidebar.multiselect(
        "Repositories",
        repositories,
        key="repositories",
        placeholder="Choose one or more repositories",
        max_selections=MAX_REPOSITORIES,
        help=f"At most {MAX_REPOSITORIES} repositories are drawn at once.",
    )
    if len(selected) >= MAX_REPOSITORIES:
        sidebar.caption(
            f"At most {MAX_REPOSITORIES} repositories are drawn at once: remove one to add another."
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
    selection = Selection(granularity, months, tuple(selected), period, organization)
    if _current_params() != _as_lists(encode(selection)):
        st.query_params.from_dict(encode(selection))
    context = DashboardContext(
        warehouse=warehouse,
        namespaces=namespaces,
        repositories=tuple(repositories),
        selection=selection,
        interval_periods=tuple(queries.interval_periods(report_periods, granularity, months)),
        report_periods=tuple(report_periods),
        organization=organization,
    )
    st.session_state[CONTEXT_KEY] = context
    return context


def page_for_period(title: str) -> tuple[DashboardContext, datetime.date]:
    """A page about the report period: its title, the context and the period; stops
    with a message when the warehouse has no complete period yet."""
    context = current_context()
    st.title(title)
    note = query(queries.incomplete_period_note, context, context.granularity)
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
    # A metric shows a long value or note cut with an ellipsis: spell those out below.
    long = [
        f"{label}: **{value}**" + (f" ({delta})" if delta else "")
        for label, value, delta in columns
        if len(value) > LONG_VALUE or len(delta or "") > LONG_NOTE
    ]
    if long:
        st.caption("; ".join(long))


def table(frame: pd.DataFrame, key: str, human_labels: bool = True) -> None:
    """A table: dates as dates, shares in %, human column labels (a report's table keeps
    its published header, as in its CSV, with `human_labels=False`)."""
    st.dataframe(
        charts.labelled(frame, rename=human_labels), hide_index=True, width="stretch", key=key
    )
