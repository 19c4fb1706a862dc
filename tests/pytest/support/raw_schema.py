"""The raw-data contract as Arrow schemas, written out independently of the generator's
own schemas: the generator's test checks its output against them, and tests that write
their own small raw datasets use the request table's."""

from __future__ import annotations

import pyarrow as pa

UTC_US = pa.timestamp("us", tz="UTC")

RAW_REQUESTS_SCHEMA = pa.schema(
    [
        ("event_id", pa.string()),
        ("occurred_at", UTC_US),
        ("http_method", pa.string()),
        ("object_type", pa.string()),
        ("repository", pa.string()),
        ("reference", pa.string()),
        ("response_digest", pa.string()),
        ("media_type", pa.string()),
        ("status_code", pa.int32()),
        ("response_bytes", pa.int64()),
        ("client_ip", pa.string()),
        ("user_agent", pa.string()),
        ("account_id", pa.string()),
    ]
)

RAW_ACCOUNTS_SCHEMA = pa.schema([("account_id", pa.string()), ("email_domain", pa.string())])

RAW_EXTENSION_EVENTS_SCHEMA = pa.schema(
    [
        ("event_id", pa.string()),
        ("occurred_at", UTC_US),
        ("extension", pa.string()),
        ("event_type", pa.string()),
        ("account_id", pa.string()),
        ("client_ip", pa.string()),
    ]
)

RAW_TAG_PUSHES_SCHEMA = pa.schema(
    [
        ("event_id", pa.string()),
        ("pushed_at", UTC_US),
        ("repository", pa.string()),
        ("tag", pa.string()),
        ("manifest_digest", pa.string()),
        ("media_type", pa.string()),
    ]
)
