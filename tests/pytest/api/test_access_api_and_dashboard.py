"""The Data API and the dashboard read one access file with one loader: for any file
and any token, the namespaces the API serves (`GET /`) are the ones the dashboard shows."""

from __future__ import annotations

import tempfile
from pathlib import Path

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.access_fixture import Organizations, access_toml

from registry_insights.api.app import API_PREFIX, create_app
from registry_insights.api.config import load_config
from registry_insights.dashboard.access import load_access

ACCOUNTS = ("alice", "bob", "carol")
NAMESPACE_POOL = ("acme", "acme-labs", "globex", "initech")
UNKNOWN_TOKEN = "nobody-has-this-token"

#: account -> its plain tokens (an account may have none, one or two)
token_sets = st.fixed_dictionaries(
    {
        account: st.lists(st.sampled_from([f"{account}-1", f"{account}-2"]), unique=True)
        for account in ACCOUNTS
    }
)
#: organization -> (namespaces, members); overlaps, empty organizations, non-members
organization_sets = st.dictionaries(
    st.sampled_from(("org-a", "org-b", "org-c")),
    st.tuples(
        st.lists(st.sampled_from(NAMESPACE_POOL), unique=True),
        st.lists(st.sampled_from(ACCOUNTS), unique=True),
    ),
)


def _api_grants(client: TestClient, token: str | None) -> frozenset[str]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = client.get(f"{API_PREFIX}/", headers=headers)
    if response.status_code == 401:
        return frozenset()
    assert response.status_code == 200, response.text
    return frozenset(response.json()["namespaces"])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tokens=token_sets, organizations=organization_sets)
def test_the_api_and_the_dashboard_grant_the_same_namespaces(
    tokens: dict[str, list[str]], organizations: Organizations
) -> None:
    server = {"database": "unused.duckdb", "signing_secret": "s"}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "api.toml"
        path.write_text(access_toml(tokens, organizations, server), encoding="utf-8")
        api_config = load_config(path)
        dashboard_policy = load_access(path)
    configured = [token for plain in tokens.values() for token in plain]
    with TestClient(create_app(api_config)) as client:
        for token in [*configured, UNKNOWN_TOKEN, None]:
            granted = dashboard_policy.allowed_namespaces(token)
            assert granted == _api_grants(client, token), token
    # And the grants are the membership rule itself, not merely equal to each other.
    for account, plain in tokens.items():
        expected = frozenset(
            ns for owned, members in organizations.values() if account in members for ns in owned
        )
        for token in plain:
            assert dashboard_policy.allowed_namespaces(token) == expected
