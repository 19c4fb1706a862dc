"""Arrow schemas of the raw tables and the conversion of coded rows to them."""

from __future__ import annotations

import datetime

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from registry_insights.generator.identifiers import uuid_strings
from registry_insights.generator.image_catalog import MEDIA_TYPES
from registry_insights.generator.rows import METHODS, OBJECT_TYPES, RequestRows
from registry_insights.generator.world import World

TIMESTAMP = pa.timestamp("us", tz="UTC")

REQUESTS_SCHEMA = pa.schema(
    [
        pa.field("event_id", pa.string()),
        pa.field("occurred_at", TIMESTAMP),
        pa.field("http_method", pa.string()),
        pa.field("object_type", pa.string()),
        pa.field("repository", pa.string()),
        pa.field("reference", pa.string()),
        pa.field("response_digest", pa.string()),
        pa.field("media_type", pa.string()),
        pa.field("status_code", pa.int32()),
        pa.field("response_bytes", pa.int64()),
        pa.field("client_ip", pa.string()),
        pa.field("user_agent", pa.string()),
        pa.field("account_id", pa.string()),
    ]
)

EXTENSIONS_SCHEMA = pa.schema(
    [
        pa.field("event_id", pa.string()),
        pa.field("occurred_at", TIMESTAMP),
        pa.field("extension", pa.string()),
        pa.field("event_type", pa.string()),
        pa.field("account_id", pa.string()),
        pa.field("client_ip", pa.string()),
    ]
)

#: The scanner tables (raw_image_scans, raw_image_vulnerabilities), written by
#: `registry-insights ingest-scan` and, for the demo, by the generator.
SCANS_SCHEMA = pa.schema(
    [
        pa.field("scan_id", pa.string()),
        pa.field("scanned_at", TIMESTAMP),
        pa.field("scanner", pa.string()),
        pa.field("scanner_version", pa.string()),
        pa.field("repository", pa.string()),
        pa.field("manifest_digest", pa.string()),
        pa.field("platform", pa.string()),
        pa.field("source_format", pa.string()),
    ]
)

VULNERABILITIES_SCHEMA = pa.schema(
    [
        pa.field("scan_id", pa.string()),
        pa.field("vulnerability_id", pa.string()),
        pa.field("severity", pa.string()),
        pa.field("package_name", pa.string()),
        pa.field("package_type", pa.string()),
        pa.field("installed_version", pa.string()),
        pa.field("fixed_version", pa.string()),
        pa.field("status", pa.string()),
        pa.field("cvss_score", pa.float64()),
        pa.field("layer_digest", pa.string()),
        pa.field("title", pa.string()),
        pa.field("primary_url", pa.string()),
    ]
)

#: raw_tag_pushes: one manifest pushed by tag, from the registry's push notifications
#: (written by `registry-insights collector-export` and `ingest --notifications`).
TAG_PUSHES_SCHEMA = pa.schema(
    [
        pa.field("event_id", pa.string()),
        pa.field("pushed_at", TIMESTAMP),
        pa.field("repository", pa.string()),
        pa.field("tag", pa.string()),
        pa.field("manifest_digest", pa.string()),
        pa.field("media_type", pa.string()),
    ]
)

_METHOD_VOCAB = pa.array(METHODS, type=pa.string())
_OBJECT_VOCAB = pa.array(OBJECT_TYPES, type=pa.string())
_MEDIA_VOCAB = pa.array(MEDIA_TYPES, type=pa.string())


def epoch_us(day: datetime.date) -> int:
    """Microseconds from the Unix epoch to midnight UTC of ``day``."""
    return (day - datetime.date(1970, 1, 1)).days * 86_400_000_000


def lookup(
    vocab: pa.Array, codes: NDArray[np.integer], null: NDArray[np.bool_] | None = None
) -> pa.Array:
    """Values of ``vocab`` at ``codes``; a negative code (or ``null``) gives null."""
    mask = codes < 0 if null is None else (codes < 0) | null
    indices = pa.array(np.maximum(codes, 0).astype(np.int32), mask=mask if mask.any() else None)
    return pc.take(vocab, indices)


def timestamps(ts: NDArray[np.int64], start: datetime.date) -> pa.Array:
    return pa.array(ts + epoch_us(start), type=TIMESTAMP)


def requests_table(w: World, rows: RequestRows) -> pa.Table:
    """The ``raw_registry_requests`` rows of a coded block."""
    clients = w.clients
    event_id: pa.Array = uuid_strings(rows.eid)
    if rows.eid_null.any():
        event_id = pc.if_else(pa.array(rows.eid_null), pa.scalar(None, pa.string()), event_id)
    return pa.Table.from_arrays(
        [
            event_id,
            timestamps(rows.ts, w.config.start_date),
            lookup(_METHOD_VOCAB, rows.method),
            lookup(_OBJECT_VOCAB, rows.obj),
            lookup(w.repository_vocab, rows.repo),
            lookup(w.catalog.reference_vocab, rows.ref),
            lookup(w.catalog.reference_vocab, rows.resp),
            lookup(_MEDIA_VOCAB, rows.media),
            pa.array(rows.status, type=pa.int32()),
            pa.array(rows.nbytes, type=pa.int64(), mask=rows.nbytes < 0),
            lookup(clients.address_vocab, clients.address[rows.client], rows.ip_null),
            lookup(clients.agent_vocab, clients.agent[rows.client]),
            lookup(w.account_vocab, rows.account),
        ],
        schema=REQUESTS_SCHEMA,
    )
