"""The dashboard under Streamlit's own app-testing harness (AppTest), on the test
warehouse: the selection drives the chart, tables and share link; a link restores the
view; downloads are the export's files; token mode shows members their namespaces only."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from support.dashboard_harness import (
    ALICE_TOKEN,
    BOB_TOKEN,
    CAROL_TOKEN,
    captured_downloads,
    charts,
    dashboard,
    download,
    share_link_params,
    sign_in,
    write_access_file,
)
from support.warehouse_build import BuiltWarehouse

from registry_insights.dashboard.access import LOCAL_MODE_BANNER
from registry_insights.publishing.catalog import USAGE_REPORTS
from registry_insights.publishing.completeness import data_complete_through, published_condition
from registry_insights.publishing.export import export_warehouse
from registry_insights.publishing.report_files import report_csv_bytes

PAGES = (
    "views/trends.py",
    "views/technographic.py",
    "views/tracked_companies.py",
    "views/security.py",
)


@pytest.fixture(scope="module")
def summary(built_warehouse: BuiltWarehouse) -> pd.DataFrame:
    """Repository rows of the Summary report, straight from the mart, of the published
    periods (complete through their last day: the test data ends on July 5)."""
    with duckdb.connect(str(built_warehouse.database), read_only=True) as connection:
        published, parameters = published_condition(data_complete_through(connection))
        frame = connection.execute(
            "select date_granularity, date_reference, namespace, repository, data_downloads, "
            "version_checks, event_count from marts.rpt_summary where level = 'repository' "
            f"and {published}",
            parameters,
        ).df()
    frame["date_reference"] = frame["date_reference"].dt.date
    return frame


@pytest.fixture(scope="module")
def monthly_pulls(built_warehouse: BuiltWarehouse) -> pd.DataFrame:
    """Monthly repository rows of every period the mart holds, published or not: the
    dashboard ranks organizations and repositories by all of them."""
    with duckdb.connect(str(built_warehouse.database), read_only=True) as connection:
        return connection.execute(
            "select date_granularity, namespace, repository, event_count from marts.rpt_summary "
            "where level = 'repository' and date_granularity = 'monthly'"
        ).df()


@pytest.fixture
def access_file(tmp_path: Path) -> Path:
    return write_access_file(tmp_path / "api.toml")


@pytest.fixture
def downloads(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, bytes]]:
    with captured_downloads(monkeypatch) as stored:
        yield stored


def _chart_matches_summary(
    chart: pd.DataFrame, summary: pd.DataFrame, granularity: str, repositories: list[str]
) -> None:
    rows = summary[
        (summary["date_granularity"] == granularity) & summary["repository"].isin(repositories)
    ]
    expected = {
        (row.date_reference.isoformat(), row.repository, measure): int(getattr(row, column))
        for row in rows.itertuples()
        for measure, column in (
            ("Data downloads", "data_downloads"),
            ("Version checks", "version_checks"),
        )
    }
    drawn = {
        (str(row.period), row.repository, row.measure): int(row.value) for row in chart.itertuples()
    }
    assert set(chart["repository"]) == set(repositories)
    assert {key: value for key, value in drawn.items() if value} == {
        key: value for key, value in expected.items() if key[0] in {k[0] for k in drawn} and value
    }


def _busiest(summary: pd.DataFrame, column: str, namespace: str | None = None) -> list[str]:
    monthly = summary[summary["date_granularity"] == "monthly"]
    if namespace is not None:
        monthly = monthly[monthly["namespace"] == namespace]
    events = monthly.groupby(column)["event_count"].sum().reset_index()
    ordered = events.sort_values(["event_count", column], ascending=[False, True])
    return list(ordered[column])


def test_default_view(
    monkeypatch: pytest.MonkeyPatch,
    built_warehouse: BuiltWarehouse,
    summary: pd.DataFrame,
    monthly_pulls: pd.DataFrame,
) -> None:
    app = dashboard(monkeypatch, built_warehouse.database).run()
    assert not app.exception
    assert [info.value for info in app.info] == [LOCAL_MODE_BANNER]
    assert app.radio(key="granularity").value == "weekly"
    assert app.radio(key="months").value == 3
    # One organization (local mode: a namespace), the busiest; its five busiest repositories.
    organization = _busiest(monthly_pulls, "namespace")[0]
    assert app.selectbox(key="organization").value == organization
    assert app.selectbox(key="organization").options == _busiest(monthly_pulls, "namespace")
    assert f"Organization **{organization}**" in app.markdown[0].value
    assert app.multiselect(key="repositories").options == _busiest(
        monthly_pulls, "repository", organization
    )
    selected = app.multiselect(key="repositories").value
    assert selected == _busiest(monthly_pulls, "repository", organization)[:5]
    ((spec, data),) = charts(app)
    assert spec["layer"][0]["encoding"]["strokeDash"]["field"] == "measure"
    assert {"period", "repository", "measure", "value"} <= {
        t["field"] for t in spec["encoding"]["tooltip"]
    }
    _chart_matches_summary(data, summary, "weekly", selected)
    latest = max(summary[summary["date_granularity"] == "weekly"]["date_reference"])
    assert app.query_params == {
        "org": organization,
        "granularity": "weekly",
        "months": "3",
        "repo": selected,
        "period": latest.isoformat(),
    }
    table = app.dataframe[0].value
    assert list(table.columns) == USAGE_REPORTS["summary"].header
    # Dates as dates, as in the CSV (not `2026-08-10 00:00:00`).
    assert set(table["DATE_REFERENCE"]) == {latest.isoformat()}


def test_selection_drives_chart_table_and_link(
    monkeypatch: pytest.MonkeyPatch, built_warehouse: BuiltWarehouse, summary: pd.DataFrame
) -> None:
    app = dashboard(monkeypatch, built_warehouse.database).run()
    options = app.multiselect(key="repositories").options
    chosen = [options[4], options[1]]
    app.radio(key="granularity").set_value("monthly")
    app.radio(key="months").set_value(12)
    app.multiselect(key="repositories").set_value(chosen)
    app.run()
    assert not app.exception
    ((_, data),) = charts(app)
    monthly = sorted(summary[summary["date_granularity"] == "monthly"]["date_reference"])
    assert sorted(set(data["period"].astype(str))) == sorted({d.isoformat() for d in monthly})
    _chart_matches_summary(data, summary, "monthly", chosen)
    link = share_link_params(app)
    assert link == {
        "org": [app.selectbox(key="organization").value],
        "granularity": ["monthly"],
        "months": ["12"],
        "repo": chosen,
        "period": [max(monthly).isoformat()],
    }
    # Another report period: the table follows, the link too.
    first = min(monthly)
    app.selectbox(key="period").set_value(first).run()
    assert set(app.dataframe[0].value["DATE_REFERENCE"].astype(str)) == {first.isoformat()}
    assert set(app.dataframe[0].value["DATE_GRANULARITY"]) == {"monthly"}
    assert share_link_params(app)["period"] == [first.isoformat()]


def test_share_link_restores_the_view(
    monkeypatch: pytest.MonkeyPatch, built_warehouse: BuiltWarehouse
) -> None:
    first = dashboard(monkeypatch, built_warehouse.database).run()
    options = first.multiselect(key="repositories").options
    first.radio(key="granularity").set_value("monthly")
    first.radio(key="months").set_value(6)
    first.multiselect(key="repositories").set_value([options[2], options[7], options[0]])
    first.run()
    first.selectbox(key="period").set_value(datetime.date(2026, 6, 1)).run()
    link = share_link_params(first)

    opened = dashboard(monkeypatch, built_warehouse.database, query_params=link).run()
    assert not opened.exception
    assert opened.radio(key="granularity").value == "monthly"
    assert opened.radio(key="months").value == 6
    assert opened.multiselect(key="repositories").value == [options[2], options[7], options[0]]
    assert opened.selectbox(key="period").value == datetime.date(2026, 6, 1)
    assert share_link_params(opened) == link
    pd.testing.assert_frame_equal(charts(opened)[0][1], charts(first)[0][1])
    pd.testing.assert_frame_equal(opened.dataframe[0].value, first.dataframe[0].value)


def test_a_broken_link_falls_back_to_defaults(
    monkeypatch: pytest.MonkeyPatch, built_warehouse: BuiltWarehouse
) -> None:
    app = dashboard(
        monkeypatch,
        built_warehouse.database,
        query_params={
            "granularity": "daily",
            "months": "5",
            "repo": ["no/such-repository"],
            "period": "2026-13-40",
        },
    ).run()
    assert not app.exception
    assert app.radio(key="granularity").value == "weekly"
    assert app.radio(key="months").value == 3
    assert len(app.multiselect(key="repositories").value) == 5
    assert "no/such-repository" not in app.multiselect(key="repositories").options


def test_downloads_are_the_export_files(
    monkeypatch: pytest.MonkeyPatch,
    built_warehouse: BuiltWarehouse,
    downloads: dict[str, bytes],
    tmp_path: Path,
) -> None:
    """The organization's files: the export's bytes for its namespace, the export file's
    own lines (header and rows, in order) less the other organizations' rows."""
    exported = {
        (e.report, e.date_granularity, e.date_reference): e.path
        for e in export_warehouse(built_warehouse.database, tmp_path, dataviews=[]).reports
    }
    app = dashboard(
        monkeypatch,
        built_warehouse.database,
        query_params={"org": "westbrook", "granularity": "weekly", "period": "2026-06-15"},
    ).run()
    assert not app.exception
    period = datetime.date(2026, 6, 15)
    with duckdb.connect(str(built_warehouse.database), read_only=True) as connection:
        for name, report in USAGE_REPORTS.items():
            data = download(app, f"download_{name}", downloads)
            assert data == report_csv_bytes(connection, report, "weekly", period, {"westbrook"})
            whole = exported[(name, "weekly", period)].read_bytes().splitlines(keepends=True)
            lines = data.splitlines(keepends=True)
            assert len(lines) > 1, name
            assert lines[0] == whole[0]
            positions = [whole.index(line) for line in lines]
            assert positions == sorted(positions), name  # the export's order
    eager = [b for b in app.get("download_button") if "-download_" in b.proto.id]
    assert len(eager) == len(USAGE_REPORTS)


def test_token_mode_without_a_valid_token_shows_nothing(
    monkeypatch: pytest.MonkeyPatch, built_warehouse: BuiltWarehouse, access_file: Path
) -> None:
    for token in (None, "wrong-token", BOB_TOKEN, CAROL_TOKEN):
        app = dashboard(monkeypatch, built_warehouse.database, access_file).run()
        if token:
            sign_in(app, token)
        assert not app.exception
        assert LOCAL_MODE_BANNER not in [info.value for info in app.info]
        assert app.warning, token
        assert not app.multiselect
        assert not charts(app)
        assert not app.get("download_button")
        assert not app.dataframe


def test_token_mode_shows_only_the_members_namespaces(
    monkeypatch: pytest.MonkeyPatch,
    built_warehouse: BuiltWarehouse,
    access_file: Path,
    downloads: dict[str, bytes],
) -> None:
    # A link that asks for another organization's repository next to a member's one.
    app = dashboard(
        monkeypatch,
        built_warehouse.database,
        access_file,
        query_params={"repo": ["library/nginx", "westbrook/payments"], "period": "2026-06-08"},
    ).run()
    sign_in(app, ALICE_TOKEN)
    assert not app.exception
    assert LOCAL_MODE_BANNER not in [info.value for info in app.info]
    options = app.multiselect(key="repositories").options
    assert options and all(option.startswith("westbrook/") for option in options)
    assert app.multiselect(key="repositories").value == ["westbrook/payments"]
    assert share_link_params(app)["repo"] == ["westbrook/payments"]
    ((_, data),) = charts(app)
    assert set(data["repository"]) == {"westbrook/payments"}

    # Selecting nothing: every table and download covers the member's namespaces only.
    app.multiselect(key="repositories").set_value([]).run()
    summary_rows = app.dataframe[0].value
    assert set(summary_rows["PUBLISHER_NAME"]) == {"Westbrook Inc."}
    with duckdb.connect(str(built_warehouse.database), read_only=True) as connection:
        for name, report in USAGE_REPORTS.items():
            data_bytes = download(app, f"download_{name}", downloads)
            assert data_bytes == report_csv_bytes(
                connection, report, "weekly", datetime.date(2026, 6, 8), {"westbrook"}
            )
            everything = report_csv_bytes(connection, report, "weekly", datetime.date(2026, 6, 8))
            assert len(data_bytes) < len(everything), name
            assert data_bytes.count(b"\n") > 1, name
    assert b"library/" not in download(app, "download_trends", downloads)

    for page in PAGES:
        app.switch_page(page).run()
        assert not app.exception, page
        checked = 0  # repository columns and tags seen: at least one, or nothing was proved
        for frame in (element.value for element in app.dataframe):
            # Tables show human labels; tag rows carry their repository.
            for column in ("Repository", "Your image", "IMAGE_REPOSITORY"):
                if column in frame:
                    assert frame[column].str.startswith("westbrook/").all(), (page, column)
                    checked += len(frame)
        for _, chart_data in charts(app):
            for column in ("repository", "dvpp_image"):
                if column in chart_data:
                    assert chart_data[column].str.startswith("westbrook/").all(), page
                    checked += 1
        assert checked, f"{page} shows no repository or tag to check"


def test_every_page_answers_at_a_glance(
    monkeypatch: pytest.MonkeyPatch, built_warehouse: BuiltWarehouse
) -> None:
    app = dashboard(
        monkeypatch,
        built_warehouse.database,
        query_params={"org": "westbrook", "granularity": "monthly"},
    ).run()
    app.multiselect(key="repositories").set_value([]).run()
    for page, title in zip(
        PAGES, ("Trends", "Technographic", "Tracked companies", "Security"), strict=True
    ):
        app.switch_page(page).run()
        assert not app.exception, page
        assert app.title[0].value == title
        assert len(app.metric) >= 4, page
        assert charts(app), page
        assert app.dataframe, page
    # The Trends page has a tab per question and the tag adoption over time.
    app.switch_page("views/trends.py").run()
    assert [tab.label for tab in app.tabs][:4] == [
        "By country",
        "By cloud provider",
        "By client",
        "Tag adoption",
    ]
