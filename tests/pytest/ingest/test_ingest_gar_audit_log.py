# ruff: noqa: E501  (the real entries are quoted verbatim, long values and all)
"""Google Artifact Registry's Data Access audit log entries: the real entries of the
shared research, entries shaped as the audit-logging documentation lists them, and
`registry-insights ingest --source gar`."""

from __future__ import annotations

import copy
import datetime
import json
from pathlib import Path
from typing import Any

import pyarrow.dataset as ds
import pytest
from support.registry_samples import digest_of
from typer.testing import CliRunner

from registry_insights.cli import app
from registry_insights.ingest.log_lines import LoggedRequest, Malformed, NotARequest
from registry_insights.ingest.sources.gar import bigquery_time, parse_gar_line
from registry_insights.ingest.sources.ingest import detect_source
from registry_insights.pull_actions import ManifestRequest, classify

# Real entries (ONSdigital/blaise-slack-alerter tests/test_main.py at 6706d86, as quoted
# in ../shared/reference/registry-formats/2-gcp-artifact-registry.md), Python -> JSON.
REAL_GET_MANIFEST: dict[str, Any] = {
    "protoPayload": {
        "@type": "type.googleapis.com/google.cloud.audit.AuditLog",
        "status": {"code": 5, "message": "generic::not_found: Requested entity was not found."},
        "authenticationInfo": {
            "principalEmail": "service-628324858917@container-analysis.iam.gserviceaccount.com",
            "principalSubject": "serviceAccount:service-628324858917@container-analysis.iam.gserviceaccount.com",
        },
        "requestMetadata": {
            "callerIp": "203.0.113.2",
            "callerSuppliedUserAgent": "ContainerAnalysis/boq_artifact-analysis-scanlistener_20240614.04_p1 go-containerregistry,gzip(gfe)",
            "requestAttributes": {},
            "destinationAttributes": {},
        },
        "serviceName": "artifactregistry.googleapis.com",
        "methodName": "Docker-GetManifest",
        "authorizationInfo": [
            {
                "resource": "projects/ons-blaise-v2-prod/locations/europe-west2/repositories/gcf-artifacts",
                "permission": "artifactregistry.repositories.downloadArtifacts",
                "granted": True,
                "resourceAttributes": {},
                "permissionType": "DATA_READ",
            }
        ],
        "resourceName": "projects/ons-blaise-v2-prod/locations/europe-west2/repositories/gcf-artifacts/dockerImages/publish_msg%2Fcache",
        "request": {
            "@type": "type.googleapis.com/google.logging.type.HttpRequest",
            "requestMethod": "GET",
            "requestUrl": "/v2/ons-blaise-v2-prod/gcf-artifacts/publish_msg/cache/manifests/sha256:a28cec80810f824b2e15005b1dc93877e1b9c7b7b3466d4f4b593c9c5db64868",
        },
        "resourceLocation": {
            "currentLocations": ["europe-west2"],
            "originalLocations": ["europe-west2"],
        },
    },
    "insertId": "1rtjfyxd1d41",
    "resource": {
        "type": "audited_resource",
        "labels": {
            "project_id": "ons-blaise-v2-prod",
            "method": "Docker-GetManifest",
            "service": "artifactregistry.googleapis.com",
        },
    },
    "timestamp": "2024-07-04T23:50:15.079183701Z",
    "severity": "ERROR",
    "logName": "projects/ons-blaise-v2-prod/logs/cloudaudit.googleapis.com%2Fdata_access",
    "receiveTimestamp": "2024-07-04T23:50:15.816848898Z",
}
REAL_HEAD_MANIFEST: dict[str, Any] = {
    "protoPayload": {
        "@type": "type.googleapis.com/google.cloud.audit.AuditLog",
        "status": {"code": 5, "message": 'generic::not_found: Failed to fetch "latest"'},
        "authenticationInfo": {
            "principalEmail": "628324858917@cloudbuild.gserviceaccount.com",
            "serviceAccountDelegationInfo": [
                {
                    "firstPartyPrincipal": {
                        "principalEmail": "cloud-build-argo-foreman@prod.google.com"
                    }
                }
            ],
            "principalSubject": "serviceAccount:628324858917@cloudbuild.gserviceaccount.com",
        },
        "requestMetadata": {
            "callerIp": "203.0.113.2",
            "callerSuppliedUserAgent": "go-containerregistry,gzip(gfe)",
            "requestAttributes": {},
            "destinationAttributes": {},
        },
        "serviceName": "artifactregistry.googleapis.com",
        "methodName": "Docker-HeadManifest",
        "authorizationInfo": [
            {
                "resource": "projects/ons-blaise-v2-prod/locations/europe-west2/repositories/gcf-artifacts",
                "permission": "artifactregistry.repositories.downloadArtifacts",
                "granted": True,
                "resourceAttributes": {},
                "permissionType": "DATA_READ",
            }
        ],
        "resourceName": "projects/ons-blaise-v2-prod/locations/europe-west2/repositories/gcf-artifacts/dockerImages/ons--blaise--v2--prod__europe--west2__nifi--receipt%2Fcache",
        "request": {
            "@type": "type.googleapis.com/google.logging.type.HttpRequest",
            "requestUrl": "/v2/ons-blaise-v2-prod/gcf-artifacts/ons--blaise--v2--prod__europe--west2__nifi--receipt/cache/manifests/latest",
            "requestMethod": "HEAD",
        },
        "resourceLocation": {
            "currentLocations": ["europe-west2"],
            "originalLocations": ["europe-west2"],
        },
    },
    "insertId": "1h15w4udgp0q",
    "resource": {
        "type": "audited_resource",
        "labels": {
            "project_id": "ons-blaise-v2-prod",
            "service": "artifactregistry.googleapis.com",
            "method": "Docker-HeadManifest",
        },
    },
    "timestamp": "2024-12-02T12:01:35.011476126Z",
    "severity": "ERROR",
    "logName": "projects/ons-blaise-v2-prod/logs/cloudaudit.googleapis.com%2Fdata_access",
    "receiveTimestamp": "2024-12-02T12:01:35.148295977Z",
}
INDEX = digest_of("index")
LAYER = digest_of("layer")
IMAGE = "/v2/acme-prod/docker/app"


def entry(
    method_name: str,
    method: str,
    url: str,
    insert_id: str,
    *,
    time: str = "00.1",
    caller: str = "198.51.100.7",
    code: int | None = None,
) -> dict[str, Any]:
    """A successful entry shaped like the real ones (no ``status`` on success)."""
    made = copy.deepcopy(REAL_HEAD_MANIFEST)
    payload = made["protoPayload"]
    del payload["status"]
    if code is not None:
        payload["status"] = {"code": code}
    payload["methodName"] = method_name
    payload["request"] = {"requestMethod": method, "requestUrl": url}
    payload["requestMetadata"]["callerIp"] = caller
    payload["requestMetadata"]["callerSuppliedUserAgent"] = "containerd/1.7.24"
    payload["authenticationInfo"] = {"principalEmail": "ci@acme-prod.iam.gserviceaccount.com"}
    made["insertId"] = insert_id
    made["timestamp"] = f"2026-11-28T04:14:{time}23456Z"
    return made


def parsed(fields: dict[str, Any]) -> LoggedRequest:
    result = parse_gar_line(json.dumps(fields), 1)
    assert isinstance(result, LoggedRequest), result
    return result


def test_real_get_manifest_entry() -> None:
    request = parsed(REAL_GET_MANIFEST)
    assert request.request_id == "gar-1rtjfyxd1d41"
    assert (request.http_method, request.api.object_type, request.status_code) == (
        "GET",
        "manifest",
        404,
    )
    assert request.api.repository == "ons-blaise-v2-prod/gcf-artifacts/publish_msg/cache"
    assert request.api.reference.startswith("sha256:a28cec80")
    assert request.client_ip == "203.0.113.2"
    assert request.account_id == "service-628324858917@container-analysis.iam.gserviceaccount.com"
    assert request.user_agent is not None and request.user_agent.endswith("gzip(gfe)")
    assert request.occurred_at.isoformat() == "2024-07-04T23:50:15.079183+00:00"


def test_real_head_manifest_entry() -> None:
    request = parsed(REAL_HEAD_MANIFEST)
    assert (request.http_method, request.api.reference, request.status_code) == (
        "HEAD",
        "latest",
        404,
    )
    assert request.response_bytes is None and request.content_type is None


def test_documented_methods() -> None:
    blob = parsed(entry("Docker-ServeBlob", "GET", f"{IMAGE}/blobs/{LAYER}", "b1"))
    assert (blob.api.object_type, blob.status_code, blob.api.reference) == ("blob", 200, LAYER)
    internal = parsed(
        entry("Docker-GetManifest", "GET", f"{IMAGE}/manifests/v1", "m1", caller="gcp-internal-ip")
    )
    assert internal.client_ip is None
    denied = parsed(entry("Docker-GetManifest", "GET", f"{IMAGE}/manifests/v1", "m2", code=7))
    assert denied.status_code == 403
    categories = {
        "Docker-HeadBlob": "push_or_delete",
        "Docker-PutManifest": "push_or_delete",
        "Docker-GetTags": "tags_list",
        "Docker-Catalog": "catalog",
    }
    for method_name, category in categories.items():
        line = json.dumps(entry(method_name, "HEAD", f"{IMAGE}/blobs/{LAYER}", "x"))
        assert parse_gar_line(line, 1) == NotARequest(category)
    other = copy.deepcopy(REAL_HEAD_MANIFEST)
    other["protoPayload"]["serviceName"] = "storage.googleapis.com"
    assert parse_gar_line(json.dumps(other), 1) == NotARequest("not_artifact_registry")


def test_rejected_entries_have_reasons() -> None:
    no_id = entry("Docker-GetManifest", "GET", f"{IMAGE}/manifests/v1", "m1")
    del no_id["insertId"]
    no_url = entry("Docker-GetManifest", "GET", f"{IMAGE}/manifests/v1", "m1")
    del no_url["protoPayload"]["request"]["requestUrl"]
    cases = {
        json.dumps(no_id): "entry without insertId",
        json.dumps(no_url): "Docker-GetManifest entry without request.requestUrl",
        "[]": "JSON line is not an object",
        '{"textPayload": "x"}': "not a Cloud Audit Logs entry",
        "{": "invalid JSON",
    }
    for line, reason in cases.items():
        result = parse_gar_line(line, 1)
        assert isinstance(result, Malformed) and result.reason.startswith(reason), result


def ingest(tmp_path: Path, *args: str) -> str:
    raw = ["--raw-path", str(tmp_path / "raw"), "--no-progress"]
    result = CliRunner().invoke(app, ["ingest", *args, *raw])
    assert result.exit_code == 0, result.output
    return result.output


def test_ingest_once_detected_and_what_the_classification_can_tell(tmp_path: Path) -> None:
    """A containerd pull (HEAD tag, GET by digest, blob) and a GET-by-tag pull: without a
    resolved digest the first is a version check plus a pull by digest."""
    entries = [
        entry("Docker-HeadManifest", "HEAD", f"{IMAGE}/manifests/v1", "h1", time="00.1"),
        entry("Docker-GetManifest", "GET", f"{IMAGE}/manifests/{INDEX}", "g1", time="00.2"),
        entry("Docker-ServeBlob", "GET", f"{IMAGE}/blobs/{LAYER}", "b1", time="00.3"),
        entry("Docker-GetManifest", "GET", f"{IMAGE}/manifests/v1", "g2", time="30.0"),
        entry("Docker-HeadBlob", "HEAD", f"{IMAGE}/blobs/{LAYER}", "p1", time="31.0"),
    ]
    log = tmp_path / "audit.jsonl"
    log.write_text("\n".join(json.dumps(e) for e in [REAL_HEAD_MANIFEST, *entries]) + "\nnope\n")
    assert detect_source(log) == "gar"
    first = ingest(tmp_path, str(log))
    assert "source: gar (detected)" in first and "written: 5 row(s)" in first
    assert "not a pull request (push_or_delete): 1" in first
    assert "line rejected (invalid JSON): 1 at line(s) 7" in first
    second = ingest(tmp_path, "--source", "gar", str(log))
    assert "written: 0 row(s)" in second and "already present under the raw path: 5" in second
    rows = ds.dataset(tmp_path / "raw" / "raw_registry_requests").to_table().to_pylist()
    requests = [
        ManifestRequest(
            **{k: row[k] for k in ManifestRequest.__dataclass_fields__ if k != "object_type"}
        )
        for row in rows
        if row["object_type"] == "manifest" and row["repository"] == "acme-prod/docker/app"
    ]
    actions = sorted(classify(requests), key=lambda a: a.start.occurred_at)
    assert [a.action for a in actions] == ["version_check", "pull_by_digest", "pull_by_tag"]


def as_bigquery_row(log_entry: dict[str, Any], shape: str) -> dict[str, Any]:
    """A LogEntry as a BigQuery sink's table row, by Cloud Logging's documented renaming
    (``protoPayload`` -> ``protopayload_auditlog``, its ``request`` Struct -> the JSON
    string ``requestJson``, no ``@type``), exported as ``bq extract`` writes JSON
    (TIMESTAMP as ``YYYY-MM-DD HH:MM:SS.ffffff UTC``, INT64 as a string). ``shape``:
    ``nested``, ``dotted`` or ``underscored`` (legacy SQL's flattened column names).
    No real exported row was found: the rows are the real entries, converted."""
    payload = copy.deepcopy(log_entry["protoPayload"])
    payload.pop("@type", None)
    payload["requestJson"] = json.dumps(payload.pop("request"))
    if "status" in payload:
        payload["status"]["code"] = str(payload["status"]["code"])
    stamp = datetime.datetime.fromisoformat(log_entry["timestamp"][:26] + "+00:00")
    row: dict[str, Any] = {
        "protopayload_auditlog": payload,
        "insertId": log_entry["insertId"],
        "timestamp": stamp.strftime("%Y-%m-%d %H:%M:%S.%f UTC"),
        "logName": log_entry.get("logName", ""),
    }

    def flatten(value: dict[str, Any], prefix: str, joiner: str) -> dict[str, Any]:
        flat: dict[str, Any] = {}
        for key, item in value.items():
            name = f"{prefix}{joiner}{key}" if prefix else key
            if isinstance(item, dict) and item:
                flat.update(flatten(item, name, joiner))
            else:
                flat[name] = item
        return flat

    if shape == "dotted":
        return flatten(row, "", ".")
    if shape == "underscored":
        return flatten(row, "", "_")
    return row


@pytest.mark.parametrize("shape", ["nested", "dotted", "underscored"])
def test_bigquery_sink_rows_read_as_the_entries(shape: str) -> None:
    """The real entries as rows of the BigQuery sink's table: the same requests."""
    for real in (REAL_GET_MANIFEST, REAL_HEAD_MANIFEST):
        from_row = parsed(as_bigquery_row(real, shape))
        assert from_row == parsed(real), shape
    success = entry("Docker-ServeBlob", "GET", f"{IMAGE}/blobs/{LAYER}", "b1")
    assert parsed(as_bigquery_row(success, shape)) == parsed(success)


def test_bigquery_rows_lower_case_names_and_times() -> None:
    row = as_bigquery_row(REAL_GET_MANIFEST, "nested")
    lowered = {
        "protopayload_auditlog": {k.lower(): v for k, v in row["protopayload_auditlog"].items()},
        "insertid": row["insertId"],
        "timestamp": "1720137015.079183",
    }
    request = parsed(lowered)
    assert request.request_id == "gar-1rtjfyxd1d41" and request.status_code == 404
    assert request.occurred_at.isoformat().startswith("2024-07-04T23:50:15.0791")
    assert bigquery_time("2024-07-04 23:50:15 UTC") == "2024-07-04T23:50:15Z"
    broken = copy.deepcopy(row)
    broken["protopayload_auditlog"]["requestJson"] = "{"
    result = parse_gar_line(json.dumps(broken), 1)
    assert result == Malformed("requestJson is not JSON")


def test_bigquery_export_ingested_once_and_detected(tmp_path: Path) -> None:
    entries = [
        REAL_HEAD_MANIFEST,
        entry("Docker-GetManifest", "GET", f"{IMAGE}/manifests/v1", "g1"),
        entry("Docker-PutManifest", "PUT", f"{IMAGE}/manifests/v1", "p1"),
    ]
    rows = [as_bigquery_row(log_entry, "nested") for log_entry in entries]
    export = tmp_path / "data_access.json"
    export.write_text("\n".join(json.dumps(row) for row in rows) + "\n")
    assert detect_source(export) == "gar"
    first = ingest(tmp_path, str(export))
    assert "written: 2 row(s)" in first and "not a pull request (push_or_delete): 1" in first
    again = ingest(tmp_path, "--source", "gar", str(export))
    assert "written: 0 row(s)" in again and "already present under the raw path: 2" in again
