"""Rows of the raw contract's ``raw_registry_requests`` table and their Arrow schema."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import asdict, dataclass

import pyarrow as pa

from registry_insights.generator.tables import REQUESTS_SCHEMA

TABLE = "raw_registry_requests"

#: The contract's columns and types (the generator writes the same schema).
SCHEMA = REQUESTS_SCHEMA


@dataclass(frozen=True)
class RawRequest:
    """One request, in the contract's columns (see the sources YAML)."""

    event_id: str
    occurred_at: datetime.datetime
    http_method: str
    object_type: str
    repository: str
    reference: str
    response_digest: str | None
    media_type: str | None
    status_code: int
    response_bytes: int | None
    client_ip: str | None
    user_agent: str | None
    account_id: str | None

    @property
    def day(self) -> datetime.date:
        return self.occurred_at.astimezone(datetime.UTC).date()


def to_table(rows: Iterable[RawRequest]) -> pa.Table:
    return pa.Table.from_pylist([asdict(row) for row in rows], schema=SCHEMA)
