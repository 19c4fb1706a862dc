"""Signed download links: exactly one spelling of a link is served; every other spelling,
however odd, answers 403 (never 500), a link's base is the configured public URL (never
the request's Host), its lifetime is configurable, and a link dies with its account's
access to the namespace."""

from __future__ import annotations

import dataclasses
import datetime
import tomllib
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from support.access_fixture import Organizations, access_toml
from support.api_setup import API, SECRET, TOKENS, Namespaces, bearer, make_config, pick_namespaces
from support.warehouse_build import BuiltWarehouse

from registry_insights.access import parse_access
from registry_insights.api.app import create_app
from registry_insights.api.config import ConfigError, ServerConfig, load_config
from registry_insights.api.signing import LinkRefused, sign, verify

MONTH = "2026/months/6"
NOW = datetime.datetime(2026, 8, 15, 12, tzinfo=datetime.UTC).timestamp()


@pytest.fixture(scope="module")
def namespaces(built_warehouse: BuiltWarehouse) -> Namespaces:
    return pick_namespaces(built_warehouse.database)


@pytest.fixture(scope="module")
def config(
    built_warehouse: BuiltWarehouse,
    namespaces: Namespaces,
    tmp_path_factory: pytest.TempPathFactory,
) -> ServerConfig:
    return make_config(built_warehouse, tmp_path_factory.mktemp("links"), namespaces)


@pytest.fixture(scope="module")
def client(config: ServerConfig) -> Iterator[TestClient]:
    with TestClient(create_app(config, clock=lambda: NOW)) as test_client:
        yield test_client


def links(client: TestClient, namespace: str, headers: dict[str, str] | None = None) -> list[str]:
    response = client.get(
        f"{API}/namespaces/{namespace}/pulls/exports/years/{MONTH}/summary",
        headers={**bearer("member"), **(headers or {})},
    )
    assert response.status_code == 200, response.text
    return [str(file["url"]) for file in response.json()["data"]]


@pytest.fixture(scope="module")
def link(client: TestClient, namespaces: Namespaces) -> str:
    """A valid link, relative to the server: `/api/...?expires=...&signature=...`."""
    return links(client, namespaces.mine)[0].removeprefix("http://testserver")


# ---- the three answers 500 of issue 15, and their kin ----------------------------------


def _with_query(link: str, query: str) -> str:
    return link.split("?")[0] + "?" + query


def _parts(link: str) -> tuple[str, str]:
    query = link.split("?")[1]
    expires, signature = (item.split("=")[1] for item in query.split("&"))
    return expires, signature


@pytest.mark.parametrize(
    "expires",
    ["%C2%B2", "\u00b2", "0" * 5000 + "1", "9" * 5000, "1" * 4301, "%D9%A1%D9%A2",
     "\uff11\uff12", "", "-1"],
    ids=["superscript", "superscript-raw", "5000-zeros", "5000-nines", "4301-digits", "arabic",
         "fullwidth", "empty", "negative"],
)  # fmt: skip
def test_odd_expiry_values_answer_403(client: TestClient, link: str, expires: str) -> None:
    _, signature = _parts(link)
    response = client.get(_with_query(link, f"expires={expires}&signature={signature}"))
    assert response.status_code == 403
    assert response.json() == {"detail": "download link is not signed or malformed"}


@pytest.mark.parametrize("signature", ["é" * 64, "%C3%A9" * 64, "ü", "A" * 64, "0" * 63, ""])
def test_odd_signatures_answer_403(client: TestClient, link: str, signature: str) -> None:
    expires, _ = _parts(link)
    response = client.get(_with_query(link, f"expires={expires}&signature={signature}"))
    assert response.status_code == 403


def test_verify_never_raises_anything_but_link_refused() -> None:
    path = f"{API}/downloads/acme/summary/monthly/2026-06-01/0"
    for query in ["expires=²&signature=" + "0" * 64, "expires=1&signature=" + "é" * 64,
                  "expires=" + "9" * 5000 + "&signature=" + "0" * 64]:  # fmt: skip
        with pytest.raises(LinkRefused) as refused:
            verify(SECRET, path, path, query, ["alice"], NOW)
        assert refused.value.status == 403


# ---- exactly one spelling --------------------------------------------------------------


def test_the_link_as_handed_out_is_served(client: TestClient, link: str) -> None:
    assert client.get(link).status_code == 200


def _respell(link: str, segment: int, spelling: str) -> str:
    path, query = link.split("?")
    parts = path.split("/")
    parts[segment] = spelling
    return "/".join(parts) + "?" + query


@pytest.mark.parametrize(
    ("segment", "spelling"),
    [(-1, "00"), (-1, "+0"), (-1, "0.0"), (-1, "%30"), (-1, "\uff10"), (-1, "-0"),
     (-2, "2026-06-01T00:00:00"), (-2, "2026-06-01T00:00:00Z"), (-2, "20260601"),
     (-2, "2026-06-01%20"), (-3, "%6Donthly"), (-4, "%73ummary"), (-4, "SUMMARY")],
)  # fmt: skip
def test_other_spellings_of_the_path_answer_403(
    client: TestClient, link: str, segment: int, spelling: str
) -> None:
    assert client.get(_respell(link, segment, spelling)).status_code == 403


def test_other_spellings_of_the_query_answer_403(client: TestClient, link: str) -> None:
    expires, signature = _parts(link)
    e, s = f"expires={expires}", f"signature={signature}"
    for query in [
        f"{s}&{e}",  # reordered
        f"expires=0{expires}&{s}",  # leading zero
        f"expires=1&{e}&{s}",  # a duplicated expires, the last one valid
        f"{e}&{s}&expires=1",
        f"{e}&{e}&{s}",
        f"{e}&{s}&{s}",  # a duplicated signature
        f"{e}&{s}&extra=1",
        f"{e};{s}",
        f"{e}&{s}&",
        f"expires%3D{expires}&{s}",
        f"{e}&signature={signature.upper()}",
        f"expires=+{expires}&{s}",
        f"expires={expires}.0&{s}",
    ]:
        assert client.get(_with_query(link, query)).status_code == 403, query


def test_other_paths_under_downloads_answer_403(client: TestClient, link: str) -> None:
    path, query = link.split("?")
    for other in [path + "/", path + "/extra", path.rsplit("/", 1)[0], f"{API}/downloads/x"]:
        assert client.get(f"{other}?{query}").status_code == 403, other


#: One component of the link, replaced by any text (ASCII or not).
_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12)


@st.composite
def mutations(draw: st.DrawFn, link: str) -> str:
    path, query = link.split("?")
    segments = path.split("/")
    expires, signature = _parts(link)
    where = draw(st.sampled_from(["segment", "expires", "signature", "query", "insert"]))
    if where == "segment":
        index = draw(st.integers(len(segments) - 5, len(segments) - 1))
        segments[index] = quote(draw(_TEXT), safe=draw(st.sampled_from(["", "/+:.", "%"])))
        return "/".join(segments) + "?" + query
    if where == "expires":
        value = draw(st.one_of(_TEXT, st.integers(0, 10**15).map(str)).map(quote))
        return f"{path}?expires={value}&signature={signature}"
    if where == "signature":
        value = draw(st.one_of(_TEXT, st.text("0123456789abcdefABCDEF", max_size=70)).map(quote))
        return f"{path}?expires={expires}&signature={value}"
    if where == "query":
        items = [f"expires={expires}", f"signature={signature}"]
        extra = draw(st.lists(st.sampled_from([*items, "a=b", "", "expires=1"]), max_size=3))
        order = draw(st.permutations(items + extra))
        return f"{path}?{'&'.join(order)}"
    position = draw(st.integers(0, len(link)))
    return link[:position] + quote(draw(_TEXT.filter(bool)), safe="/?&=") + link[position:]


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.filter_too_much],
)
@given(data=st.data())
def test_every_mutation_of_a_link_answers_403(
    client: TestClient, link: str, data: st.DataObject
) -> None:
    mutated = data.draw(mutations(link))
    # What the client really sends (httpx normalises some spellings, e.g. dot segments).
    sent = httpx.URL("http://testserver" + mutated)
    assume(sent.raw_path != httpx.URL("http://testserver" + link).raw_path)
    assume(sent.raw_path.startswith(API.encode() + b"/downloads/"))
    response = client.get(sent)
    assert response.status_code == 403, (mutated, response.text)


# ---- the links' base: configured, never the request's Host ----------------------------


def test_links_use_the_public_url_not_the_host_header(
    config: ServerConfig, namespaces: Namespaces
) -> None:
    public = dataclasses.replace(config, public_url="https://data.example.org/analytics")
    with TestClient(create_app(public)) as client:
        urls = links(client, namespaces.mine, {"Host": "attacker.example"})
        forwarded = links(client, namespaces.mine, {"X-Forwarded-Host": "attacker.example"})
    for url in urls + forwarded:
        assert url.startswith(f"https://data.example.org/analytics{API}/downloads/"), url
        assert "attacker" not in url


def test_the_public_url_defaults_to_the_bind_address(tmp_path: Path) -> None:
    path = tmp_path / "api.toml"
    path.write_text(access_toml({}, {}, {"signing_secret": "s"}), encoding="utf-8")
    assert load_config(path).public_url == "http://127.0.0.1:8000"
    assert load_config(path, host="10.1.2.3", port=9000).public_url == "http://10.1.2.3:9000"
    assert load_config(path, host="::1", port=9000).public_url == "http://[::1]:9000"
    path.write_text(
        access_toml({}, {}, {"signing_secret": "s", "public_url": "https://x.example/"}),
        encoding="utf-8",
    )
    assert load_config(path, host="10.1.2.3").public_url == "https://x.example"


@pytest.mark.parametrize(
    ("key", "value"),
    [("public_url", "attacker.example"), ("public_url", "ftp://x"), ("public_url", 3),
     ("link_lifetime_seconds", 0), ("link_lifetime_seconds", "6h"),
     ("link_lifetime_seconds", 10**9), ("failed_token_limit", -1)],
)  # fmt: skip
def test_bad_server_settings_are_refused(tmp_path: Path, key: str, value: object) -> None:
    path = tmp_path / "api.toml"
    server = {"signing_secret": "s", key: value}
    path.write_text(access_toml({}, {}, server), encoding="utf-8")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match=key):
        load_config(path)


# ---- lifetime and revocation ------------------------------------------------------------


def test_the_link_lifetime_is_configurable(config: ServerConfig, namespaces: Namespaces) -> None:
    short = dataclasses.replace(config, link_lifetime=datetime.timedelta(minutes=10))
    clock = [NOW]
    with TestClient(create_app(short, clock=lambda: clock[0])) as client:
        url = links(client, namespaces.mine)[0]
        assert int(_parts(url)[0]) == int(NOW) + 600
        clock[0] = NOW + 599
        assert client.get(url).status_code == 200
        clock[0] = NOW + 600
        assert client.get(url).status_code == 410


def test_the_default_lifetime_is_six_hours(tmp_path: Path) -> None:
    path = tmp_path / "api.toml"
    path.write_text(access_toml({}, {}, {"signing_secret": "s"}), encoding="utf-8")
    assert load_config(path).link_lifetime == datetime.timedelta(hours=6)


def _changed_access(namespaces: Namespaces, change: str) -> str:
    """The access file after alice's access to `namespaces.mine` ended in one way."""
    alice: dict[str, list[str]] = {"alice": [TOKENS["member"]]}
    organizations: Organizations = {"bobs-org": ([namespaces.theirs], ["bob"])}
    if change == "left the organization":  # still a member of another one
        organizations = {
            **organizations,
            "alices-org": ([namespaces.mine], []),
            "other-org": (["elsewhere"], ["alice"]),
        }
    elif change == "organization lost the namespace":
        organizations = {**organizations, "alices-org": (["elsewhere"], ["alice"])}
    else:
        alice = {}
    return access_toml({"bob": [TOKENS["other"]], **alice}, organizations)


@pytest.mark.parametrize(
    "change", ["left the organization", "organization lost the namespace", "account deleted"]
)
def test_a_link_dies_with_its_accounts_access(
    config: ServerConfig, namespaces: Namespaces, change: str
) -> None:
    with TestClient(create_app(config)) as client:
        url = links(client, namespaces.mine)[0]
        assert client.get(url).status_code == 200
    access = parse_access(tomllib.loads(_changed_access(namespaces, change)))
    with TestClient(create_app(dataclasses.replace(config, access=access))) as client:
        response = client.get(url)
    assert response.status_code == 403
    assert "account" in response.json()["detail"]


def test_a_link_signed_for_no_account_is_never_served(client: TestClient, link: str) -> None:
    unbound = sign(SECRET, link.split("?")[0], 600, now=NOW)
    assert client.get(unbound).status_code == 403


def test_a_link_is_bound_to_the_account_not_named_in_it(client: TestClient, link: str) -> None:
    assert "alice" not in link
    path = link.split("?")[0]
    forged = sign(SECRET, path, 600, now=NOW, account="bob")  # bob may not read it
    assert client.get(forged).status_code == 403
    assert client.get(sign(SECRET, path, 600, now=NOW, account="alice")).status_code == 200
