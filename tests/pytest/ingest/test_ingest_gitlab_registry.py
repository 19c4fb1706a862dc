"""The GitLab container registry: its LabKit JSON access log (the documentation's real
line and lines with the same fields), its notifications with GitLab's extras
(``actor.user_type``, ``meta.blob``), and `registry-insights ingest --source gitlab`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow.dataset as ds
from support.registry_samples import OCI_INDEX, OCI_MANIFEST, digest_of, envelope, event
from typer.testing import CliRunner

from registry_insights.cli import app
from registry_insights.ingest.log_lines import LoggedRequest, Malformed, NotARequest
from registry_insights.ingest.notifications import RejectedEvent, read_events
from registry_insights.ingest.sources.gitlab import parse_gitlab_line
from registry_insights.ingest.sources.ingest import detect_source
from registry_insights.pull_actions import ManifestRequest, classify

# GitLab's documentation, "Tags on S3 backend remain after successful deletion
# requests" (../shared/reference/registry-formats/5-gitlab-registry.md), verbatim.
DOC_DELETE = (
    '{"content_type":"","correlation_id":"01FQGNSKVMHQEAVE21KYTJN2P4","duration_ms":62,'
    '"host":"localhost:5000","level":"info","method":"DELETE","msg":"access","proto":"HTTP/1.1",'
    '"referrer":"","remote_addr":"127.0.0.1:47498","remote_ip":"127.0.0.1","status":202,'
    '"system":"http","time":"2021-12-22T08:58:15Z","ttfb_ms":62,'
    '"uri":"/v2/<path to repo>/tags/reference/<tag_name>","user_agent":"GitLab/<version>",'
    '"written_bytes":0}'
)
INDEX = digest_of("index")
AMD64 = digest_of("amd64")
LAYER = digest_of("layer")
CTR = "containerd/1.7.24"


def access(
    method: str,
    uri: str,
    correlation: str,
    *,
    status: int = 200,
    written: int = 500,
    time: str = "2026-11-28T04:14:51Z",
    content_type: str = OCI_INDEX,
) -> str:
    """An access line with the documented sample's fields, for a pull."""
    fields = json.loads(DOC_DELETE)
    fields.update(
        correlation_id=correlation,
        method=method,
        uri=uri,
        status=status,
        written_bytes=written,
        time=time,
        content_type=content_type,
        remote_addr="198.51.100.7:40122",
        remote_ip="198.51.100.7",
        user_agent=CTR,
    )
    return json.dumps(fields, sort_keys=True)


def gitlab_event(request_id: str, digest: str, **kwargs: Any) -> dict[str, Any]:
    """A pull event with GitLab's extras, as its notification spec shows them."""
    made = event(request_id, "acme/app", digest, useragent=CTR, **kwargs)
    made["actor"] = {"name": "ci-bot", "user_type": "deploy_token"}
    if kwargs.get("kind") == "blobs":
        made["meta"] = {"blob": {"redirected": True, "storageBackend": "s3aws"}}
    return made


def test_documentation_line_and_pull_lines() -> None:
    assert parse_gitlab_line(DOC_DELETE, 1) == NotARequest("push_or_delete")
    head = parse_gitlab_line(access("HEAD", "/v2/acme/app/manifests/v1", "c1", written=0), 2)
    assert isinstance(head, LoggedRequest)
    assert (head.request_id, head.http_method, head.api.repository, head.api.reference) == (
        "c1",
        "HEAD",
        "acme/app",
        "v1",
    )
    assert head.client_ip == "198.51.100.7" and head.user_agent == CTR
    assert head.account_id is None and head.response_digest is None
    app_log = '{"level":"info","msg":"manifest downloaded","time":"2026-11-28T04:14:51Z"}'
    assert parse_gitlab_line(app_log, 3) == NotARequest("log_message")
    assert isinstance(parse_gitlab_line("time=x level=info", 4), Malformed)
    no_status = json.dumps({"msg": "access", "method": "GET", "uri": "/v2/a/b/manifests/v1"})
    assert parse_gitlab_line(no_status, 5) == Malformed("access line without method, uri or status")


def test_gitlab_extras_are_accepted_and_kept(tmp_path: Path) -> None:
    events = tmp_path / "events.json"
    events.write_text(
        envelope(gitlab_event("x", LAYER, kind="blobs", media_type="application/octet-stream"))
    )
    (item,) = list(read_events(events))
    assert not isinstance(item, RejectedEvent)
    assert item.actor.model_extra == {"user_type": "deploy_token"}
    assert (item.model_extra or {})["meta"]["blob"]["redirected"] is True


def lines() -> list[str]:
    """containerd's pull of a multi-arch tag, all in one second, then a blob."""
    return [
        access("HEAD", "/v2/acme/app/manifests/v1", "c-head", written=0),
        access("GET", f"/v2/acme/app/manifests/{INDEX}", "c-index"),
        access("GET", f"/v2/acme/app/manifests/{AMD64}", "c-amd64", content_type=OCI_MANIFEST),
        access(
            "GET",
            f"/v2/acme/app/blobs/{LAYER}",
            "c-blob",
            status=307,
            written=0,
            content_type="text/html; charset=utf-8",
        ),
        DOC_DELETE,
    ]


def ingest(tmp_path: Path, *args: str) -> str:
    raw = ["--raw-path", str(tmp_path / "raw"), "--no-progress"]
    result = CliRunner().invoke(app, ["ingest", *args, *raw])
    assert result.exit_code == 0, result.output
    return result.output


def actions(tmp_path: Path) -> list[str]:
    rows = ds.dataset(tmp_path / "raw" / "raw_registry_requests").to_table().to_pylist()
    fields = [k for k in ManifestRequest.__dataclass_fields__ if k != "object_type"]
    requests = [
        ManifestRequest(**{k: r[k] for k in fields}) for r in rows if r["object_type"] == "manifest"
    ]
    return [a.action for a in sorted(classify(requests), key=lambda a: a.start.occurred_at)]


def test_access_log_alone(tmp_path: Path) -> None:
    log = tmp_path / "access.log"
    log.write_text("\n".join(lines()) + "\n")
    assert detect_source(log) == "gitlab"
    first = ingest(tmp_path, str(log))
    assert "source: gitlab (detected)" in first and "written: 4 row(s)" in first
    assert "not a pull request (push_or_delete): 1" in first
    assert "written: 0 row(s)" in ingest(tmp_path, "--source", "gitlab", str(log))
    # no digest for the HEAD by tag: the pull splits, in the log's order
    assert actions(tmp_path) == ["version_check", "pull_by_digest"]


def test_access_log_with_notifications(tmp_path: Path) -> None:
    """GitLab emits a pull event for a HEAD manifest too: joined, the HEAD by tag gets its
    digest and the pull is whole again; the account comes from ``actor.name``."""
    log = tmp_path / "access.log"
    log.write_text("\n".join(lines()) + "\n")
    stamp = "2026-11-28T04:14:50.9{}Z"
    events = tmp_path / "events.json"
    events.write_text(
        envelope(
            gitlab_event(
                "r1",
                INDEX,
                method="HEAD",
                tag="v1",
                media_type=OCI_INDEX,
                timestamp=stamp.format(1),
            ),
            gitlab_event("r2", INDEX, media_type=OCI_INDEX, timestamp=stamp.format(2)),
            gitlab_event("r3", AMD64, timestamp=stamp.format(3)),
            gitlab_event(
                "r4",
                LAYER,
                kind="blobs",
                media_type="application/octet-stream",
                timestamp=stamp.format(4),
            ),
        )
    )
    output = ingest(tmp_path, "--source", "gitlab", str(log), "--notifications", str(events))
    assert "rows: 4 joined, 0 log only, 0 notification only" in output
    rows = ds.dataset(tmp_path / "raw" / "raw_registry_requests").to_table().to_pylist()
    head = next(r for r in rows if r["http_method"] == "HEAD")
    assert (head["response_digest"], head["account_id"], head["event_id"]) == (
        INDEX,
        "ci-bot",
        "c-head",
    )
    assert actions(tmp_path) == ["pull_by_tag"]
    assert "gitlab: pull events by actor.user_type: deploy_token 4" in output
    assert "gitlab: pull events of HEAD manifest requests (GitLab emits them" in output
    assert "redirected to storage (meta.blob.redirected): s3aws 1;" in output
    assert "storage served 401 bytes" in output


def test_extras_in_the_summary(tmp_path: Path) -> None:
    """``actor.user_type`` per pull event (CI, deploy token, person, anonymous): counted,
    nothing skipped, ``account_id`` stays ``actor.name``; without the notifications the
    summary says what the access log cannot fill."""
    log = tmp_path / "access.log"
    log.write_text("\n".join(lines()[1:3]) + "\n")
    alone = ingest(tmp_path, "--source", "gitlab", str(log))
    assert "without --notifications account_id is empty" in alone
    actors = [
        {"name": "runner", "user_type": "build"},
        {"name": "alice", "user_type": "personal_access_token"},
    ]
    made = []
    for number, (digest, actor) in enumerate(zip((INDEX, AMD64), actors, strict=True)):
        pull = gitlab_event(f"p{number}", digest, timestamp=f"2026-11-28T04:14:50.9{number}Z")
        pull["actor"] = actor
        made.append(pull)
    anonymous = gitlab_event("p9", AMD64, timestamp="2026-11-28T04:20:00Z")
    anonymous["actor"] = {"name": "", "user_type": ""}
    events = tmp_path / "events.json"
    events.write_text(envelope(*made, anonymous))
    joined = ingest(tmp_path / "j", "--source", "gitlab", str(log), "--notifications", str(events))
    assert "actor.user_type: anonymous 1, build 1, personal_access_token 1 (build = CI" in joined
    assert "rows: 2 joined, 0 log only, 1 notification only" in joined
    rows = ds.dataset(tmp_path / "j" / "raw" / "raw_registry_requests").to_table().to_pylist()
    assert sorted(str(row["account_id"]) for row in rows) == ["None", "alice", "runner"]


def test_a_gitlab_log_read_as_distribution_says_so(tmp_path: Path) -> None:
    log = tmp_path / "current"
    log.write_text("\n".join(lines()) + "\n")
    output = ingest(tmp_path, "--source", "distribution", str(log))
    assert "written: 0 row(s)" in output
    assert "its lines look like --source gitlab (GitLab's registry writes a LabKit" in output
