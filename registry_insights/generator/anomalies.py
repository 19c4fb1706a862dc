"""What happens to rows after the clients emitted them.

* response fields the registry derives (object type, media type, body size);
* server noise: 5xx failures (mostly retried), a missing digest header on some
  tag responses, an unknown body size now and then;
* contract-breaking rows, each broken in one known way (``INVALID_REASONS``);
* redelivered duplicates (exact copies, same event id).

Protected rows (edge cases) are never altered.
"""

from __future__ import annotations

import datetime

import numpy as np
from numpy.typing import NDArray

from registry_insights.generator.identifiers import random_uuid_bytes
from registry_insights.generator.image_catalog import DIGEST_CONFIG, DIGEST_LAYER, Catalog
from registry_insights.generator.rows import BLOB, HEAD, MANIFEST, POST, PUT, TAG_LIST, RequestRows
from registry_insights.generator.sequences import gap_us

DAY_US = 86_400_000_000
FUTURE_DATE = datetime.date(2099, 1, 1)

INVALID_REASONS: tuple[str, ...] = (
    "method_post",
    "method_put",
    "digest_garbage",
    "digest_uppercase",
    "digest_short",
    "null_event_id",
    "null_repository",
    "null_client_ip",
    "future_timestamp",
    "object_tag_list",
)
FUTURE_REASON = INVALID_REASONS.index("future_timestamp")

#: Body sizes of error responses to GET.
_ERROR_BYTES = {401: 157, 404: 96, 429: 198, 500: 69, 502: 166, 503: 102, 504: 162}
_SERVER_ERRORS = np.asarray([500, 502, 503, 504])

NULL_DIGEST_RATE = 0.005
NULL_BYTES_RATE = 0.003
SERVER_ERROR_RATE = 0.001
#: Share of rows added by retried server errors (used to size blocks).
RETRY_ROW_SHARE = SERVER_ERROR_RATE * 0.7


def derive_response(cat: Catalog, rows: RequestRows) -> None:
    """Fill object type, media type and body size from the reference and the answer."""
    n_digests = len(cat.digest_kind)
    digest = rows.ref - cat.n_tag_names
    is_digest = (digest >= 0) & (digest < n_digests)
    kind = np.where(is_digest, cat.digest_kind[np.clip(digest, 0, n_digests - 1)], -1)
    rows.obj[:] = np.where((kind == DIGEST_CONFIG) | (kind == DIGEST_LAYER), BLOB, MANIFEST)
    ok = (rows.status >= 200) & (rows.status < 300) & (rows.resp >= 0)
    answer = np.clip(rows.resp - cat.n_tag_names, 0, n_digests - 1)
    rows.media[:] = np.where(ok, cat.digest_media[answer], -1)
    error_bytes = np.zeros(len(rows), dtype=np.int64)
    for status, size in _ERROR_BYTES.items():
        error_bytes[rows.status == status] = size
    body = np.where(ok, cat.digest_size[answer], error_bytes)
    rows.nbytes[:] = np.where(rows.method == HEAD, 0, body)
    rows.resp[rows.hide] = -1


def add_server_noise(cat: Catalog, rng: np.random.Generator, rows: RequestRows) -> RequestRows:
    """Missing digest headers, unknown sizes and 5xx failures (70% retried successfully)."""
    n = len(rows)
    free = ~rows.protected
    tag_answer = (rows.ref < cat.n_tag_names) & (rows.status == 200) & free
    rows.resp[tag_answer & (rng.random(n) < NULL_DIGEST_RATE)] = -1
    rows.nbytes[free & (rng.random(n) < NULL_BYTES_RATE)] = -1

    failing = np.flatnonzero(free & (rows.status == 200) & (rng.random(n) < SERVER_ERROR_RATE))
    if len(failing) == 0:
        return rows
    status = _SERVER_ERRORS[rng.integers(0, len(_SERVER_ERRORS), len(failing))]
    retried = rng.random(len(failing)) < 0.7
    failed = rows.take(failing)
    failed.status[:] = status
    failed.resp[:] = -1
    failed.media[:] = -1
    failed.nbytes[:] = np.where(failed.method == HEAD, 0, [_ERROR_BYTES[int(s)] for s in status])
    # A retried failure is an earlier attempt; an unretried one replaces the success.
    failed.ts[retried] -= gap_us(rng, int(retried.sum()), 400.0, 1.0)
    keep = np.ones(n, dtype=np.bool_)
    keep[failing[~retried]] = False
    return RequestRows.concat([rows.take(keep), failed])


def assign_event_ids(rng: np.random.Generator, rows: RequestRows) -> None:
    rows.eid[:] = random_uuid_bytes(rng, len(rows))


def break_contract(
    cat: Catalog, rng: np.random.Generator, rows: RequestRows, count: int, first_reason: int
) -> tuple[RequestRows, RequestRows, NDArray[np.int8]]:
    """Break ``count`` rows, one reason each, reasons in turn from ``first_reason``.

    Returns (rows still dated in the period, future-dated rows, reason per broken row of the
    first table, -1 for intact rows).
    """
    reasons = np.full(len(rows), -1, dtype=np.int8)
    candidates = np.flatnonzero(~rows.protected)
    count = min(count, len(candidates))
    if count == 0:
        return rows, rows.take(np.zeros(len(rows), dtype=np.bool_)), reasons
    picked: NDArray[np.int64] = np.sort(rng.choice(candidates, size=count, replace=False))
    reason = (first_reason + np.arange(count)) % len(INVALID_REASONS)
    reasons[picked] = reason

    def at(name: str) -> NDArray[np.int64]:
        selected: NDArray[np.int64] = picked[reason == INVALID_REASONS.index(name)]
        return selected

    rows.method[at("method_post")] = POST
    rows.method[at("method_put")] = PUT
    for name, pool in (
        ("digest_garbage", cat.malformed_garbage),
        ("digest_uppercase", cat.malformed_upper),
        ("digest_short", cat.malformed_short),
    ):
        idx = at(name)
        rows.ref[idx] = pool[rng.integers(0, len(pool), len(idx))]
    rows.eid_null[at("null_event_id")] = True
    rows.repo[at("null_repository")] = -1
    rows.ip_null[at("null_client_ip")] = True
    rows.obj[at("object_tag_list")] = TAG_LIST
    future = np.zeros(len(rows), dtype=np.bool_)
    future[at("future_timestamp")] = True
    return rows.take(~future), rows.take(future), reasons[~future]


def future_time(rows: RequestRows, start_date: datetime.date) -> None:
    """Move rows to the same time of day on 2099-01-01 (a producer with a broken clock)."""
    offset = (FUTURE_DATE - start_date).days * DAY_US
    rows.ts[:] = offset + rows.ts % DAY_US


def duplicate(
    rng: np.random.Generator, rows: RequestRows, count: int, eligible: NDArray[np.bool_]
) -> RequestRows:
    """Exact copies of ``count`` eligible rows (redelivered events)."""
    candidates = np.flatnonzero(eligible)
    count = min(count, len(candidates))
    picked = np.sort(rng.choice(candidates, size=count, replace=False))
    return rows.take(picked)
