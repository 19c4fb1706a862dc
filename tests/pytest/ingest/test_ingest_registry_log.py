"""`registry-insights ingest-registry-log`: the log adapter end to end on files, the
join and its fallbacks, idempotence."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pyarrow.dataset as ds
import pytest
from support.registry_samples import (
    OCI_INDEX,
    OCI_MANIFEST,
    access_line,
    digest_of,
    envelope,
    event,
    json_line,
    request_fields,
    text_line,
)
from typer.testing import CliRunner

from registry_insights.cli import app
from registry_insights.ingest.join import pick_event, row_from_events
from registry_insights.ingest.notifications import RejectedEvent, read_events
from registry_insights.ingest.raw_rows import SCHEMA

INDEX = digest_of("index")
AMD64 = digest_of("amd64")
LAYER = digest_of("layer")


def scenario_log() -> list[str]:
    """A HEAD by tag, GET by the same digest, GET of the platform digest and a blob,
    mixed with the other lines a registry prints."""
    return [
        '{"level":"info","msg":"listening on 127.0.0.1:5999","time":"2026-11-28T04:14:45Z"}',
        json_line(
            request_fields(
                "req-head",
                "/v2/acme/multi/manifests/v2",
                method="HEAD",
                content_type=OCI_INDEX,
                time="2026-11-28T04:14:51.100000Z",
                useragent="containerd/1.6.20",
            )
        ),
        access_line("/v2/acme/multi/manifests/v2"),
        text_line(
            request_fields(
                "req-index",
                f"/v2/acme/multi/manifests/{INDEX}",
                content_type=OCI_INDEX,
                time="2026-11-28T04:14:51.200000Z",
                useragent="containerd/1.6.20",
            )
        ),
        "this is not a log line",
        json_line(
            request_fields(
                "req-platform",
                f"/v2/acme/multi/manifests/{AMD64}",
                time="2026-11-28T04:14:51.300000Z",
                useragent="containerd/1.6.20",
            )
        ),
        json_line(
            request_fields(
                "req-blob",
                f"/v2/acme/multi/blobs/{LAYER}",
                content_type="application/octet-stream",
                time="2026-11-28T04:14:51.400000Z",
                written=111,
            )
        ),
        json_line(request_fields("req-base", "/v2/", time="2026-11-28T04:14:51Z")),
        '{"truncated": ',
    ]


def scenario_events() -> list[dict[str, object]]:
    return [
        event("req-head", "acme/multi", INDEX, method="HEAD", tag="v2", media_type=OCI_INDEX),
        event("req-index", "acme/multi", INDEX, media_type=OCI_INDEX),
        event("req-platform", "acme/multi", AMD64),
        event(
            "req-blob",
            "acme/multi",
            LAYER,
            media_type="application/octet-stream",
            kind="blobs",
        ),
        event("req-push", "acme/multi", AMD64, action="push", method="PUT"),
        # no log line for this one: the notification-only fallback
        event("req-only-event", "alpine", INDEX, tag="3.20", media_type=OCI_INDEX),
    ]


def run(*args: str, stdin: bytes | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["ingest-registry-log", *args, "--no-progress"], input=stdin)
    return result.exit_code, result.output


def raw_rows(raw: Path) -> dict[str, dict[str, object]]:
    table = ds.dataset(raw / "raw_registry_requests", format="parquet").to_table()
    assert table.schema.equals(SCHEMA)
    return {row["event_id"]: row for row in table.to_pylist()}


@pytest.fixture
def inputs(tmp_path: Path) -> tuple[Path, Path]:
    log = tmp_path / "registry.log"
    log.write_text("\n".join(scenario_log()) + "\n")
    notifications = tmp_path / "events.ndjson"
    notifications.write_text(
        "\n".join(json.dumps({"events": [e]}) for e in scenario_events()) + "\n"
    )
    return log, notifications


def test_join_fills_the_contract_from_both_sources(
    tmp_path: Path, inputs: tuple[Path, Path]
) -> None:
    log, notifications = inputs
    code, output = run(
        "--log",
        str(log),
        "--notifications",
        str(notifications),
        "--raw-path",
        str(tmp_path / "raw"),
    )
    assert code == 0, output
    rows = raw_rows(tmp_path / "raw")
    assert set(rows) == {"req-head", "req-index", "req-platform", "req-blob", "req-only-event"}
    head = rows["req-head"]
    assert (head["http_method"], head["reference"], head["response_digest"]) == (
        "HEAD",
        "v2",
        INDEX,
    )
    assert head["media_type"] == OCI_INDEX and head["user_agent"] == "containerd/1.6.20"
    assert rows["req-blob"]["object_type"] == "blob"
    only_event = rows["req-only-event"]
    assert only_event["repository"] == "library/alpine"
    assert (only_event["status_code"], only_event["reference"]) == (200, "3.20")
    assert only_event["response_digest"] == INDEX
    assert "malformed log lines: 2" in output
    assert "at line(s) 5" in output and "at line(s) 9" in output
    assert "access-log lines, not used): 1" in output
    assert "api_base): 1" in output
    assert "pull 5, push 1" in output
    assert "4 joined, 0 log only, 1 notification only" in output


def test_log_only_fallback_takes_the_digest_from_a_digest_reference(
    tmp_path: Path, inputs: tuple[Path, Path]
) -> None:
    log, _ = inputs
    code, output = run("--log", str(log), "--raw-path", str(tmp_path / "raw"))
    assert code == 0, output
    rows = raw_rows(tmp_path / "raw")
    assert rows["req-head"]["response_digest"] is None
    assert rows["req-head"]["media_type"] == OCI_INDEX
    assert rows["req-index"]["response_digest"] == INDEX
    assert "0 joined, 4 log only" in output


def test_running_twice_writes_nothing_new(tmp_path: Path, inputs: tuple[Path, Path]) -> None:
    log, notifications = inputs
    raw = tmp_path / "raw"
    args = ("--log", str(log), "--notifications", str(notifications), "--raw-path", str(raw))
    assert run(*args)[0] == 0
    files = sorted(raw.rglob("*.parquet"))
    code, output = run(*args)
    assert code == 0
    assert "already present under the raw path: 5" in output
    assert "written: 0 row(s)" in output
    assert sorted(raw.rglob("*.parquet")) == files
    assert len(ds.dataset(raw / "raw_registry_requests").to_table()) == 5


def test_gzip_and_stdin_give_the_same_rows(tmp_path: Path, inputs: tuple[Path, Path]) -> None:
    log, _ = inputs
    gz = tmp_path / "registry.log.1"  # no .gz suffix: detected by magic bytes
    gz.write_bytes(gzip.compress(log.read_bytes()))
    assert run("--log", str(log), "--raw-path", str(tmp_path / "plain"))[0] == 0
    assert run("--log", str(gz), "--raw-path", str(tmp_path / "gz"))[0] == 0
    assert run("--log", "-", "--raw-path", str(tmp_path / "stdin"), stdin=gz.read_bytes())[0] == 0
    plain = raw_rows(tmp_path / "plain")
    assert raw_rows(tmp_path / "gz") == plain == raw_rows(tmp_path / "stdin")
    assert sorted(p.name for p in (tmp_path / "plain").rglob("*.parquet")) == sorted(
        p.name for p in (tmp_path / "gz").rglob("*.parquet")
    )


def test_missing_input_is_an_error(tmp_path: Path) -> None:
    code, output = run("--log", str(tmp_path / "nope.log"), "--raw-path", str(tmp_path / "raw"))
    assert code == 2
    assert "nope.log: no such file" in output
    assert not (tmp_path / "raw").exists()


def test_notification_files_in_every_shape(tmp_path: Path) -> None:
    events = scenario_events()
    shapes = {
        "envelope_per_line": "\n".join(json.dumps({"events": [e]}) for e in events),
        "event_per_line": "\n".join(json.dumps(e) for e in events),
        "whole_file_envelope": envelope(*events),
        "json_array": json.dumps(events, indent=2),
    }
    for name, text in shapes.items():
        path = tmp_path / f"{name}.json"
        path.write_bytes(gzip.compress(text.encode()) if name == "json_array" else text.encode())
        read = list(read_events(path))
        assert [e.id for e in read if not isinstance(e, RejectedEvent)] == [
            str(e["id"]) for e in events
        ], name


def test_invalid_events_are_rejected_with_line_numbers(tmp_path: Path) -> None:
    good = event("r1", "acme/app", INDEX)
    bad = dict(event("r2", "acme/app", INDEX), timestamp="soon")
    path = tmp_path / "events.ndjson"
    lines = ["# captured by hand", json.dumps(good), "{nope", json.dumps(bad), "42"]
    path.write_text("\n".join(lines) + "\n")
    items = list(read_events(path))
    rejected = [
        (item.line_number, item.reason) for item in items if isinstance(item, RejectedEvent)
    ]
    assert [line for line, _ in rejected] == [1, 3, 4, 5]
    assert "timestamp" in rejected[2][1]
    assert [item.id for item in items if not isinstance(item, RejectedEvent)] == [good["id"]]


def test_pick_event_prefers_the_served_media_type_then_the_latest() -> None:
    stored = event("r1", "acme/app", digest_of("oci"), timestamp="2026-11-28T04:14:51.1Z")
    converted = event(
        "r1",
        "acme/app",
        digest_of("schema1"),
        media_type="application/vnd.docker.distribution.manifest.v1+prettyjws",
        timestamp="2026-11-28T04:14:51.2Z",
    )
    from registry_insights.ingest.events import parse_event

    events = [parse_event(stored), parse_event(converted)]
    assert pick_event(events, OCI_MANIFEST).target.digest == digest_of("oci")
    assert pick_event(events, "application/json").target.digest == digest_of("schema1")
    assert pick_event(list(reversed(events))).target.digest == digest_of("schema1")
    row = row_from_events(events)
    assert (row.event_id, row.status_code, row.response_bytes) == ("r1", 200, 401)


def test_a_request_written_on_the_other_side_of_midnight_is_present(tmp_path: Path) -> None:
    import dataclasses
    import datetime

    from registry_insights.ingest.raw_output import PresentEventIds, append_rows
    from registry_insights.ingest.raw_rows import RawRequest

    before = RawRequest(
        "r1",
        datetime.datetime(2026, 11, 27, 23, 59, 59, 900000, datetime.UTC),
        "GET",
        "manifest",
        "acme/app",
        "1.0",
        INDEX,
        OCI_INDEX,
        200,
        491,
        "127.0.0.1",
        "curl/8",
        None,
    )
    append_rows(tmp_path, [before], "test")
    after = dataclasses.replace(
        before, occurred_at=datetime.datetime(2026, 11, 28, 0, 0, 0, 100000, datetime.UTC)
    )
    present = PresentEventIds(tmp_path)
    assert after in present
    assert dataclasses.replace(after, event_id="r2") not in present
