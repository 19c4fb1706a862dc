"""The reverse-proxy (nginx) access-log adapter: the real lines of the shared research,
fixtures that follow each log_format exactly, `registry-insights ingest`, the join with
notifications and what a log without the Docker-Content-Digest costs the classification."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pyarrow.dataset as ds
import pytest
from support.registry_samples import OCI_INDEX, OCI_MANIFEST, digest_of, envelope, event
from typer.testing import CliRunner

from registry_insights.cli import app
from registry_insights.ingest.inputs import InputError
from registry_insights.ingest.log_lines import LoggedRequest, Malformed, NotARequest
from registry_insights.ingest.sources.ingest import detect_source
from registry_insights.ingest.sources.nginx import FileOrderParser, parse_nginx_line
from registry_insights.pull_actions import ManifestRequest, classify

INDEX = digest_of("index")
AMD64 = digest_of("amd64")
LAYER = digest_of("layer")
CTR = "containerd/1.6.20"

# Real lines, verbatim from ../shared/reference/registry-formats/8-nginx-proxy.md.
REAL_COMBINED = (
    '54.184.78.250 - - [23/Jun/2021:20:40:10 +0000] "GET /v2/library/nginx/blobs/'
    'sha256:b82f7f888feb03d38fed4dad68d7265a8b276f1f0c543d549fc6ef30b42c00eb HTTP/1.1" 200 667'
    ' "" "docker/20.10.4 go/go1.16.3 git-commit/363e9a88a11be517d9e8c65c998ff56f774eb4dc'
    ' kernel/5.10.35 os/linux arch/amd64 UpstreamClient(Go-http-client/1.1)"'
)
_HARBOR_UA = (
    "docker/20.10.9 go/go1.16.8 git-commit/79ea9d3 kernel/5.4.0-89-generic os/linux"
    r" arch/amd64 UpstreamClient(Apache-HttpClient/4.5.5 \x5C(Java/1.8.0_302\x5C))"
)
REAL_TIMED_HEAD = (
    '[25/Nov/2021:15:28:20 +0000]:10.42.80.0 - "HEAD /v2/cariti/catalog/blobs/'
    'sha256:7fc152dfb3a6b5c9a436b49ff6cd72ed7eb5f1fd349128b50ee04c3c5c2355fb HTTP/1.1"'
    f' 200 0 "-" "{_HARBOR_UA}" 0.256 0.256 .'
)
REAL_TIMED_PUT = (
    '[25/Nov/2021:15:28:20 +0000]:10.42.80.0 - "PUT /v2/cariti/portfolio/manifests/'
    f'2.1.2-SNAPSHOT HTTP/1.1" 201 0 "-" "{_HARBOR_UA}" 3.043 3.044 .'
)
REAL_PROXY_JSON = (
    '{"access_time":"15/Dec/2020:23:32:36 +0000","upstream_cache_status":"MISS","method":"GET",'
    '"uri":"/v2/library/ubuntu/manifests/sha256:4e4bc990609ed865e07afc8427c30ffdddca5153fd4e82'
    'c20d8f0783a291e241","request_type":"manifest-by-digest","status":"200","bytes_sent":"943",'
    '"upstream_response_time":"0.772","host":"registry-1.docker.io","proxy_host":'
    '"registry-1.docker.io","upstream":"18.213.137.78:443"}'
)


def combined(
    method: str,
    uri: str,
    *,
    status: int = 200,
    size: int = 401,
    ua: str = CTR,
    when: str = "28/Nov/2026:04:14:51 +0000",
    user: str = "-",
) -> str:
    """nginx's predefined ``combined``; nginx writes ``"`` inside a value as ``\\x22``."""
    agent = ua.replace('"', "\\x22")
    return f'203.0.113.7 - {user} [{when}] "{method} {uri} HTTP/1.1" {status} {size} "-" "{agent}"'


def timed(
    method: str,
    uri: str,
    *,
    status: int = 200,
    size: int = 401,
    ua: str = CTR,
    when: str | None = "28/Nov/2026:04:14:51 +0000",
) -> str:
    """Harbor's ``timed_combined`` (with the Helm chart's time prefix when ``when``)."""
    prefix = f"[{when}]:" if when else ""
    return (
        f'{prefix}203.0.113.7 - "{method} {uri} HTTP/1.1" {status} {size} "-" "{ua}" 0.004 0.004 .'
    )


def json_access(
    method: str,
    uri: str,
    *,
    status: int = 200,
    size: int = 401,
    ua: str = CTR,
    msec: str = "1795839291.100",
    digest: str = "",
    request_id: str = "",
    content_type: str = OCI_MANIFEST,
    user: str = "",
) -> str:
    """The ``registry_insights`` log_format of docs/registry-sources.md, as nginx writes it."""
    return json.dumps(
        {
            "msec": msec,
            "request_id": request_id or digest_of(f"{method}{uri}{msec}")[7:39],
            "remote_addr": "203.0.113.7",
            "x_forwarded_for": "",
            "remote_user": user,
            "method": method,
            "uri": uri,
            "status": str(status),
            "body_bytes_sent": str(size),
            "user_agent": ua,
            "docker_content_digest": digest,
            "content_type": content_type,
            "request_time": "0.004",
        }
    )


def parsed(line: str) -> LoggedRequest:
    result = parse_nginx_line(line, 1)
    assert isinstance(result, LoggedRequest), result
    return result


def test_real_combined_line_is_a_blob_get() -> None:
    request = parsed(REAL_COMBINED)
    assert (request.http_method, request.api.object_type) == ("GET", "blob")
    assert request.api.repository == "library/nginx"
    assert request.status_code == 200 and request.response_bytes == 667
    assert request.client_ip == "54.184.78.250"
    assert request.user_agent is not None and request.user_agent.startswith("docker/20.10.4 ")
    assert request.occurred_at == datetime.datetime(2021, 6, 23, 20, 40, 10, tzinfo=datetime.UTC)
    assert request.response_digest is None and request.account_id is None


def test_real_harbor_timed_combined_lines() -> None:
    head = parsed(REAL_TIMED_HEAD)
    assert (head.http_method, head.api.object_type, head.api.repository) == (
        "HEAD",
        "blob",
        "cariti/catalog",
    )
    assert head.client_ip == "10.42.80.0" and head.response_bytes == 0
    assert head.user_agent is not None and head.user_agent.endswith("(Java/1.8.0_302\\))")
    assert parse_nginx_line(REAL_TIMED_PUT, 2) == NotARequest("push_or_delete")


def test_real_proxy_json_line_has_no_client() -> None:
    request = parsed(REAL_PROXY_JSON)
    assert request.api.reference.startswith("sha256:4e4bc99")
    assert request.response_bytes == 943 and request.client_ip is None
    assert request.occurred_at == datetime.datetime(2020, 12, 15, 23, 32, 36, tzinfo=datetime.UTC)


def test_documented_formats_give_the_same_request() -> None:
    uri = "/v2/acme/multi/manifests/v2"
    lines = [
        combined("HEAD", uri, size=0),
        timed("HEAD", uri, size=0),
        json_access("HEAD", uri, size=0, msec="1795839291.000"),
    ]
    requests = [parsed(line) for line in lines]
    shapes = {
        (
            r.occurred_at,
            r.http_method,
            r.api,
            r.status_code,
            r.response_bytes,
            r.client_ip,
            r.user_agent,
        )
        for r in requests
    }
    assert len(shapes) == 1
    assert len({r.request_id for r in requests}) == 3


def test_json_format_fills_digest_user_and_millisecond_time() -> None:
    request = parsed(
        json_access(
            "GET", "/v2/acme/multi/manifests/v2", digest=INDEX, user="alice", request_id="ab12"
        )
    )
    assert request.response_digest == INDEX and request.account_id == "alice"
    assert request.request_id == "nginx-ab12"
    assert request.occurred_at.microsecond == 100_000
    assert request.content_type == OCI_MANIFEST


def test_escapes_user_and_collector_prefix() -> None:
    request = parsed(combined("GET", f"/v2/alpine/blobs/{LAYER}", ua='curl "x"', user="bob"))
    assert request.user_agent == 'curl "x"' and request.account_id == "bob"
    assert request.api.repository == "library/alpine"
    prefixed = parsed("2026-11-28T04:14:51.5Z " + timed("GET", f"/v2/a/b/blobs/{LAYER}", when=None))
    assert prefixed.occurred_at.second == 51


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (timed("GET", f"/v2/a/b/blobs/{LAYER}", when=None), "no time"),
        ('{"method": "GET"', "invalid JSON"),
        ("[1, 2]", "neither combined"),
        ('{"uri": "/v2/a/b/manifests/x"}', "JSON access-log line without method"),
        ("garbage", "neither combined"),
    ],
)
def test_rejected_lines_have_reasons(line: str, reason: str) -> None:
    result = parse_nginx_line(line, 1)
    assert isinstance(result, Malformed) and result.reason.startswith(reason), result


#: Real lines nginx 1.22 wrote when skopeo tried TLS on the plain-HTTP port first
#: (test_nginx_end_to_end.py), shortened.
TLS_PROBE = (
    '127.0.0.1 - - [06/Dec/2026:03:10:06 +0000] "\\x16\\x03\\x01\\x00\\xDE\\x01\\x00'
    '\\x00\\xDA\\x03\\x032\\xF7\\xCC=\\xF7\\x12\\xB4" 400 157 "-" "-"'
)
TLS_PROBE_JSON = (
    '{"msec":"1796526606.802","request_id":"1566d79d83eba88e56bfe0cd3afc88a0",'
    '"remote_addr":"127.0.0.1","x_forwarded_for":"","remote_user":"","method":"","uri":"",'
    '"status":"400","body_bytes_sent":"157","user_agent":"","docker_content_digest":"",'
    '"content_type":"","request_time":"0.000"}'
)


def test_invalid_http_requests_are_counted_not_rejected() -> None:
    for line in (TLS_PROBE, TLS_PROBE_JSON):
        assert parse_nginx_line(line, 1) == NotARequest("invalid_http_request")
    broken = combined("GET", "/v2/").replace('"GET /v2/ HTTP/1.1" 200', '"GET" 200')
    assert isinstance(parse_nginx_line(broken, 1), Malformed)


def test_other_endpoints_are_counted_not_requests() -> None:
    assert parse_nginx_line(combined("GET", "/v2/"), 1) == NotARequest("api_base")
    assert parse_nginx_line(combined("GET", "/v2/a/b/tags/list"), 1) == NotARequest("tags_list")
    assert parse_nginx_line(combined("GET", "/favicon.ico"), 1) == NotARequest("not_registry_api")


#: containerd's pull of a multi-arch tag, with what the registry answers to each.
CTR_STEPS = [
    ("HEAD", "/v2/acme/multi/manifests/v2", 0, INDEX, OCI_INDEX, "1795839291.100"),
    ("GET", f"/v2/acme/multi/manifests/{INDEX}", 500, INDEX, OCI_INDEX, "1795839291.200"),
    ("GET", f"/v2/acme/multi/manifests/{AMD64}", 401, AMD64, OCI_MANIFEST, "1795839291.300"),
    (
        "GET",
        f"/v2/acme/multi/blobs/{LAYER}",
        900,
        LAYER,
        "application/octet-stream",
        "1795839291.400",
    ),
]


def second_of(offset: int) -> str:
    """One second per request, as a slow client sends them."""
    return f"28/Nov/2026:04:14:{51 + offset} +0000"


def ctr_pull(fmt: str, with_digest: bool = True) -> list[str]:
    """containerd's pull of a multi-arch tag: HEAD tag, GET index by digest, GET the
    platform manifest, GET a layer (what `ctr pull` sends)."""
    steps = CTR_STEPS
    if fmt == "combined":
        return [combined(m, u, size=s, when=second_of(i)) for i, (m, u, s, *_) in enumerate(steps)]
    if fmt == "timed_combined":
        return [timed(m, u, size=s, when=second_of(i)) for i, (m, u, s, *_) in enumerate(steps)]
    return [
        json_access(m, u, size=s, digest=d if with_digest else "", content_type=c, msec=t)
        for m, u, s, d, c, t in steps
    ]


def ingest(tmp_path: Path, *args: str) -> str:
    result = CliRunner().invoke(
        app, ["ingest", *args, "--raw-path", str(tmp_path / "raw"), "--no-progress"]
    )
    assert result.exit_code == 0, result.output
    return result.output


def raw_rows(tmp_path: Path) -> list[dict[str, object]]:
    table = ds.dataset(tmp_path / "raw" / "raw_registry_requests", format="parquet").to_table()
    return sorted(table.to_pylist(), key=lambda row: (row["occurred_at"], row["event_id"]))


def actions(tmp_path: Path, repository: str = "acme/multi") -> list[str]:
    requests = [
        ManifestRequest(
            event_id=str(row["event_id"]),
            occurred_at=row["occurred_at"],  # type: ignore[arg-type]
            http_method=str(row["http_method"]),
            repository=str(row["repository"]),
            reference=str(row["reference"]),
            response_digest=row["response_digest"],  # type: ignore[arg-type]
            client_ip=row["client_ip"],  # type: ignore[arg-type]
            user_agent=row["user_agent"],  # type: ignore[arg-type]
            account_id=row["account_id"],  # type: ignore[arg-type]
            status_code=int(row["status_code"]),  # type: ignore[call-overload]
        )
        for row in raw_rows(tmp_path)
        if row["object_type"] == "manifest" and row["repository"] == repository
    ]
    return [a.action for a in sorted(classify(requests), key=lambda a: a.start.occurred_at)]


#: What each format tells the classification about a containerd/docker pull by tag
#: (HEAD tag, GET by digest): only the JSON format's Docker-Content-Digest pairs them.
DIGEST_COST = {
    "json": ["pull_by_tag"],
    "json without digest": ["version_check", "pull_by_digest"],
    "combined": ["version_check", "pull_by_digest"],
    "timed_combined": ["version_check", "pull_by_digest"],
}


@pytest.mark.parametrize("fmt", list(DIGEST_COST))
def test_cost_of_a_log_without_the_digest(tmp_path: Path, fmt: str) -> None:
    log = tmp_path / "access.log"
    log.write_text("\n".join(ctr_pull(fmt.split()[0], with_digest=fmt == "json")) + "\n")
    output = ingest(tmp_path, "--source", "nginx", str(log))
    assert "written: 4 row(s)" in output
    assert actions(tmp_path) == DIGEST_COST[fmt]


def test_notifications_give_a_combined_log_its_digests(tmp_path: Path) -> None:
    log = tmp_path / "access.log"
    log.write_text("\n".join(ctr_pull("combined")) + "\n")
    events = tmp_path / "events.json"
    stamp = "2026-11-28T04:14:50.9{}Z"
    events.write_text(
        envelope(
            event(
                "r1",
                "acme/multi",
                INDEX,
                method="HEAD",
                tag="v2",
                media_type=OCI_INDEX,
                useragent=CTR,
                timestamp=stamp.format(1),
            ),
            event(
                "r2",
                "acme/multi",
                INDEX,
                media_type=OCI_INDEX,
                useragent=CTR,
                timestamp=stamp.format(2),
            ),
            event("r3", "acme/multi", AMD64, useragent=CTR, timestamp=stamp.format(3)),
            event("r4", "acme/other", AMD64, useragent=CTR, timestamp=stamp.format(4)),
        )
    )
    output = ingest(tmp_path, str(log), "--notifications", str(events))
    assert "source: nginx (detected)" in output
    assert "rows: 3 joined, 1 log only, 1 notification only" in output
    rows = {
        row["reference"]: row for row in raw_rows(tmp_path) if row["repository"] == "acme/multi"
    }
    assert rows["v2"]["response_digest"] == INDEX and rows["v2"]["media_type"] == OCI_INDEX
    assert rows["v2"]["client_ip"] == "203.0.113.7"
    assert actions(tmp_path) == ["pull_by_tag"]
    assert actions(tmp_path, "acme/other") == ["pull_by_digest"]


def test_second_ingest_writes_nothing_and_rejections_are_listed(tmp_path: Path) -> None:
    log = tmp_path / "access.log"
    lines = [*ctr_pull("json"), "not a line", timed("GET", "/v2/a/b/manifests/x", when=None)]
    log.write_text("\n".join(lines) + "\n")
    first = ingest(tmp_path, "--source", "nginx", str(log))
    assert "written: 4 row(s)" in first
    assert "line rejected (neither combined, timed_combined nor the JSON" in first
    assert "at line(s) 5" in first and "at line(s) 6" in first
    second = ingest(tmp_path, "--source", "nginx", str(log))
    assert "written: 0 row(s)" in second and "already present under the raw path: 4" in second
    assert "rejected 2 line(s)" in second


def test_detection(tmp_path: Path) -> None:
    access = tmp_path / "access.log"
    access.write_text(REAL_COMBINED + "\n")
    assert detect_source(access) == "nginx"
    access_json = tmp_path / "registry.json"
    access_json.write_text("\n".join(ctr_pull("json")) + "\n")
    assert detect_source(access_json) == "nginx"
    registry = tmp_path / "registry.log"
    registry.write_text(
        '{"level":"info","msg":"listening","time":"2026-11-28T04:14:45Z"}\n' + REAL_COMBINED + "\n"
    )
    assert detect_source(registry) == "distribution"
    other = tmp_path / "other.log"
    other.write_text("hello\n")
    with pytest.raises(InputError):
        detect_source(other)
    with pytest.raises(InputError):
        detect_source("-")


def test_unknown_source_and_alias_exit_2(tmp_path: Path) -> None:
    log = tmp_path / "access.log"
    log.write_text(REAL_COMBINED + "\n")
    result = CliRunner().invoke(
        app, ["ingest", "--source", "quay", str(log), "--raw-path", str(tmp_path / "raw")]
    )
    assert result.exit_code == 2 and "unknown source 'quay'" in result.output


def test_time_local_ties_keep_the_file_order() -> None:
    """``$time_local`` keeps whole seconds (a HEAD and its GET share one time); the
    ingest keeps the log's order by moving the n-th of equal times n microseconds."""
    uri = "/v2/acme/multi/manifests/v2"
    lines = [combined(m, uri) for m in ("HEAD", "GET", "GET")]
    assert parsed(lines[0]).occurred_at == parsed(lines[1]).occurred_at
    parser = FileOrderParser()
    first, second, third = (parser(line, n) for n, line in enumerate(lines, start=1))
    assert isinstance(first, LoggedRequest) and isinstance(second, LoggedRequest)
    assert isinstance(third, LoggedRequest)
    assert second.occurred_at - first.occurred_at == datetime.timedelta(microseconds=1)
    assert third.occurred_at - first.occurred_at == datetime.timedelta(microseconds=2)
    later = parser(combined("GET", uri, when=second_of(1)), 4)
    assert isinstance(later, LoggedRequest) and later.occurred_at.microsecond == 0


def test_same_second_pull_classifies_in_log_order(tmp_path: Path) -> None:
    """A combined log of one second (HEAD tag, GET index, GET platform manifest) still
    classifies in the log's order: the cost of the missing digest, nothing random."""
    log = tmp_path / "access.log"
    log.write_text("\n".join(combined(m, u, size=s) for m, u, s, *_ in CTR_STEPS) + "\n")
    ingest(tmp_path, "--source", "nginx", str(log))
    assert actions(tmp_path) == ["version_check", "pull_by_digest"]


def test_known_distortions_client_user_redirect() -> None:
    """Behind a load balancer the client is the first X-Forwarded-For address; with token
    auth nginx has no user; a storage redirect's bytes are the redirect's."""
    fields = json.loads(json_access("GET", f"/v2/acme/app/blobs/{LAYER}", status=307, size=0))
    fields["x_forwarded_for"] = "198.51.100.23, 10.0.0.5"
    request = parsed(json.dumps(fields))
    assert request.client_ip == "198.51.100.23"
    assert request.account_id is None  # token auth: the user is inside the bearer token
    assert (request.status_code, request.response_bytes) == (307, 0)
    assert parsed(combined("GET", f"/v2/acme/app/blobs/{LAYER}")).client_ip == "203.0.113.7"


def test_identical_lines_are_one_request(tmp_path: Path) -> None:
    """Same client, request, status, bytes and second: one derived id, the second line
    counted as a duplicate within the input, not written."""
    log = tmp_path / "access.log"
    line = combined("GET", f"/v2/acme/app/blobs/{LAYER}")
    log.write_text(f"{line}\n{line}\n")
    output = ingest(tmp_path, "--source", "nginx", str(log))
    assert "duplicates within the input: 1" in output and "written: 1 row(s)" in output
