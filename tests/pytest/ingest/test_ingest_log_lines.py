"""Parsing a distribution registry's output line by line: logrus JSON and text, the
access log, and what is malformed."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from support.registry_samples import access_line, digest_of, json_line, request_fields, text_line

from registry_insights.ingest.api_paths import ApiRequest, classify_path
from registry_insights.ingest.log_lines import (
    LoggedRequest,
    Malformed,
    NotARequest,
    client_address,
    parse_line,
)
from registry_insights.ingest.timestamps import parse_rfc3339

DIGEST = digest_of("index")


def parsed_request(line: str) -> LoggedRequest:
    parsed = parse_line(line, 7)
    assert isinstance(parsed, LoggedRequest), parsed
    return parsed


@pytest.mark.parametrize("render", [json_line, text_line], ids=["json", "text"])
def test_response_completed_line_in_both_formatters(
    render: Callable[[dict[str, Any]], str],
) -> None:
    fields = request_fields(
        "d02ef0e3-79d9-4a9b-990c-bb94742e8bab",
        "/v2/acme/multi/manifests/v2",
        method="HEAD",
        useragent='Mozilla/5.0 "quoted" (x)',
        user="alice",
    )
    request = parsed_request(render(fields))
    assert request.request_id == "d02ef0e3-79d9-4a9b-990c-bb94742e8bab"
    assert request.http_method == "HEAD"
    assert request.api == ApiRequest("manifest", "acme/multi", "v2")
    assert request.status_code == 200
    assert request.response_bytes == 401
    assert request.client_ip == "127.0.0.1"
    assert request.user_agent == 'Mozilla/5.0 "quoted" (x)'
    assert request.account_id == "alice"
    assert request.content_type == "application/vnd.oci.image.manifest.v1+json"
    assert request.occurred_at == datetime.datetime(2026, 11, 28, 4, 14, 51, 650038, datetime.UTC)
    assert request.line_number == 7


def test_real_text_line_with_error_and_empty_user_agent() -> None:
    line = (
        'time="2026-11-28T04:15:09.116230015Z" level=error msg="response completed with error"'
        ' err.code="manifest unknown" err.message="OCI manifest found, but accept header does'
        ' not support OCI manifests" go.version=go1.19.8 http.request.host="127.0.0.1:5999"'
        " http.request.id=9fb12b9c-3fcd-4aaa-9501-3dbaefad8d3c http.request.method=GET"
        ' http.request.remoteaddr="127.0.0.1:49248" http.request.uri=/v2/acme/single/manifests/v1'
        ' http.request.useragent= http.response.contenttype="application/json; charset=utf-8"'
        ' http.response.duration="949.748µs" http.response.status=404 http.response.written=122'
        " vars.name=acme/single vars.reference=v1"
    )
    request = parsed_request(line)
    assert (request.status_code, request.user_agent, request.response_bytes) == (404, None, 122)
    assert request.api == ApiRequest("manifest", "acme/single", "v1")


def test_blob_request_and_official_image_name() -> None:
    request = parsed_request(json_line(request_fields("r1", f"/v2/alpine/blobs/{DIGEST}")))
    assert request.api == ApiRequest("blob", "library/alpine", DIGEST)


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("127.0.0.1:50784", "127.0.0.1"),
        ("[::1]:5555", "::1"),
        ("[2001:db8::7]:443", "2001:db8::7"),
        ("2001:db8::7", "2001:db8::7"),
        ("203.0.113.9", "203.0.113.9"),
        ("203.0.113.9, 10.0.0.1", "203.0.113.9"),
        ("fe80::1%eth0", "fe80::1%eth0"),
        ("", None),
        (None, None),
    ],
)
def test_client_address(address: str | None, expected: str | None) -> None:
    assert client_address(address) == expected


def test_forwarded_for_field_wins_over_the_proxy_address() -> None:
    fields = request_fields("r1", "/v2/acme/app/manifests/1.0", remoteaddr="10.0.0.2:3333")
    fields["http.request.x-forwarded-for"] = "198.51.100.4, 10.0.0.2"
    assert parsed_request(json_line(fields)).client_ip == "198.51.100.4"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-28T04:14:51.650038709Z", "2026-11-28T04:14:51.650038+00:00"),
        ("2026-11-28T06:14:51.123456789+02:00", "2026-11-28T04:14:51.123456+00:00"),
        ("2026-11-27T23:14:51-0500", "2026-11-28T04:14:51+00:00"),
        ("2026-11-28T04:14:51", "2026-11-28T04:14:51+00:00"),
        ("2026-11-28 04:14:51.5Z", "2026-11-28T04:14:51.500000+00:00"),
    ],
)
def test_timestamps_become_utc_microseconds(text: str, expected: str) -> None:
    parsed = parse_rfc3339(text)
    assert parsed is not None and parsed.isoformat() == expected


def test_unreadable_time_is_malformed() -> None:
    fields = request_fields("r1", "/v2/acme/app/manifests/1.0", time="yesterday")
    assert isinstance(parse_line(json_line(fields), 1), Malformed)


@pytest.mark.parametrize(
    ("uri", "method", "category"),
    [
        ("/v2/", "GET", "api_base"),
        ("/v2/_catalog?n=100", "GET", "catalog"),
        ("/v2/acme/app/tags/list", "GET", "tags_list"),
        ("/v2/acme/app/blobs/uploads/", "POST", "blob_upload"),
        ("/v2/acme/app/blobs/uploads/0f3b?_state=x", "PATCH", "blob_upload"),
        ("/v2/acme/app/manifests/1.0", "PUT", "push_or_delete"),
        ("/v2/acme/app/manifests/" + DIGEST, "DELETE", "push_or_delete"),
        ("/v2/acme/app/referrers/" + DIGEST, "GET", "referrers"),
        ("/debug/vars", "GET", "not_registry_api"),
    ],
)
def test_other_requests_are_counted_by_category(uri: str, method: str, category: str) -> None:
    line = json_line(request_fields("r1", uri, method=method))
    assert parse_line(line, 1) == NotARequest(category)


def test_other_lines() -> None:
    info = (
        '{"go.version":"go1.19.8","level":"info","msg":"listening on 127.0.0.1:5999",'
        '"time":"2026-11-28T04:14:45.273001681Z","version":"2.8.2+ds1"}'
    )
    assert parse_line(info, 1) == NotARequest("log_message")
    assert parse_line('time="2026-11-28T04:15:07Z" level=info msg="redis not configured"', 2) == (
        NotARequest("log_message")
    )
    assert parse_line(access_line("/v2/acme/app/manifests/1.0"), 3) == NotARequest("access_log")
    assert parse_line("   ", 4) is None
    for garbage in ("panic: runtime error", '{"broken', "[1, 2]", 'msg="unterminated'):
        assert isinstance(parse_line(garbage, 5), Malformed), garbage


def test_docker_json_file_wrapper_is_unwrapped() -> None:
    inner = json_line(request_fields("r9", "/v2/acme/app/manifests/1.0"))
    wrapped = json_line({"log": inner + "\n", "stream": "stderr", "time": "2026-11-28T04:14:51Z"})
    assert parsed_request(wrapped).request_id == "r9"


def test_nul_bytes_of_a_copytruncate_rotation_are_dropped() -> None:
    line = "\x00" * 40 + json_line(request_fields("r7", "/v2/acme/app/manifests/1.0"))
    assert parsed_request(line).request_id == "r7"


@pytest.mark.parametrize(
    "prefix",
    ["2026-11-28T04:14:51.650123456Z ", "Nov 28 04:14:51 host registry[812]: ", "registry-1  | "],
)
def test_collector_prefixes_are_skipped(prefix: str) -> None:
    fields = request_fields("r8", "/v2/acme/app/manifests/1.0")
    assert parsed_request(prefix + json_line(fields)).request_id == "r8"
    assert parsed_request(prefix + text_line(fields)).request_id == "r8"


def test_request_without_id_gets_a_stable_derived_id() -> None:
    fields = request_fields("x", "/v2/acme/app/manifests/1.0")
    del fields["http.request.id"]
    line = json_line(fields)
    assert parsed_request(line).request_id == parsed_request(line).request_id
    assert parsed_request(line).request_id.startswith("log-")
    # derived from the request, not a constant: another request gets another id
    other = request_fields("x", "/v2/acme/app/manifests/2.0")
    del other["http.request.id"]
    assert parsed_request(json_line(other)).request_id != parsed_request(line).request_id


def test_path_classification_keeps_nested_names() -> None:
    assert classify_path(f"/v2/a/b/c/manifests/{DIGEST}") == ApiRequest("manifest", "a/b/c", DIGEST)
    assert classify_path("http://registry:5000/v2/acme/app/manifests/1.0?x=1") == ApiRequest(
        "manifest", "acme/app", "1.0"
    )
