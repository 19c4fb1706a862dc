"""Every Data API endpoint through FastAPI's test client, over the built test warehouse:
each view, every access rule (member, non-member, no token, bad token), bad parameters,
and the signed download links (intact, tampered, expired)."""

from __future__ import annotations

import csv
import datetime
import gzip
import io
from collections.abc import Iterator

import duckdb
import pytest
from fastapi.testclient import TestClient
from support.api_setup import API, SECRET, Namespaces, bearer, make_config, pick_namespaces
from support.warehouse_build import BuiltWarehouse

from registry_insights.api.app import create_app
from registry_insights.api.signing import sign
from registry_insights.publishing.catalog import DATAVIEWS, SECURITY_REPORTS
from registry_insights.publishing.completeness import data_complete_through, published_condition

MONTH = (2026, 6)  # June 2026: complete, in the test dataset
WEEK = (2026, 24)  # ISO week 24 of 2026: Monday June 8


@pytest.fixture(scope="module")
def namespaces(built_warehouse: BuiltWarehouse) -> Namespaces:
    return pick_namespaces(built_warehouse.database)


@pytest.fixture(scope="module")
def client(
    built_warehouse: BuiltWarehouse,
    namespaces: Namespaces,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[TestClient]:
    config = make_config(built_warehouse, tmp_path_factory.mktemp("api"), namespaces)
    with TestClient(create_app(config)) as test_client:
        yield test_client


def namespace_paths(namespace: str) -> list[str]:
    base = f"{API}/namespaces/{namespace}"
    year, month = MONTH
    return [
        base,
        f"{base}/pulls",
        f"{base}/repos/anything/pulls",
        f"{base}/pulls/exports/years",
        f"{base}/pulls/exports/years/{year}/months",
        f"{base}/pulls/exports/years/{year}/months/{month}",
        f"{base}/pulls/exports/years/{year}/months/{month}/raw",
        *(f"{base}/security/{name}" for name in SECURITY_REPORTS),
        f"{base}/security/vulnerable-pulls?timespan=weeks",
    ]


ALL_PATHS = ["/", "/namespaces", "/repos/pulls?repos=a/b"]

# ---- access -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer not-a-token"}, {"Authorization": "Basic YWxpY2U6eA=="}],
    ids=["no token", "bad token", "not a bearer token"],
)
def test_every_data_path_answers_401_without_a_valid_token(
    client: TestClient, namespaces: Namespaces, headers: dict[str, str]
) -> None:
    for path in [API + p for p in ALL_PATHS] + namespace_paths(namespaces.mine):
        response = client.get(path, headers=headers)
        assert response.status_code == 401, path
        assert response.headers["www-authenticate"] == "Bearer"
        assert response.json() == {"detail": "missing or invalid bearer token"}


def test_another_organizations_namespace_answers_exactly_like_a_missing_one(
    client: TestClient, namespaces: Namespaces
) -> None:
    for theirs, missing in zip(
        namespace_paths(namespaces.theirs), namespace_paths("no-such-namespace"), strict=True
    ):
        hidden = client.get(theirs, headers=bearer("member"))
        absent = client.get(missing, headers=bearer("member"))
        assert hidden.status_code == absent.status_code == 404, theirs
        assert hidden.content == absent.content
        assert hidden.headers.get("content-type") == absent.headers.get("content-type")


def test_the_owner_reads_the_namespace_the_member_cannot(
    client: TestClient, namespaces: Namespaces
) -> None:
    path = f"{API}/namespaces/{namespaces.theirs}/pulls"
    assert client.get(path, headers=bearer("other")).status_code == 200
    assert client.get(path, headers=bearer("member")).status_code == 404


def test_root_lists_the_members_namespaces_only(client: TestClient, namespaces: Namespaces) -> None:
    assert client.get(f"{API}/", headers=bearer("member")).json() == {
        "namespaces": [namespaces.mine]
    }
    assert client.get(f"{API}/", headers=bearer("lonely")).json() == {"namespaces": []}
    assert client.get(f"{API}/namespaces", headers=bearer("lonely")).json() == []


# ---- discovery ----------------------------------------------------------------------


def test_namespace_metadata_lists_datasets_views_and_timespans(
    client: TestClient, namespaces: Namespaces
) -> None:
    listed = client.get(f"{API}/namespaces", headers=bearer("member")).json()
    single = client.get(f"{API}/namespaces/{namespaces.mine}", headers=bearer("member")).json()
    assert listed == [single]
    assert single["namespace"] == namespaces.mine
    assert single["extraRepos"] == []
    assert single["extensionPublisher"] is True
    assert single["datasets"] == [
        {
            "name": "pulls",
            "views": ["raw", "summary", "repo-summary", "namespace-summary", "geo-repo-summary"],
            "timespans": ["months", "weeks"],
        },
        {
            "name": "extensions",
            "views": ["ext-summary", "ext-premium-summary", "ext-premium-geo"],
            "timespans": ["months", "weeks"],
        },
    ]
    other = client.get(f"{API}/namespaces/{namespaces.theirs}", headers=bearer("other")).json()
    assert [dataset["name"] for dataset in other["datasets"]] == ["pulls"]


# ---- pulls --------------------------------------------------------------------------


def _expected_pulls(
    warehouse: duckdb.DuckDBPyConnection,
    relation: str,
    granularity: str,
    where: str,
    args: list[object],
) -> list[tuple[object, ...]]:
    # only the periods the warehouse holds complete data for (the test data ends on July 5)
    published, published_args = published_condition(data_complete_through(warehouse))
    return warehouse.execute(
        f"select strftime(date_reference, '%Y-%m-%dT00:00:00Z'), "
        f"pulls_by_tag + pulls_by_digest, unique_ip_addresses from marts.{relation} "
        f"where date_granularity = ? and {where} and {published} order by all",
        [granularity, *args, *published_args],
    ).fetchall()


@pytest.mark.parametrize(("timespan", "granularity"), [("months", "monthly"), ("weeks", "weekly")])
def test_namespace_pulls_by_repo_and_by_namespace_match_the_marts(
    client: TestClient,
    namespaces: Namespaces,
    warehouse: duckdb.DuckDBPyConnection,
    timespan: str,
    granularity: str,
) -> None:
    path = f"{API}/namespaces/{namespaces.mine}/pulls"
    query = {"timespan": timespan, "period": "last-6-months"}
    by_repo = client.get(path, params=query, headers=bearer("member")).json()["pulls"]
    assert by_repo and all(
        set(row) == {"start", "end", "repo", "pullCount", "ipCount"} for row in by_repo
    )
    repo = by_repo[0]["repo"]
    assert sorted(
        (row["start"], row["pullCount"], row["ipCount"]) for row in by_repo if row["repo"] == repo
    ) == _expected_pulls(
        warehouse, "exp_pulls_repo_summary", granularity, "namespace = ? and repository_name = ?",
        [namespaces.mine, repo],
    )  # fmt: skip
    by_namespace = client.get(
        path, params={**query, "group": "namespace"}, headers=bearer("member")
    ).json()["pulls"]
    assert {row["namespace"] for row in by_namespace} == {namespaces.mine}
    assert sorted(
        (row["start"], row["pullCount"], row["ipCount"]) for row in by_namespace
    ) == _expected_pulls(
        warehouse, "exp_pulls_namespace_summary", granularity, "namespace = ?", [namespaces.mine]
    )


def test_period_ends_on_the_last_day_and_counts_back_from_today(
    client: TestClient, namespaces: Namespaces
) -> None:
    path = f"{API}/namespaces/{namespaces.mine}/pulls"
    months = client.get(
        path, params={"group": "namespace", "period": "last-3-months"}, headers=bearer("member")
    ).json()["pulls"]
    # July is not published: the test data ends on July 5 (complete means complete)
    assert [(row["start"], row["end"]) for row in months] == [
        ("2026-06-01T00:00:00Z", "2026-06-30T00:00:00Z"),
    ]
    # As of August 15, "the last two months" start on June 1: June (July is incomplete).
    two = client.get(
        path, params={"group": "namespace", "period": "last-2-months"}, headers=bearer("member")
    ).json()["pulls"]
    assert len(two) == 1
    weeks = client.get(
        path, params={"group": "namespace", "timespan": "weeks"}, headers=bearer("member")
    ).json()["pulls"]
    assert weeks
    for row in weeks:
        start = datetime.date.fromisoformat(row["start"][:10])
        assert start.weekday() == 0
        assert row["end"] == f"{start + datetime.timedelta(days=6)}T00:00:00Z"


def test_repo_pulls_and_many_repos(client: TestClient, namespaces: Namespaces) -> None:
    mine = client.get(f"{API}/namespaces/{namespaces.mine}/pulls", headers=bearer("member"))
    repos = sorted({row["repo"] for row in mine.json()["pulls"]})[:2]
    single = client.get(
        f"{API}/namespaces/{namespaces.mine}/repos/{repos[0]}/pulls", headers=bearer("member")
    ).json()
    assert single["pulls"] and {row["repo"] for row in single["pulls"]} == {repos[0]}
    assert single["pulls"] == [row for row in mine.json()["pulls"] if row["repo"] == repos[0]]
    many = client.get(
        f"{API}/repos/pulls",
        params=[("repos", f"{namespaces.mine}/{name}") for name in repos],
        headers=bearer("member"),
    ).json()
    assert sorted(many["repos"]) == [f"{namespaces.mine}/{name}" for name in repos]
    assert many["repos"][f"{namespaces.mine}/{repos[0]}"] == single
    missing = client.get(
        f"{API}/namespaces/{namespaces.mine}/repos/no-such-repo/pulls", headers=bearer("member")
    )
    assert missing.status_code == 404


def test_many_repos_refuses_another_organizations_repository(
    client: TestClient, namespaces: Namespaces
) -> None:
    theirs = client.get(
        f"{API}/repos/pulls", params={"repos": f"{namespaces.theirs}/x"}, headers=bearer("member")
    )
    missing = client.get(
        f"{API}/repos/pulls", params={"repos": "no-such-namespace/x"}, headers=bearer("member")
    )
    assert theirs.status_code == missing.status_code == 404
    assert theirs.content == missing.content


@pytest.mark.parametrize(
    ("path", "params", "status"),
    [
        ("/repos/pulls", [], 422),
        ("/repos/pulls", [("repos", f"ns/r{i}") for i in range(51)], 400),
        ("/repos/pulls", [("repos", "no-slash")], 400),
        ("/repos/pulls", [("repos", "a/b/c")], 400),
        ("/namespaces/{mine}/pulls", [("timespan", "days")], 422),
        ("/namespaces/{mine}/pulls", [("period", "last-5-months")], 422),
        ("/namespaces/{mine}/pulls", [("group", "tag")], 422),
        ("/namespaces/{mine}/pulls/exports/years/abc/months", [], 422),
        ("/namespaces/{mine}/pulls/exports/years/0/months", [], 422),
        ("/namespaces/{mine}/pulls/exports/years/2026/days", [], 422),
        ("/namespaces/{mine}/pulls/exports/years/2026/months/13", [], 422),
        ("/namespaces/{mine}/pulls/exports/years/2026/weeks/54", [], 422),
        ("/namespaces/{mine}/pulls/exports/years/2027/weeks/53", [], 422),
        ("/namespaces/{mine}/pulls/exports/years/2026/months/6/bogus", [], 422),
    ],
)
def test_malformed_parameters_answer_400_or_422_with_a_message(
    client: TestClient,
    namespaces: Namespaces,
    path: str,
    params: list[tuple[str, str]],
    status: int,
) -> None:
    response = client.get(
        API + path.format(mine=namespaces.mine), params=params, headers=bearer("member")
    )
    assert response.status_code == status
    assert response.json()["detail"]


def test_fifty_repositories_are_allowed(client: TestClient, namespaces: Namespaces) -> None:
    params = [("repos", f"{namespaces.mine}/r{i}") for i in range(50)]
    # Within the limit, so the answer is about the (missing) repositories, not the count.
    assert (
        client.get(f"{API}/repos/pulls", params=params, headers=bearer("member")).status_code == 404
    )


# ---- export discovery ---------------------------------------------------------------


def test_export_years_months_and_weeks(client: TestClient, namespaces: Namespaces) -> None:
    base = f"{API}/namespaces/{namespaces.mine}/pulls/exports/years"
    assert client.get(base, headers=bearer("member")).json() == {"years": [{"year": 2026}]}
    months = client.get(f"{base}/2026/months", headers=bearer("member")).json()
    assert months == {"months": [{"month": 6}]}  # July: data through July 5 only
    weeks = client.get(f"{base}/2026/weeks", headers=bearer("member")).json()["weeks"]
    assert [w["week"] for w in weeks] == sorted(w["week"] for w in weeks) and {"week": 24} in weeks
    assert client.get(f"{base}/2026/months/6", headers=bearer("member")).json() == {"month": 6}
    assert client.get(f"{base}/2026/weeks/24", headers=bearer("member")).json() == {"week": 24}
    assert client.get(f"{base}/2025/months/6", headers=bearer("member")).status_code == 404
    assert client.get(f"{base}/2025/months", headers=bearer("member")).json() == {"months": []}


# ---- downloads ----------------------------------------------------------------------


def _format(value: object) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ")[:19]
    return str(value)


def _download_rows(
    client: TestClient, links: list[dict[str, object]]
) -> tuple[list[str], list[list[str]]]:
    header: list[str] = []
    rows: list[list[str]] = []
    for link in links:
        response = client.get(str(link["url"]))
        assert response.status_code == 200
        assert len(response.content) == link["size"]
        lines = list(csv.reader(io.StringIO(gzip.decompress(response.content).decode())))
        header = header or lines[0]
        assert lines[0] == header
        rows.extend(lines[1:])
    return header, rows


@pytest.mark.parametrize("timespan", ["months", "weeks"])
@pytest.mark.parametrize("view", list(DATAVIEWS))
def test_each_dataview_downloads_as_the_mart_it_came_from(
    client: TestClient,
    namespaces: Namespaces,
    warehouse: duckdb.DuckDBPyConnection,
    view: str,
    timespan: str,
) -> None:
    year, number = MONTH if timespan == "months" else WEEK
    path = (
        f"{API}/namespaces/{namespaces.mine}/pulls/exports/years/{year}/{timespan}/{number}/{view}"
    )
    response = client.get(path, headers=bearer("member"))
    assert response.status_code == 200
    links = response.json()["data"]
    assert links and all(set(link) == {"url", "size"} for link in links)
    header, rows = _download_rows(client, links)
    dataview = DATAVIEWS[view]
    assert header == dataview.header
    start = (
        datetime.date(year, number, 1)
        if timespan == "months"
        else datetime.date.fromisocalendar(year, number, 1)
    )
    expected = warehouse.execute(
        f"select {', '.join(dataview.mart_columns)} from {dataview.relation} "
        "where date_granularity = ? and date_reference = ? and namespace = ?",
        ["monthly" if timespan == "months" else "weekly", start, namespaces.mine],
    ).fetchall()
    assert expected, "the period has rows for the namespace"
    assert sorted(rows) == sorted([_format(value) for value in row] for row in expected)


def test_large_exports_are_split_into_bounded_files(
    client: TestClient, namespaces: Namespaces
) -> None:
    year, month = MONTH
    path = f"{API}/namespaces/{namespaces.mine}/pulls/exports/years/{year}/months/{month}/raw"
    links = client.get(path, headers=bearer("member")).json()["data"]
    assert len(links) > 1
    for link in links:
        body = gzip.decompress(client.get(link["url"]).content)
        assert len(body) <= 20_000 or body.count(b"\n") == 2


def _a_link(client: TestClient, namespaces: Namespaces) -> str:
    year, month = MONTH
    path = f"{API}/namespaces/{namespaces.mine}/pulls/exports/years/{year}/months/{month}/summary"
    url: str = client.get(path, headers=bearer("member")).json()["data"][0]["url"]
    return url


def test_a_download_link_needs_no_token_but_must_be_intact(
    client: TestClient, namespaces: Namespaces
) -> None:
    url = _a_link(client, namespaces)
    assert client.get(url).status_code == 200
    signature = url.rsplit("=", 1)[1]
    flipped = url[: -len(signature)] + ("0" if signature[0] != "0" else "1") + signature[1:]
    for tampered in [
        flipped,
        url.replace(f"/{namespaces.mine}/", f"/{namespaces.theirs}/"),
        url.replace("/summary/", "/raw/"),
        url.replace("expires=", "expires=9"),
        url.split("?")[0],
    ]:
        response = client.get(tampered)
        assert response.status_code == 403, tampered
        assert "signature" in response.json()["detail"] or "not signed" in response.json()["detail"]


def test_an_expired_link_answers_410(client: TestClient, namespaces: Namespaces) -> None:
    url = _a_link(client, namespaces)
    path = url.split("testserver", 1)[1].split("?")[0]
    seven_hours_ago = datetime.datetime.now(datetime.UTC).timestamp() - 7 * 3600
    expired = sign(SECRET, path, 6 * 3600, now=seven_hours_ago)
    response = client.get(expired)
    assert response.status_code == 410
    assert "expired" in response.json()["detail"]


def test_links_expire_after_six_hours(client: TestClient, namespaces: Namespaces) -> None:
    url = _a_link(client, namespaces)
    expires = int(url.split("expires=")[1].split("&")[0])
    now = datetime.datetime.now(datetime.UTC).timestamp()
    assert 6 * 3600 - 60 <= expires - now <= 6 * 3600


def test_a_link_for_a_part_that_does_not_exist_is_404(
    client: TestClient, namespaces: Namespaces
) -> None:
    url = _a_link(client, namespaces)
    path = url.split("testserver", 1)[1].split("?")[0]
    beyond = path.rsplit("/", 1)[0] + "/99"
    assert client.get(sign(SECRET, beyond, 600)).status_code == 404


def test_the_same_link_serves_the_same_bytes(client: TestClient, namespaces: Namespaces) -> None:
    first = client.get(_a_link(client, namespaces))
    second = client.get(_a_link(client, namespaces))
    assert first.status_code == second.status_code == 200
    assert first.content and first.content == second.content


# ---- security -----------------------------------------------------------------------


@pytest.mark.parametrize("name", list(SECURITY_REPORTS))
def test_security_reports_are_the_marts_rows_of_the_namespace(
    client: TestClient, namespaces: Namespaces, built_warehouse: BuiltWarehouse, name: str
) -> None:
    report = SECURITY_REPORTS[name]
    path = f"{API}/namespaces/{namespaces.mine}/security/{name}"
    body = client.get(path, headers=bearer("member")).json()
    assert body["report"] == name
    assert body["columns"] == ["namespace", *report.mart_columns]
    with duckdb.connect(str(built_warehouse.database), read_only=True) as connection:
        published, published_args = published_condition(data_complete_through(connection))
        ((expected,),) = connection.execute(
            f"select count(*) from {report.relation} where namespace = ? and {published}",
            [namespaces.mine, *published_args],
        ).fetchall()
    assert expected > 0, "the test dataset has no security rows for the member's namespace"
    assert len(body["rows"]) == expected
    assert {row["namespace"] for row in body["rows"]} == {namespaces.mine}
    assert all(row["repository"].startswith(f"{namespaces.mine}/") for row in body["rows"])
    if "weekly" in report.granularities:
        weekly = client.get(f"{path}?timespan=weeks", headers=bearer("member")).json()["rows"]
        assert weekly and {row["date_granularity"] for row in weekly} == {"weekly"}
    # The other organization's member reads its own namespace, not this one.
    assert client.get(path, headers=bearer("other")).status_code == 404


def test_security_details_are_sorted_by_severity(
    client: TestClient, namespaces: Namespaces
) -> None:
    path = f"{API}/namespaces/{namespaces.mine}/security/vulnerability-details"
    rows = client.get(path, headers=bearer("member")).json()["rows"]
    order = ["critical", "high", "medium", "low", "negligible", "unknown"]
    for repository in {row["repository"] for row in rows}:
        for digest in {row["manifest_digest"] for row in rows if row["repository"] == repository}:
            ranks = [
                order.index(row["severity"])
                for row in rows
                if row["repository"] == repository and row["manifest_digest"] == digest
            ]
            assert ranks == sorted(ranks)


def test_unknown_security_report_is_422(client: TestClient, namespaces: Namespaces) -> None:
    path = f"{API}/namespaces/{namespaces.mine}/security/no-such-report"
    assert client.get(path, headers=bearer("member")).status_code == 422
