"""One organization at a time (issue 14): the organization picker and its link, the
default repositories, stable colours, the drawing cap, sign-in states, the page for a
missing or unbuilt warehouse, and the Extensions page's numbers against the marts."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest
from support.dashboard_harness import (
    ALICE_TOKEN,
    BOB_TOKEN,
    CAROL_TOKEN,
    charts,
    dashboard,
    share_link_params,
    sign_in,
    write_access_file,
)
from support.warehouse_build import BuiltWarehouse

from registry_insights.dashboard import charts as chart_module
from registry_insights.dashboard.access import SIGN_IN_MESSAGES
from registry_insights.dashboard.selection import MAX_REPOSITORIES
from registry_insights.publishing.completeness import data_complete_through, published_condition


def _texts(app: object) -> str:
    parts = []
    for kind in ("markdown", "caption", "info", "warning", "error", "success", "title"):
        parts += [str(element.value) for element in getattr(app, kind)]
    return "\n".join(parts)


def test_switching_organization_resets_the_selection_and_the_link(
    monkeypatch: pytest.MonkeyPatch, built_warehouse: BuiltWarehouse
) -> None:
    app = dashboard(monkeypatch, built_warehouse.database).run()
    organizations = app.selectbox(key="organization").options
    assert len(organizations) > 2
    other = organizations[1]
    app.selectbox(key="organization").set_value(other).run()
    assert not app.exception
    options = app.multiselect(key="repositories").options
    assert options and all(option.startswith(f"{other}/") for option in options)
    assert app.multiselect(key="repositories").value == options[:5]
    assert share_link_params(app)["org"] == [other]
    assert app.query_params["org"] == other
    # Every page names the organization.
    for page in ("views/trends.py", "views/extensions.py", "views/security.py"):
        app.switch_page(page).run()
        assert not app.exception, page
        assert f"Organization **{other}**" in app.markdown[0].value, page

    # The link opens the same organization in a fresh session.
    app.switch_page("views/pulls.py").run()
    opened = dashboard(
        monkeypatch, built_warehouse.database, query_params=share_link_params(app)
    ).run()
    assert opened.selectbox(key="organization").value == other
    assert opened.multiselect(key="repositories").value == options[:5]


def test_a_repository_keeps_its_colour_and_drawing_is_capped(
    monkeypatch: pytest.MonkeyPatch, built_warehouse: BuiltWarehouse
) -> None:
    app = dashboard(monkeypatch, built_warehouse.database).run()
    options = app.multiselect(key="repositories").options
    assert len(options) > MAX_REPOSITORIES
    ((spec, _),) = charts(app)
    first = dict(
        zip(
            spec["encoding"]["color"]["scale"]["domain"],
            spec["encoding"]["color"]["scale"]["range"],
            strict=True,
        )
    )
    app.multiselect(key="repositories").set_value([options[1], options[7]]).run()
    ((spec, _),) = charts(app)
    second = dict(
        zip(
            spec["encoding"]["color"]["scale"]["domain"],
            spec["encoding"]["color"]["scale"]["range"],
            strict=True,
        )
    )
    assert second[options[1]] == first[options[1]] == chart_module.colour_of(options[1])
    assert second[options[7]] == chart_module.colour_of(options[7])
    # The legend draws line styles, not dots.
    assert spec["layer"][0]["encoding"]["strokeDash"]["legend"]["symbolType"] == "stroke"

    # A link asking for every repository draws at most MAX_REPOSITORIES of them.
    linked = dashboard(
        monkeypatch,
        built_warehouse.database,
        query_params={"org": str(app.selectbox(key="organization").value), "repo": list(options)},
    ).run()
    assert not linked.exception
    assert linked.multiselect(key="repositories").value == list(options[:MAX_REPOSITORIES])
    assert f"At most {MAX_REPOSITORIES} repositories" in _texts(linked)
    ((_, data),) = charts(linked)
    assert data["repository"].nunique() == MAX_REPOSITORIES


def test_sign_in_tells_where_you_stand(
    monkeypatch: pytest.MonkeyPatch, built_warehouse: BuiltWarehouse, tmp_path: Path
) -> None:
    access_file = write_access_file(tmp_path / "api.toml")
    messages = {}
    for token in (None, "wrong-token", CAROL_TOKEN, BOB_TOKEN):
        app = dashboard(monkeypatch, built_warehouse.database, access_file).run()
        if token:
            sign_in(app, token)
        assert not app.exception
        (warning,) = [w.value for w in app.warning]
        messages[token] = warning
        assert not charts(app) and not app.get("download_button")
    assert messages[None] == SIGN_IN_MESSAGES["no_token"]
    assert messages["wrong-token"] == SIGN_IN_MESSAGES["unknown_token"]
    # carol is in no organization, bob only in one that owns no namespace.
    assert messages[CAROL_TOKEN] == SIGN_IN_MESSAGES["no_organization"].format(account="carol")
    assert messages[BOB_TOKEN] == SIGN_IN_MESSAGES["no_organization"].format(account="bob")
    assert len({messages[None], messages["wrong-token"], messages[CAROL_TOKEN]}) == 3

    app = dashboard(monkeypatch, built_warehouse.database, access_file).run()
    sign_in(app, ALICE_TOKEN)
    assert not app.exception
    assert "Signed in as **alice**, organization **westbrook-org**" in _texts(app)
    assert app.selectbox(key="organization").options == ["westbrook-org"]
    assert charts(app)
    # The token never reaches the URL, and the session keeps it across pages.
    assert ALICE_TOKEN not in str(app.query_params)
    app.switch_page("views/trends.py").run()
    assert "Signed in as **alice**" in _texts(app)
    app.button(key="sign_out").click().run()
    assert [w.value for w in app.warning] == [SIGN_IN_MESSAGES["no_token"]]
    assert not charts(app)


@pytest.mark.parametrize("state", ["missing", "empty", "not-a-database"])
def test_an_unusable_warehouse_gets_a_friendly_page(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, state: str
) -> None:
    database = tmp_path / "secret-server-folder" / "warehouse.duckdb"
    database.parent.mkdir()
    if state == "empty":
        duckdb.connect(str(database)).close()
    elif state == "not-a-database":
        database.write_text("not a database")
    app = dashboard(monkeypatch, database).run()
    assert not app.exception
    shown = _texts(app)
    assert "make demo" in shown and "dbt build" in shown
    assert "secret-server-folder" not in shown and "Traceback" not in shown
    assert "Exception" not in shown


def test_extensions_page_equals_the_marts(
    monkeypatch: pytest.MonkeyPatch, built_warehouse: BuiltWarehouse
) -> None:
    # the published (complete) periods, as the page shows them
    with duckdb.connect(str(built_warehouse.database), read_only=True) as connection:
        published, parameters = published_condition(data_complete_through(connection))
        core = connection.execute(
            "select date_reference, extension, installs, uninstalls, updates, total_installs, "
            "total_uninstalls, namespace from marts.exp_extensions_summary "
            f"where date_granularity = 'monthly' and {published}",
            parameters,
        ).df()
        premium = connection.execute(
            "select date_reference, extension, unique_installs, unique_uninstalls, unique_users "
            "from marts.exp_extensions_premium_summary "
            f"where date_granularity = 'monthly' and {published}",
            parameters,
        ).df()
    namespace = str(core["namespace"].value_counts().index[0])
    app = dashboard(
        monkeypatch,
        built_warehouse.database,
        query_params={"org": namespace, "granularity": "monthly", "months": "12"},
    ).run()
    app.switch_page("views/extensions.py").run()
    assert not app.exception
    assert app.title[0].value == "Extensions"
    drawn: dict[tuple[str, str, str], int] = {}
    for _, data in charts(app):
        for row in data.itertuples():
            drawn[(str(row.period), str(row.extension), str(row.measure))] = int(row.value)
    expected: dict[tuple[str, str, str], int] = {}
    ours = core[core["namespace"] == namespace].merge(
        premium, on=["date_reference", "extension"], how="left"
    )
    labels = {**chart_module.LABELS}
    for row in ours.itertuples():
        day = pd.Timestamp(row.date_reference).date().isoformat()
        for column in (
            "installs",
            "uninstalls",
            "updates",
            "total_installs",
            "total_uninstalls",
            "unique_installs",
            "unique_uninstalls",
            "unique_users",
        ):
            value = getattr(row, column)
            expected[(day, str(row.extension), labels[column])] = (
                0 if pd.isna(value) else int(value)
            )
    assert drawn and drawn == expected
