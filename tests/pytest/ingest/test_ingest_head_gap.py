"""Distribution 3.0.x logs without HEAD answers: detected (by version or by the
notifications), warned about in the summary, HEAD requests taken from an access log
(a proxy's, or the registry's own lines in its log) or from the notifications."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.dataset as ds
import pytest
from support.registry_samples import (
    OCI_INDEX,
    digest_of,
    envelope,
    event,
    json_line,
    request_fields,
    text_line,
)
from typer.testing import CliRunner

from registry_insights.cli import app
from registry_insights.ingest.head_gap import HeadGap, version_of

INDEX = digest_of("index")
WARNING = "does not log 200 answers to HEAD manifest requests"


def startup(version: str) -> str:
    """A registry start-up line; every logrus line of the registry carries ``version``."""
    return json.dumps(
        {
            "go.version": "go1.23.7",
            "level": "info",
            "msg": "listening on [::]:5000",
            "time": "2026-11-28T04:14:45Z",
            "version": version,
        }
    )


def get_by_digest(request_id: str = "req-get") -> str:
    return json_line(
        request_fields(
            request_id,
            f"/v2/acme/multi/manifests/{INDEX}",
            content_type=OCI_INDEX,
            time="2026-11-28T04:14:51.200000Z",
            useragent="containerd/2.0.0",
        )
    )


def head_by_tag_line() -> str:
    return json_line(
        request_fields(
            "req-head",
            "/v2/acme/multi/manifests/v2",
            method="HEAD",
            content_type=OCI_INDEX,
            time="2026-11-28T04:14:51.100000Z",
            useragent="containerd/2.0.0",
        )
    )


def head_event() -> dict[str, object]:
    return event(
        "req-head",
        "acme/multi",
        INDEX,
        method="HEAD",
        tag="v2",
        media_type=OCI_INDEX,
        useragent="containerd/2.0.0",
        timestamp="2026-11-28T04:14:51.099000Z",
    )


def ingest(tmp_path: Path, lines: list[str], *args: str) -> str:
    log = tmp_path / "registry.log"
    log.write_text("\n".join(lines) + "\n")
    raw = ["--raw-path", str(tmp_path / "raw"), "--no-progress"]
    result = CliRunner().invoke(app, ["ingest", "--source", "distribution", str(log), *args, *raw])
    assert result.exit_code == 0, result.output
    return result.output


def gorilla_line(method: str, uri: str, second: int = 51, ua: str = "containerd/2.0.0") -> str:
    """The registry's own access-log line (gorilla's CombinedLoggingHandler on stdout)."""
    return (
        f'127.0.0.1 - - [28/Nov/2026:04:14:{second:02d} +0000] "{method} {uri} HTTP/1.1"'
        f' 200 1234 "" "{ua}"'
    )


def raw_rows(tmp_path: Path) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = (
        ds.dataset(tmp_path / "raw" / "raw_registry_requests").to_table().to_pylist()
    )
    return rows


def heads(tmp_path: Path) -> list[tuple[object, ...]]:
    return sorted(
        (row["event_id"], row["reference"], row["response_digest"], row["status_code"])
        for row in raw_rows(tmp_path)
        if row["http_method"] == "HEAD"
    )


@pytest.mark.parametrize("version", ["v3.0.0", "3.0.0", "v3.0.0-rc.1"])
def test_a_3_0_log_alone_is_warned_about(tmp_path: Path, version: str) -> None:
    output = ingest(tmp_path, [startup(version), get_by_digest()])
    assert f"warning: distribution {version}" in output and WARNING in output
    assert "version checks are missing: give --access-log" in output


def test_heads_come_from_the_notifications(tmp_path: Path) -> None:
    """No version in the log (rotated past its start), a GET line, and the HEAD only in
    the notifications: the HEAD becomes a row, so the pull by tag is whole again."""
    events = tmp_path / "events.json"
    get_event = event(
        "req-get", "acme/multi", INDEX, media_type=OCI_INDEX, useragent="containerd/2.0.0"
    )
    events.write_text(envelope(head_event(), get_event))
    output = ingest(tmp_path, [get_by_digest()], "--notifications", str(events))
    assert "warning: the notifications show HEAD manifest requests" in output
    assert "HEAD manifest requests taken from the notifications: 1" in output
    rows = ds.dataset(tmp_path / "raw" / "raw_registry_requests").to_table().to_pylist()
    heads = [row for row in rows if row["http_method"] == "HEAD"]
    assert [(r["reference"], r["response_digest"]) for r in heads] == [("v2", INDEX)]


def test_a_log_with_its_heads_is_not_warned_about(tmp_path: Path) -> None:
    events = tmp_path / "events.json"
    events.write_text(envelope(head_event()))
    lines = [startup("2.8.2+ds1"), head_by_tag_line(), get_by_digest()]
    output = ingest(tmp_path, lines, "--notifications", str(events))
    assert "warning" not in output


def test_versions_of_json_and_text_lines() -> None:
    assert version_of(startup("v3.0.0")) == "v3.0.0"
    fields = {"level": "info", "msg": "listening", "time": "2026-11-28T04:14:45Z"}
    assert version_of(text_line({**fields, "version": "2.8.2+ds1"})) == "2.8.2+ds1"
    assert version_of(get_by_digest()) is None
    assert not HeadGap(registry_version="v3.1.0", log_requests=1).suspected
    assert HeadGap(registry_version="v3.0.0").suspected


def test_a_3_0_log_takes_its_heads_from_its_own_access_log_lines(tmp_path: Path) -> None:
    """distribution 3.0.0 with its access log on (the default): the HEAD answered 200 has
    no "response completed" line but has its gorilla line in the same stream; it becomes
    a row, the GET's access line is not taken twice, and a second ingest writes nothing."""
    lines = [
        startup("v3.0.0"),
        gorilla_line("HEAD", "/v2/acme/multi/manifests/v2"),
        get_by_digest(),
        gorilla_line("GET", f"/v2/acme/multi/manifests/{INDEX}"),
    ]
    output = ingest(tmp_path, lines)
    assert "HEAD manifest requests taken from the access log: 1" in output, output
    assert "the registry's own access-log lines, 1 HEAD manifest request(s)" in output
    assert "version checks are missing" not in output
    [(event_id, reference, digest, status)] = heads(tmp_path)
    assert str(event_id).startswith("nginx-") and (reference, digest, status) == ("v2", None, 200)
    assert len(raw_rows(tmp_path)) == 2
    again = ingest(tmp_path, lines)
    assert "written: 0 row(s)" in again and "already present under the raw path: 2" in again
    alias = CliRunner().invoke(
        app,
        [
            *("ingest-registry-log", "--log", str(tmp_path / "registry.log")),
            *("--raw-path", str(tmp_path / "raw"), "--no-progress"),
        ],
    )
    assert alias.exit_code == 0 and "HEAD manifest requests taken from the access log: 1" in (
        alias.output
    )
    assert "written: 0 row(s)" in alias.output  # the alias gives the same rows


def test_own_access_lines_of_a_log_with_its_heads_are_not_taken(tmp_path: Path) -> None:
    """Not 3.0.x: the access-log lines are counted, never used (nothing is missing)."""
    lines = [startup("2.8.2+ds1"), gorilla_line("HEAD", "/v2/acme/multi/manifests/v2")]
    output = ingest(tmp_path, [*lines, get_by_digest()])
    assert "taken from the access log" not in output and heads(tmp_path) == []


def test_heads_from_a_proxy_access_log_join_the_notifications(tmp_path: Path) -> None:
    """A proxy's log beside a 3.0 registry log and its notifications: the HEAD row has
    the access log's client and the event's digest and request id, so the event makes no
    row of its own; the same ingest without the access log then writes nothing new."""
    access = tmp_path / "access.log"
    access.write_text(
        "\n".join(
            [
                gorilla_line("HEAD", "/v2/acme/multi/manifests/v2"),
                gorilla_line("GET", f"/v2/acme/multi/manifests/{INDEX}"),
                gorilla_line("GET", "/v2/"),
                "not an access-log line",
            ]
        )
        + "\n"
    )
    events = tmp_path / "events.json"
    get_event = event(
        "req-get", "acme/multi", INDEX, media_type=OCI_INDEX, useragent="containerd/2.0.0"
    )
    events.write_text(envelope(head_event(), get_event))
    lines = [startup("v3.0.0"), get_by_digest()]
    output = ingest(tmp_path, lines, "--notifications", str(events), "--access-log", str(access))
    assert "4 line(s) read, 1 HEAD manifest request(s): 0 already in the registry log," in output
    assert "1 taken (1 joined with notifications)" in output
    assert "access-log lines not taken (in_the_registry_log): 1" in output
    assert "access-log lines not taken (api_base): 1" in output
    assert "line rejected (access log: neither combined" in output
    assert ", 0 notification only" in output
    assert heads(tmp_path) == [("req-head", "v2", INDEX, 200)]
    again = ingest(tmp_path, lines, "--notifications", str(events))
    assert "written: 0 row(s)" in again, again


def test_an_access_log_adds_nothing_to_a_log_with_its_heads(tmp_path: Path) -> None:
    access = tmp_path / "access.log"
    access.write_text(gorilla_line("HEAD", "/v2/acme/multi/manifests/v2") + "\n")
    lines = [startup("2.8.2+ds1"), head_by_tag_line(), get_by_digest()]
    output = ingest(tmp_path, lines, "--access-log", str(access))
    assert "1 HEAD manifest request(s): 1 already in the registry log, 0 taken" in output
    assert "warning" not in output
    assert heads(tmp_path) == [("req-head", "v2", None, 200)]


def test_access_log_only_with_the_distribution_source(tmp_path: Path) -> None:
    log = tmp_path / "access.log"
    log.write_text(gorilla_line("GET", "/v2/") + "\n")
    result = CliRunner().invoke(
        app,
        [
            *("ingest", "--source", "nginx", str(log), "--access-log", str(log)),
            *("--raw-path", str(tmp_path / "raw"), "--no-progress"),
        ],
    )
    assert result.exit_code == 2 and "--access-log goes with --source distribution" in result.output
    missing = CliRunner().invoke(
        app,
        [
            *("ingest", "--source", "distribution", str(log), "--access-log", "gone.log"),
            *("--raw-path", str(tmp_path / "raw"), "--no-progress"),
        ],
    )
    assert missing.exit_code == 2 and "--access-log gone.log: no such file" in missing.output
    assert not (tmp_path / "raw").exists()  # checked before anything is read or written


def test_own_access_lines_from_stdin(tmp_path: Path) -> None:
    """A 3.0 log piped in: its access lines are held while it is read (stdin cannot be
    read again), with the same result as the file."""
    lines = [startup("v3.0.0"), gorilla_line("HEAD", "/v2/acme/multi/manifests/v2")]
    result = CliRunner().invoke(
        app,
        [
            *("ingest", "--source", "distribution", "-"),
            *("--raw-path", str(tmp_path / "raw"), "--no-progress"),
        ],
        input="\n".join([*lines, get_by_digest()]) + "\n",
    )
    assert result.exit_code == 0, result.output
    assert "HEAD manifest requests taken from the access log: 1" in result.output
    assert [head[1:] for head in heads(tmp_path)] == [("v2", None, 200)]
