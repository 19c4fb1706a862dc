"""Google Artifact Registry: Data Access audit log entries, as the raw contract's requests.

One Cloud Logging ``LogEntry`` per line (a sink to Cloud Storage writes JSON lines; for
``gcloud logging read --format=json``, which prints one array, pipe it through
``jq -c '.[]'``). Artifact Registry writes one entry per API request, with
``protoPayload.methodName``:

- ``Docker-GetManifest``, ``Docker-HeadManifest`` and ``Docker-ServeBlob`` are the
  contract's requests (method from ``protoPayload.request.requestMethod``, repository
  and reference from ``requestUrl``);
- the other ``Docker-*`` methods (``Docker-GetTags``, ``Docker-Catalog``, and the
  DATA_WRITE ones of a push, ``Docker-HeadBlob`` among them) are counted by category;
- entries of other services are counted as ``not_artifact_registry``.

``event_id`` is ``gar-`` + ``insertId``; ``client_ip`` is ``requestMetadata.callerIp``
(``gcp-internal-ip``, Google's own callers, becomes null); ``user_agent`` is
``callerSuppliedUserAgent``; ``account_id`` is ``authenticationInfo.principalEmail``.
The status is mapped from the gRPC ``protoPayload.status.code`` (no status: 200). The
entries carry no bytes, no media type and no resolved digest.

A line may also be a row of the table a Cloud Logging **BigQuery sink** writes
(``cloudaudit_googleapis_com_data_access``, exported with ``bq extract
--destination_format NEWLINE_DELIMITED_JSON`` or a query's JSON results). Logging's
documented renaming is undone: ``protoPayload`` is the column
``protopayload_auditlog``, its ``request`` Struct the JSON string ``requestJson``; the
other fields keep their names (``requestMetadata.callerIp``,
``authenticationInfo.principalEmail``, ``status.code``, ``insertId``, ``timestamp``).
A row may be nested (``{"protopayload_auditlog": {"requestMetadata": {...}}}``) or
flattened, its column names joined with dots
(``"protopayload_auditlog.requestMetadata.callerIp"``) or with underscores as legacy
SQL's flattened results are (``protopayload_auditlog_requestMetadata_callerIp``);
names are matched without regard to case, as BigQuery does. ``timestamp`` is read in
BigQuery's export form (``2024-07-04 23:50:15.079183 UTC``), RFC 3339, or epoch
seconds (the API's ``1.720137015079183E9``); an INT64 exported as a string (the status
code) is read as a number.
"""

from __future__ import annotations

import datetime
import json
import re
from typing import Any

from registry_insights.ingest.api_paths import classify_path
from registry_insights.ingest.log_lines import (
    LoggedRequest,
    Malformed,
    NotARequest,
    ParsedLine,
    client_address,
)
from registry_insights.ingest.timestamps import parse_rfc3339

SERVICE = "artifactregistry.googleapis.com"
PULL_METHODS = {
    "Docker-GetManifest": "GET",
    "Docker-HeadManifest": "HEAD",
    "Docker-ServeBlob": "GET",
}
READ_CATEGORIES = {"Docker-GetTags": "tags_list", "Docker-Catalog": "catalog"}
INTERNAL_CALLER = "gcp-internal-ip"
#: The BigQuery column of an audit log entry's ``protoPayload``.
BIGQUERY_PAYLOAD = "protopayload_auditlog"
_BIGQUERY_TIME = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})[ T](?P<time>\d{2}:\d{2}:\d{2}(?:\.\d+)?)"
    r"\s*(?:UTC|Z|\+00(?::?00)?)?"
)
PREFIX = "gar-"
#: gRPC status codes as HTTP statuses (google.rpc.Code's documented HTTP mapping).
GRPC_TO_HTTP = {
    0: 200,
    1: 499,
    2: 500,
    3: 400,
    4: 504,
    5: 404,
    6: 409,
    7: 403,
    8: 429,
    9: 400,
    10: 409,
    11: 400,
    12: 501,
    13: 500,
    14: 503,
    15: 500,
    16: 401,
}


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def is_audit_entry(fields: dict[str, Any]) -> bool:
    return isinstance(fields.get("protoPayload"), dict) or is_bigquery_row(fields)


def is_bigquery_row(fields: dict[str, Any]) -> bool:
    """A row of a BigQuery sink's audit log table (nested or flattened)."""
    return any(str(key).lower().startswith(BIGQUERY_PAYLOAD) for key in fields)


def _column(row: dict[str, Any], *path: str) -> Any:
    """A BigQuery column by its path: nested, dotted or underscored, any case."""
    lowered = {str(key).lower(): value for key, value in row.items()}
    for joiner in (".", "_"):
        flat = joiner.join(path).lower()
        if flat in lowered:
            return lowered[flat]
    head = lowered.get(path[0].lower())
    if len(path) > 1 and isinstance(head, dict):
        return _column(head, *path[1:])
    return head if len(path) == 1 else None


def bigquery_time(value: Any) -> str | None:
    """A BigQuery TIMESTAMP as exported (``2024-07-04 23:50:15.079183 UTC``), in RFC
    3339, or as epoch seconds, as an RFC 3339 text."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds: float | None = float(value)
    elif isinstance(value, str) and re.fullmatch(r"\d+(?:\.\d+)?(?:[eE][+-]?\d+)?", value):
        seconds = float(value)
    else:
        seconds = None
    if seconds is not None:
        stamp = datetime.datetime.fromtimestamp(seconds, tz=datetime.UTC)
        return stamp.isoformat()
    if not isinstance(value, str):
        return None
    match = _BIGQUERY_TIME.fullmatch(value.strip())
    if match is None:
        return value
    return f"{match['date']}T{match['time']}Z"


def _integer(value: Any) -> Any:
    return int(value) if isinstance(value, str) and re.fullmatch(r"-?\d+", value) else value


def entry_from_bigquery(row: dict[str, Any]) -> dict[str, Any] | Malformed:
    """The ``LogEntry`` a BigQuery sink's row was made from, as far as it is read."""
    request = _column(row, BIGQUERY_PAYLOAD, "requestJson")
    if isinstance(request, str):
        try:
            request = json.loads(request)
        except (json.JSONDecodeError, RecursionError):
            return Malformed("requestJson is not JSON")
    code = _integer(_column(row, BIGQUERY_PAYLOAD, "status", "code"))
    payload: dict[str, Any] = {
        "serviceName": _column(row, BIGQUERY_PAYLOAD, "serviceName"),
        "methodName": _column(row, BIGQUERY_PAYLOAD, "methodName"),
        "request": request if isinstance(request, dict) else {},
        "requestMetadata": {
            "callerIp": _column(row, BIGQUERY_PAYLOAD, "requestMetadata", "callerIp"),
            "callerSuppliedUserAgent": _column(
                row, BIGQUERY_PAYLOAD, "requestMetadata", "callerSuppliedUserAgent"
            ),
        },
        "authenticationInfo": {
            "principalEmail": _column(row, BIGQUERY_PAYLOAD, "authenticationInfo", "principalEmail")
        },
    }
    if code is not None:
        payload["status"] = {"code": code}
    return {
        "protoPayload": payload,
        "insertId": _column(row, "insertId"),
        "timestamp": bigquery_time(_column(row, "timestamp")),
    }


def entry_request(entry: dict[str, Any], line_number: int) -> ParsedLine:
    """One audit log entry (a parsed ``LogEntry``)."""
    payload = _dict(entry.get("protoPayload"))
    if not payload:
        return Malformed("not a Cloud Audit Logs entry (no protoPayload)")
    if payload.get("serviceName") != SERVICE:
        return NotARequest("not_artifact_registry")
    method_name = str(payload.get("methodName") or "")
    if method_name not in PULL_METHODS:
        if method_name in READ_CATEGORIES:
            return NotARequest(READ_CATEGORIES[method_name])
        return NotARequest("push_or_delete" if method_name.startswith("Docker-") else "other_api")
    request = _dict(payload.get("request"))
    url = _text(request.get("requestUrl"))
    if url is None:
        return Malformed(f"{method_name} entry without request.requestUrl")
    target = classify_path(url)
    if isinstance(target, str):
        return Malformed(f"{method_name} entry whose requestUrl is {target}")
    stamp = _text(entry.get("timestamp"))
    occurred_at = parse_rfc3339(stamp) if stamp else None
    if occurred_at is None:
        return Malformed(f"unreadable timestamp {stamp!r}")
    insert_id = _text(entry.get("insertId"))
    if insert_id is None:
        return Malformed("entry without insertId")
    code = _dict(payload.get("status")).get("code", 0)
    status = GRPC_TO_HTTP.get(code, 500) if isinstance(code, int) else 500
    metadata = _dict(payload.get("requestMetadata"))
    caller = _text(metadata.get("callerIp"))
    authentication = _dict(payload.get("authenticationInfo"))
    return LoggedRequest(
        line_number=line_number,
        request_id=PREFIX + insert_id,
        occurred_at=occurred_at,
        http_method=(_text(request.get("requestMethod")) or PULL_METHODS[method_name]).upper(),
        api=target,
        status_code=status,
        response_bytes=None,
        client_ip=None if caller in (None, INTERNAL_CALLER) else client_address(caller),
        user_agent=_text(metadata.get("callerSuppliedUserAgent")),
        account_id=_text(authentication.get("principalEmail")),
        content_type=None,
    )


def parse_gar_line(line: str, line_number: int) -> ParsedLine | None:
    """One JSON line of exported audit log entries; None for a blank line."""
    stripped = line.strip().lstrip("\x00").strip()
    if not stripped:
        return None
    try:
        fields = json.loads(stripped)
    except (json.JSONDecodeError, RecursionError):
        return Malformed("invalid JSON")
    if not isinstance(fields, dict):
        return Malformed("JSON line is not an object (a gcloud array? pipe it through jq -c '.[]')")
    if "protoPayload" not in fields and is_bigquery_row(fields):
        entry = entry_from_bigquery(fields)
        return entry if isinstance(entry, Malformed) else entry_request(entry, line_number)
    return entry_request(fields, line_number)
