"""Failed-token attempts are limited per client (429 with Retry-After, on an injected
clock), requests with a valid token are not, and every request, refused or not, is one
JSON line in the audit log. No warehouse is needed: none of these requests reads it."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

from fastapi.testclient import TestClient
from support.access_fixture import access_toml
from support.api_setup import API, TOKENS, bearer

from registry_insights.api.app import create_app
from registry_insights.api.config import ServerConfig, load_config
from registry_insights.api.ratelimit import FailedTokenLimiter
from registry_insights.api.routes.downloads import DOWNLOAD

T0 = datetime.datetime(2026, 8, 15, 12, tzinfo=datetime.UTC).timestamp()


def _config(folder: Path, **server: str | int) -> ServerConfig:
    path = folder / "api.toml"
    text = access_toml(
        {"alice": [TOKENS["member"]]},
        {"acme-org": (["acme"], ["alice"])},
        {"database": str(folder / "none.duckdb"), "signing_secret": "s", **server},
    )
    path.write_text(text, encoding="utf-8")
    return load_config(path)


def test_failed_tokens_are_limited_per_client_and_valid_ones_are_not(tmp_path: Path) -> None:
    config = _config(tmp_path, failed_token_limit=3, failed_token_window_seconds=60)
    now = [T0]
    app = create_app(config, clock=lambda: now[0])
    bad = {"Authorization": "Bearer guess"}
    with TestClient(app) as guesser, TestClient(app, client=("10.0.0.2", 1)) as neighbour:
        for _ in range(3):
            assert guesser.get(f"{API}/", headers=bad).status_code == 401
            now[0] += 10
        refused = guesser.get(f"{API}/", headers=bad)
        assert refused.status_code == 429
        assert refused.headers["retry-after"] == "30"  # the first failure leaves at T0 + 60
        assert guesser.get(f"{API}/namespaces").status_code == 429  # no token counts too
        # A valid token from the same client is served, and is not counted.
        for _ in range(5):
            assert guesser.get(f"{API}/", headers=bearer("member")).status_code == 200
        # Another client is not limited by the guesser.
        assert neighbour.get(f"{API}/", headers=bad).status_code == 401
        now[0] = T0 + 60  # the first failure left the window: one more attempt
        assert guesser.get(f"{API}/", headers=bad).status_code == 401
        assert guesser.get(f"{API}/", headers=bad).status_code == 429
        now[0] = T0 + 200
        assert guesser.get(f"{API}/", headers=bad).status_code == 401


def test_the_limiter_counts_failures_in_a_sliding_window() -> None:
    now = [0.0]
    limiter = FailedTokenLimiter(limit=2, window=10, clock=lambda: now[0])
    assert limiter.retry_after("a") is None
    limiter.record_failure("a")
    now[0] = 4
    limiter.record_failure("a")
    assert limiter.retry_after("a") == 6
    assert limiter.retry_after("b") is None
    now[0] = 9.5
    assert limiter.retry_after("a") == 1
    now[0] = 10
    assert limiter.retry_after("a") is None


def test_the_default_limit_is_ten_failures_a_minute(tmp_path: Path) -> None:
    config = _config(tmp_path)
    assert config.failed_token_limit == 10
    assert config.failed_token_window == datetime.timedelta(seconds=60)
    assert config.audit_log == Path("logs/api-audit.jsonl")


def test_every_request_is_one_audit_line(tmp_path: Path) -> None:
    log = tmp_path / "audit" / "api.jsonl"
    config = _config(tmp_path, audit_log=str(log), failed_token_limit=1)
    app = create_app(config, clock=lambda: T0)
    link = f"{API}/downloads/acme/summary/monthly/2026-06-01/0?expires=1&signature=x"
    with TestClient(app) as client:
        requests = [
            (f"{API}/", bearer("member"), 200),
            (f"{API}/", {"Authorization": f"Bearer {TOKENS['member']}x"}, 401),
            (f"{API}/namespaces/other", {}, 429),
            (f"{API}/namespaces/other", bearer("member"), 404),
            (link, {}, 403),
            ("/no/such/path", {}, 404),
        ]
        for path, headers, status in requests:
            assert client.get(path, headers=headers).status_code == status, path
    lines = [json.loads(line) for line in log.read_text(encoding="ascii").splitlines()]
    when = "2026-08-15T12:00:00+00:00"
    template = f"{API}/namespaces/{{namespace}}"
    download = API + DOWNLOAD
    assert [{k: v for k, v in line.items() if k != "method"} for line in lines] == [
        {"when": when, "account": "alice", "namespace": None, "endpoint": f"{API}/", "status": 200},
        {"when": when, "account": None, "namespace": None, "endpoint": f"{API}/", "status": 401},
        {"when": when, "account": None, "namespace": "other", "endpoint": template, "status": 429},
        {
            "when": when,
            "account": "alice",
            "namespace": "other",
            "endpoint": template,
            "status": 404,
        },
        {"when": when, "account": None, "namespace": "acme", "endpoint": download, "status": 403},
        {"when": when, "account": None, "namespace": None, "endpoint": None, "status": 404},
    ]
    assert {line["method"] for line in lines} == {"GET"}
    text = log.read_text(encoding="ascii")
    assert TOKENS["member"] not in text and "testclient" not in text and "expires" not in text
