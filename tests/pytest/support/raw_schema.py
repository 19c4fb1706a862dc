"""The Arrow schema of the raw-data contract's request table, for tests that write
their own small raw datasets (the generator's test states it independently)."""

from __future__ import annotations

import pyarrow as pa

RAW_REQUESTS_SCHEMA = pa.schema(
    [
        ("event_id", pa.string()),
        ("occurred_at", pa.timestamp("us", tz="UTC")),
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
