"""An independent Python reading of the raw-data contract, for whole-warehouse tests.

It re-states the contract's validity rules in Python (not by calling the SQL), so
that the staging layer and the classification are both checked against code that
does not share their implementation.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pyarrow.dataset as ds

from registry_insights.pull_actions import ManifestRequest

DIGEST = re.compile(r"sha256:[0-9a-f]{64}")
TAG = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]{0,127}")
NAME_COMPONENT = r"[a-z0-9]+(?:(?:[.]|_|__|-+)[a-z0-9]+)*"
REPOSITORY = re.compile(rf"{NAME_COMPONENT}(?:/{NAME_COMPONENT})+")
CLIENT_IP = re.compile(r"[0-9A-Fa-f.:]+(?:%[0-9A-Za-z_.-]+)?")
REQUIRED = (
    "event_id",
    "occurred_at",
    "http_method",
    "object_type",
    "repository",
    "reference",
    "status_code",
    "client_ip",
)


@dataclass(frozen=True)
class ContractReading:
    """Raw rows split the way the contract says."""

    raw_rows: int
    valid: list[dict[str, object]]
    quarantined: Counter[str]
    redelivered: int


def read_raw_requests(raw_path: Path) -> list[dict[str, object]]:
    dataset = ds.dataset(raw_path / "raw_registry_requests", format="parquet")
    rows: list[dict[str, object]] = dataset.to_table().to_pylist()
    return rows


def breaks_contract(row: dict[str, object], now: datetime) -> str | None:
    """The reason a raw row is quarantined, or None when it is valid."""
    for column in REQUIRED:
        if row.get(column) is None:
            return f"missing_{column}"
    method = str(row["http_method"]).upper()
    object_type = str(row["object_type"]).lower()
    reference = str(row["reference"])
    if method not in ("GET", "HEAD"):
        return "unknown_http_method"
    if object_type not in ("manifest", "blob"):
        return "unknown_object_type"
    if not REPOSITORY.fullmatch(str(row["repository"])):
        return "malformed_repository"
    is_digest = DIGEST.fullmatch(reference) is not None
    if not is_digest and ":" in reference:
        return "malformed_digest"
    if not is_digest and not TAG.fullmatch(reference):
        return "malformed_tag"
    if object_type == "blob" and not is_digest:
        return "blob_not_by_digest"
    response_digest = row.get("response_digest")
    if response_digest is not None and not DIGEST.fullmatch(str(response_digest)):
        return "malformed_response_digest"
    status = int(str(row["status_code"]))
    if not 100 <= status <= 599:
        return "invalid_status_code"
    response_bytes = row.get("response_bytes")
    if response_bytes is not None and int(str(response_bytes)) < 0:
        return "negative_response_bytes"
    if not CLIENT_IP.fullmatch(str(row["client_ip"])):
        return "malformed_client_ip"
    occurred_at = row["occurred_at"]
    assert isinstance(occurred_at, datetime)
    if occurred_at.astimezone(UTC) > now:
        return "future_timestamp"
    return None


def split_by_contract(rows: list[dict[str, object]]) -> ContractReading:
    now = datetime.now(UTC)
    valid_by_id: dict[str, dict[str, object]] = {}
    quarantined: Counter[str] = Counter()
    redelivered = 0
    for row in rows:
        reason = breaks_contract(row, now)
        if reason is not None:
            quarantined[reason] += 1
            continue
        event_id = str(row["event_id"])
        if event_id in valid_by_id:
            redelivered += 1
            continue
        valid_by_id[event_id] = row
    return ContractReading(len(rows), list(valid_by_id.values()), quarantined, redelivered)


def as_manifest_request(row: dict[str, object]) -> ManifestRequest:
    occurred_at = row["occurred_at"]
    assert isinstance(occurred_at, datetime)
    return ManifestRequest(
        event_id=str(row["event_id"]),
        occurred_at=occurred_at.astimezone(UTC).replace(tzinfo=None),
        http_method=str(row["http_method"]).upper(),
        repository=str(row["repository"]),
        reference=str(row["reference"]),
        response_digest=_optional(row.get("response_digest")),
        client_ip=_optional(row.get("client_ip")),
        user_agent=_optional(row.get("user_agent")),
        account_id=_optional(row.get("account_id")),
        status_code=int(str(row["status_code"])),
        object_type=str(row["object_type"]).lower(),
    )


def _optional(value: object) -> str | None:
    return None if value is None else str(value)
