"""Distribution 3.0.x logs without HEAD answers: detected (by version or by the
notifications), warned about in the summary, HEAD requests taken from the notifications."""

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


@pytest.mark.parametrize("version", ["v3.0.0", "3.0.0", "v3.0.0-rc.1"])
def test_a_3_0_log_alone_is_warned_about(tmp_path: Path, version: str) -> None:
    output = ingest(tmp_path, [startup(version), get_by_digest()])
    assert f"warning: distribution {version}" in output and WARNING in output
    assert "version checks are missing: give --notifications" in output


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
