"""The dashboard's logic without Streamlit: share-link encoding, the access rule, the
interval arithmetic, and the queries against the test warehouse."""

from __future__ import annotations

import datetime
import hashlib
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import duckdb
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from support.warehouse_build import BuiltWarehouse

from registry_insights.access import ConfigError, token_hash
from registry_insights.dashboard import queries, settings
from registry_insights.dashboard.access import LocalAccess, TokenAccess, load_access
from registry_insights.dashboard.selection import (
    GRANULARITIES,
    INTERVAL_MONTHS,
    Selection,
    constrain,
    decode,
    encode,
    share_url,
)
from registry_insights.publishing.catalog import REPORTS
from registry_insights.publishing.export import export_warehouse
from registry_insights.warehouse import Warehouse

D = datetime.date

# ---- selection and share links ---------------------------------------------------

selections = st.builds(
    Selection,
    granularity=st.sampled_from(GRANULARITIES),
    months=st.sampled_from(INTERVAL_MONTHS),
    repositories=st.lists(
        st.from_regex(r"[a-z0-9][a-z0-9._-]{0,12}/[a-z0-9][a-z0-9._/-]{0,20}", fullmatch=True),
        unique=True,
        max_size=6,
    ).map(tuple),
    period=st.one_of(st.none(), st.dates(D(2000, 1, 1), D(2100, 1, 1))),
)


@given(selections)
def test_a_share_link_decodes_to_its_selection(selection: Selection) -> None:
    link = share_url("http://dashboard.example/trends", selection)
    assert link.startswith("http://dashboard.example/trends?")
    assert decode(parse_qs(urlsplit(link).query)) == selection


def test_encode_repeats_the_repo_key_in_selection_order() -> None:
    selection = Selection("monthly", 12, ("b/two", "a/one"), D(2026, 6, 1))
    assert encode(selection) == {
        "granularity": "monthly",
        "months": "12",
        "repo": ["b/two", "a/one"],
        "period": "2026-06-01",
    }


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"granularity": ["yearly"], "months": ["4"], "period": ["yesterday"]},
        {"months": ["twelve"], "repo": [""]},
    ],
)
def test_decode_falls_back_to_defaults(params: dict[str, list[str]]) -> None:
    assert decode(params) == Selection()


def test_decode_takes_the_last_value_and_drops_repeated_repositories() -> None:
    selection = decode(
        {"granularity": ["weekly", "monthly"], "repo": ["a/x", "b/y", "a/x"], "months": ["6"]}
    )
    assert selection == Selection("monthly", 6, ("a/x", "b/y"), None)


def test_constrain_keeps_only_what_is_on_offer() -> None:
    periods = [D(2026, 6, 1), D(2026, 7, 1)]
    asked = Selection("monthly", 6, ("other/secret", "mine/app"), D(2020, 1, 1))
    kept = constrain(asked, ["mine/app", "mine/db"], periods, ["mine/db"])
    assert kept == Selection("monthly", 6, ("mine/app",), D(2026, 7, 1))
    # Nothing allowed left: the defaults, never the names that were asked for.
    only_foreign = Selection(repositories=("other/secret",), period=D(2026, 6, 1))
    assert constrain(only_foreign, ["mine/app"], periods, ["mine/app"]).repositories == (
        "mine/app",
    )
    assert constrain(Selection(), [], [], []).period is None


# ---- access ------------------------------------------------------------------------


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "access.toml"
    path.write_text(text)
    return path


def test_local_mode_sees_everything() -> None:
    policy = load_access(None)
    assert isinstance(policy, LocalAccess)
    assert policy.mode == "local"
    assert policy.allowed_namespaces(None) is None
    assert policy.allowed_namespaces("anything") is None


def test_token_mode_maps_token_to_account_organizations_namespaces(tmp_path: Path) -> None:
    # The Data API's file format; alice has two tokens, one stored in upper case.
    path = _write(
        tmp_path,
        f"""
        [accounts.alice]
        token_sha256 = ["{token_hash("alice-1")}", "{token_hash("alice-2").upper()}"]
        [accounts.carol]
        token_sha256 = ["{token_hash("carol")}"]
        [accounts.dave]
        token_sha256 = ["{token_hash("dave")}"]
        [organizations.acme]
        namespaces = ["acme", "acme-labs"]
        members = ["alice"]
        [organizations.globex]
        namespaces = ["globex"]
        members = ["alice", "carol"]
        """,
    )
    policy = load_access(path)
    assert isinstance(policy, TokenAccess)
    assert policy.mode == "token"
    assert policy.allowed_namespaces("alice-1") == frozenset({"acme", "acme-labs", "globex"})
    assert policy.allowed_namespaces(" alice-2 ") == frozenset({"acme", "acme-labs", "globex"})
    assert policy.allowed_namespaces("carol") == frozenset({"globex"})
    assert policy.allowed_namespaces("dave") == frozenset()  # an account in no organization
    assert policy.allowed_namespaces("mallory") == frozenset()
    assert policy.allowed_namespaces("") == frozenset()
    assert policy.allowed_namespaces(None) == frozenset()
    assert token_hash("alice-1") == hashlib.sha256(b"alice-1").hexdigest()


def test_token_mode_reads_the_data_apis_whole_file_without_needing_its_server_table(
    tmp_path: Path,
) -> None:
    access = '[accounts.a]\ntoken_sha256 = ["' + token_hash("t") + '"]\n'
    access += '[organizations.o]\nnamespaces = ["n"]\nmembers = ["a"]\n'
    with_server = '[server]\ndatabase = "elsewhere.duckdb"\nsigning_secret = "s"\n' + access
    for text in (access, with_server):
        assert load_access(_write(tmp_path, text)).allowed_namespaces("t") == frozenset({"n"})


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[accounts.a]\ntoken_sha256 = ["abc"]\n', "not a SHA-256 hex digest"),
        (
            f'[accounts.a]\ntoken_sha256 = ["{"0" * 64}"]\n'
            f'[accounts.b]\ntoken_sha256 = ["{"0" * 64}"]\n',
            "used by two accounts",
        ),
        ('[organizations.x]\nmembers = ["nobody"]\n', "unknown member"),
        ('[organizations.x]\nnamespaces = "x"\n', "list of strings"),
        ("organizations = 3\n", "must be tables"),
        ("this is not toml", "cannot read"),
    ],
)
def test_a_malformed_access_file_is_refused(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_access(_write(tmp_path, text))


def test_a_missing_access_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_access(tmp_path / "absent.toml")


def test_the_access_file_defaults_to_the_data_apis_configuration(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in settings.ACCESS_FILE_ENVS:
        monkeypatch.delenv(name, raising=False)
    assert settings.access_file() is None  # local single-user mode
    monkeypatch.setenv("REGISTRY_INSIGHTS_API_CONFIG", "api.toml")
    assert settings.access_file() == Path("api.toml")
    monkeypatch.setenv("REGISTRY_INSIGHTS_DASHBOARD_ACCESS_FILE", "dashboard.toml")
    assert settings.access_file() == Path("dashboard.toml")


# ---- interval arithmetic -----------------------------------------------------------


def _mondays(first: datetime.date, count: int) -> list[datetime.date]:
    return [first + datetime.timedelta(weeks=i) for i in range(count)]


def test_interval_counts_back_from_the_end_of_the_latest_period() -> None:
    months = [D(2025, m, 1) for m in range(1, 13)] + [D(2026, 1, 1)]
    assert queries.interval_periods(months, "monthly", 3) == [
        D(2025, 11, 1),
        D(2025, 12, 1),
        D(2026, 1, 1),
    ]
    assert len(queries.interval_periods(months, "monthly", 12)) == 12
    weeks = _mondays(D(2025, 1, 6), 60)
    # The latest week starts on 2026-02-23 and ends on 2026-03-01; three months before
    # 2026-03-02 is 2025-12-02, so the weeks from Monday 2025-12-08 on.
    assert weeks[-1] == D(2026, 2, 23)
    assert queries.interval_periods(weeks, "weekly", 3) == _mondays(D(2025, 12, 8), 12)
    assert queries.interval_periods([], "weekly", 3) == []


def test_interval_clamps_month_ends() -> None:
    # The week of Monday 2026-05-25 ends on 2026-05-31; three months back is 2026-02-28.
    weeks = [D(2026, 2, 23), D(2026, 3, 2), D(2026, 5, 25)]
    assert queries.interval_periods(weeks, "weekly", 3) == [D(2026, 3, 2), D(2026, 5, 25)]


# ---- queries against the warehouse ------------------------------------------------


@pytest.fixture(scope="module")
def warehouse(built_warehouse: BuiltWarehouse) -> Warehouse:
    return Warehouse(built_warehouse.database)


def test_repositories_are_filtered_by_namespace(warehouse: Warehouse) -> None:
    everything = queries.repositories(warehouse, None)
    westbrook = queries.repositories(warehouse, {"westbrook"})
    assert westbrook and all(r.startswith("westbrook/") for r in westbrook)
    assert [r for r in everything if r.startswith("westbrook/")] == westbrook
    assert queries.repositories(warehouse, set()) == []


def test_pulls_over_time_fills_every_period(warehouse: Warehouse) -> None:
    periods = tuple(queries.available_periods(warehouse, "weekly"))
    busiest = queries.repositories(warehouse, None)[:2]
    frame = queries.pulls_over_time(
        warehouse, queries.Scope("weekly", periods, (*busiest, "westbrook/never-pulled"))
    )
    assert len(frame) == len(periods) * 3 * 2
    assert set(frame["measure"]) == {"Data downloads", "Version checks"}
    assert frame[frame["repository"] == "westbrook/never-pulled"]["value"].sum() == 0
    # A repository outside the viewer's namespaces gets no line, not even a zero one.
    limited = queries.pulls_over_time(
        warehouse, queries.Scope("weekly", periods, tuple(busiest), frozenset({"westbrook"}))
    )
    assert set(limited["repository"]) <= {r for r in busiest if r.startswith("westbrook/")}


def test_trend_shares_add_up_per_period(warehouse: Warehouse) -> None:
    periods = tuple(queries.available_periods(warehouse, "weekly"))
    scope = queries.Scope("weekly", periods, namespaces=frozenset({"westbrook", "library"}))
    for dimension in ("ip_country", "cloud_service_provider", "user_agent_tool", "tag"):
        frame = queries.trends_by(warehouse, dimension, scope)
        assert not frame.empty
        # A tag's share is within its own repository (image); other values: the period's.
        within = ["period", "repository"] if dimension == "tag" else ["period"]
        sums = frame.groupby(within)["share"].sum()
        assert ((sums - 1).abs() < 1e-9).all(), dimension
        assert (frame["pulls"] == frame["data_downloads"] + frame["version_checks"]).all()
        folded = queries.top_values(frame, 3)
        assert folded.groupby("period")["value"].nunique().max() <= 4
        assert folded["pulls"].sum() == frame["pulls"].sum()
    tags = queries.tagged_only(queries.trends_by(warehouse, "tag", scope))
    assert not tags["value"].str.endswith(queries.BY_DIGEST).any()
    assert tags["repository"].nunique() > 1
    assert ((tags.groupby(["period", "repository"])["share"].sum() - 1).abs() < 1e-9).all()


def test_tag_adoption_is_within_one_image(warehouse: Warehouse) -> None:
    """One image's release does not shift another image's tag shares: the shares of a
    repository's tags are the same whether or not other repositories are selected."""
    periods = tuple(queries.available_periods(warehouse, "weekly"))
    every = queries.tagged_only(
        queries.trends_by(warehouse, "tag", queries.Scope("weekly", periods))
    )
    repository = str(every.groupby("repository")["pulls"].sum().idxmax())
    alone = queries.tagged_only(
        queries.trends_by(warehouse, "tag", queries.Scope("weekly", periods, (repository,)))
    )
    together = every[every["repository"] == repository]
    merged = alone.merge(together, on=["period", "value"], suffixes=("_alone", "_together"))
    assert len(merged) == len(alone) > 0
    assert ((merged["share_alone"] - merged["share_together"]).abs() < 1e-12).all()


def test_traction_orders_gains_before_losses() -> None:
    frame = pd.DataFrame(
        {
            "period": [D(2026, 6, 1)] * 2 + [D(2026, 6, 8)] * 2,
            "value": ["app:v1", "app:v2", "app:v1", "app:v2"],
            "pulls": [90, 10, 40, 60],
            "share": [0.9, 0.1, 0.4, 0.6],
        }
    )
    result = queries.traction(frame)
    assert list(result["value"]) == ["app:v2", "app:v1"]
    assert list(result["change_pct_points"]) == [50.0, -50.0]
    assert list(result["last_pulls"]) == [60, 40]


def test_company_reports_stay_in_the_viewers_namespaces(warehouse: Warehouse) -> None:
    (period,) = queries.available_periods(warehouse, "monthly")[:1]
    scope = queries.Scope("monthly", (period,), namespaces=frozenset({"westbrook"}))
    pairings = queries.technographic(warehouse, scope)
    companies = queries.technographic_companies(warehouse, scope)
    tracked = queries.tracked_companies(warehouse, scope)
    assert not pairings.empty and not companies.empty and not tracked.empty
    assert pairings["dvpp_image"].str.startswith("westbrook/").all()
    assert companies["dvpp_image"].str.startswith("westbrook/").all()
    assert tracked["repository"].str.startswith("westbrook/").all()
    assert (pairings["companies"] >= 0).all()


def test_report_download_is_the_export_file(
    warehouse: Warehouse, built_warehouse: BuiltWarehouse, tmp_path: Path
) -> None:
    exported = export_warehouse(built_warehouse.database, tmp_path, dataviews=[]).reports
    assert exported
    for item in exported:
        name, data = queries.report_download(
            warehouse, item.report, item.date_granularity, item.date_reference, None
        )
        assert name == item.path.name
        assert data == item.path.read_bytes()


def test_a_namespace_limited_download_is_the_export_filtered(
    warehouse: Warehouse, built_warehouse: BuiltWarehouse
) -> None:
    period = D(2026, 6, 1)
    with duckdb.connect(str(built_warehouse.database), read_only=True) as connection:
        for name, report in REPORTS.items():
            if "monthly" not in report.granularities:
                continue  # vulnerability-details: one snapshot, no months
            _, data = queries.report_download(warehouse, name, "monthly", period, {"westbrook"})
            lines = data.decode().splitlines()
            assert lines[0] == ",".join(report.header)
            namespaces = connection.execute(
                f"select distinct {report.namespace_expression} from {report.relation} "
                "where date_granularity = 'monthly' and date_reference = ?",
                [period],
            ).fetchall()
            assert ("westbrook",) in namespaces and len(namespaces) > 1
            publisher = "PUBLISHER_NAME"
            column = report.header.index(publisher)
            assert {line.split(",")[column] for line in lines[1:]} == {"Westbrook Inc."}, name


# ---- the command -------------------------------------------------------------------


def test_the_dashboard_command_refuses_a_missing_warehouse_or_a_bad_access_file(
    tmp_path: Path,
) -> None:
    from typer.testing import CliRunner

    from registry_insights.cli import app

    runner = CliRunner()
    missing = runner.invoke(app, ["dashboard", "--database", str(tmp_path / "absent.duckdb")])
    assert missing.exit_code == 2
    assert "run `make demo` first" in missing.output
    database = tmp_path / "warehouse.duckdb"
    database.touch()
    bad = runner.invoke(
        app,
        ["dashboard", "--database", str(database), "--access-file", str(_write(tmp_path, "x ="))],
    )
    assert bad.exit_code == 2
    assert "cannot read" in bad.output
    # Without --access-file, the Data API's $REGISTRY_INSIGHTS_API_CONFIG is the access file.
    unset = dict.fromkeys(settings.ACCESS_FILE_ENVS)
    api_config = {**unset, "REGISTRY_INSIGHTS_API_CONFIG": str(tmp_path / "absent-api.toml")}
    bad_api = runner.invoke(app, ["dashboard", "--database", str(database)], env=api_config)
    assert bad_api.exit_code == 2
    assert "absent-api.toml" in bad_api.output


def test_the_server_command_is_headless_and_private(monkeypatch: pytest.MonkeyPatch) -> None:
    from registry_insights.dashboard.server import APP, streamlit_command, streamlit_environment

    command = streamlit_command(8599, "127.0.0.1")
    assert command[1:5] == ["-m", "streamlit", "run", str(APP)]
    options = dict(zip(command[5::2], command[6::2], strict=True))
    assert options["--server.port"] == "8599"
    assert options["--server.address"] == "127.0.0.1"
    assert options["--server.headless"] == "true"
    assert options["--browser.gatherUsageStats"] == "false"
    monkeypatch.setenv("REGISTRY_INSIGHTS_API_CONFIG", "api.toml")
    env = streamlit_environment(Path("w.duckdb"), None)
    assert env["REGISTRY_INSIGHTS_DUCKDB_PATH"] == str(Path("w.duckdb").resolve())
    # Local mode: the app is given no variable that would name an access file.
    assert "REGISTRY_INSIGHTS_DASHBOARD_ACCESS_FILE" not in env
    assert "REGISTRY_INSIGHTS_API_CONFIG" not in env


# ---- security ----------------------------------------------------------------------


def test_security_queries_are_the_marts_rows_of_the_viewers_namespaces(
    warehouse: Warehouse, built_warehouse: BuiltWarehouse
) -> None:
    with duckdb.connect(str(built_warehouse.database), read_only=True) as connection:
        periods = tuple(
            row[0]
            for row in connection.execute(
                "select distinct date_reference from marts.rpt_vulnerabilities_by_tag "
                "where date_granularity = 'weekly' order by 1"
            ).fetchall()
        )
        expected_over_time = dict(
            connection.execute(
                "select date_reference, sum(critical_vulnerabilities) "
                "from marts.rpt_vulnerabilities_by_tag where date_granularity = 'weekly' "
                "and namespace = 'westbrook' and is_scanned group by 1"
            ).fetchall()
        )
        expected_counts = dict(
            connection.execute(
                "select severity, count(*) from marts.rpt_vulnerability_details "
                "where namespace = 'westbrook' group by 1"
            ).fetchall()
        )
        expected_vulnerable = dict(
            connection.execute(
                "select date_reference, sum(vulnerable_data_downloads) "
                "from marts.rpt_vulnerable_pulls where date_granularity = 'weekly' "
                "and namespace = 'westbrook' group by 1"
            ).fetchall()
        )
    assert periods and expected_over_time and expected_counts
    scope = queries.Scope("weekly", periods, (), frozenset({"westbrook"}))
    over_time = queries.vulnerabilities_over_time(warehouse, scope)
    critical = over_time[over_time["severity"] == "critical"]
    assert dict(zip(critical["period"], critical["vulnerabilities"], strict=True)) == {
        period: int(value) for period, value in expected_over_time.items()
    }
    counts = queries.finding_counts(warehouse, scope)
    assert {s: counts[s] for s in queries.SEVERITIES if counts[s]} == expected_counts
    details = queries.vulnerability_details(warehouse, scope)
    assert details["repository"].str.startswith("westbrook/").all()
    ranks = details["severity"].map(queries.SEVERITIES.index).to_list()
    assert ranks == sorted(ranks)
    pulls = queries.vulnerable_pull_shares(warehouse, scope)
    assert dict(zip(pulls["period"], pulls["vulnerable"], strict=True)) == {
        period: int(value) for period, value in expected_vulnerable.items()
    }
    tags = queries.tags_at_period(warehouse, scope)
    assert len(tags) and tags["repository"].str.startswith("westbrook/").all()


# ---- organizations, sign-in, colours ------------------------------------------------


def test_the_link_carries_the_organization_and_at_most_the_cap() -> None:
    from registry_insights.dashboard.selection import MAX_REPOSITORIES, Selection

    chosen = Selection("monthly", 6, ("acme/api",), D(2026, 6, 1), "acme")
    params = encode(chosen)
    assert next(iter(params)) == "org" and params["org"] == "acme"
    assert decode({k: v if isinstance(v, list) else [v] for k, v in params.items()}) == chosen
    assert decode({"org": [""]}).organization is None
    many = [f"acme/r{n:02d}" for n in range(MAX_REPOSITORIES + 5)]
    capped = constrain(Selection(repositories=tuple(many)), many, [], many[:5])
    assert capped.repositories == tuple(many[:MAX_REPOSITORIES])


def test_sign_in_states(tmp_path: Path) -> None:
    text = (
        f'[accounts.alice]\ntoken_sha256 = ["{token_hash("a")}"]\n'
        f'[accounts.bob]\ntoken_sha256 = ["{token_hash("b")}"]\n'
        f'[accounts.carol]\ntoken_sha256 = ["{token_hash("c")}"]\n'
        '[organizations.acme]\nnamespaces = ["acme", "acme-labs"]\nmembers = ["alice"]\n'
        '[organizations.globex]\nnamespaces = ["globex"]\nmembers = ["alice"]\n'
        '[organizations.empty]\nnamespaces = []\nmembers = ["bob"]\n'
    )
    policy = load_access(_write(tmp_path, text))
    assert policy.sign_in(None).status == "no_token"
    assert policy.sign_in("  ").status == "no_token"
    assert policy.sign_in("wrong").status == "unknown_token"
    assert policy.sign_in("c").status == "no_organization"
    assert policy.sign_in("c").account == "carol"
    assert policy.sign_in("b").status == "no_organization"  # its organization owns nothing
    alice = policy.sign_in(" a ")
    assert (alice.status, alice.account) == ("signed_in", "alice")
    assert alice.organizations == {
        "acme": frozenset({"acme", "acme-labs"}),
        "globex": frozenset({"globex"}),
    }
    # The organizations' namespaces together are what the Data API's rule allows.
    assert alice.organizations is not None
    assert frozenset().union(*alice.organizations.values()) == policy.allowed_namespaces("a")
    messages = {policy.sign_in(t).message for t in (None, "wrong", "c")}
    assert len(messages) == 3 and "carol" in policy.sign_in("c").message
    assert LocalAccess().sign_in("anything").status == "local"


def test_a_repository_colour_depends_on_its_name_only() -> None:
    from registry_insights.dashboard import charts

    first = charts.repository_colours(["acme/api", "acme/web"])
    second = charts.repository_colours(["zeta/x", "acme/web", "beta/y"])
    colour = dict(zip(first.domain, first.range, strict=True))
    again = dict(zip(second.domain, second.range, strict=True))
    assert colour["acme/web"] == again["acme/web"] == charts.colour_of("acme/web")
    assert len({charts.colour_of(f"n/r{i}") for i in range(200)}) == len(charts.PALETTE)


def test_cached_queries_are_kept_per_namespaces(built_warehouse: BuiltWarehouse) -> None:
    """`context.query` caches per arguments, and a scope carries the viewer's namespaces:
    one organization's cached rows are never served to a viewer of another."""
    from registry_insights.dashboard.context import DashboardContext, query
    from registry_insights.dashboard.selection import Selection

    warehouse = Warehouse(built_warehouse.database)
    periods = tuple(queries.available_periods(warehouse, "monthly"))
    context = DashboardContext(warehouse, None, (), Selection(), periods, periods)
    seen = {}
    for _ in range(2):  # the second round is served from the cache
        for namespaces in ({"westbrook"}, {"library"}, None):
            scope = queries.Scope(
                "monthly", periods, (), None if namespaces is None else frozenset(namespaces)
            )
            frame = query(queries.tracked_companies, context, scope)
            assert frame.equals(queries.tracked_companies(warehouse, scope))
            owners = set(frame["repository"].str.split("/").str[0])
            assert namespaces is None or owners <= namespaces, owners
            seen[None if namespaces is None else min(namespaces)] = owners
    assert len(seen["westbrook"]) == 1 and seen["westbrook"] != seen["library"]
    with pytest.raises(AssertionError):
        query(lambda warehouse: warehouse, context)  # only `queries`' own functions
