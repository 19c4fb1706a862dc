"""The request sequences clients emit, vectorised over many sessions at once.

A *session* is one action of one client: a pull, a version check, a replication
run, ... Each sequence function takes a batch of sessions and emits their rows:

* ``head_pull`` (docker engine, containerd, buildkit): HEAD by tag; unless the
  image is cached, GET the index by digest, GET the platform manifest by digest
  (or GET the single manifest by digest), then the blobs.
* ``get_pull`` (cri-o, podman, skopeo, kaniko, scripts): GET by tag, then the
  platform manifest by digest for a multi-arch image, then the blobs.
* ``version_check`` (CI jobs, bots): HEAD by tag only.
* ``digest_pull``: HEAD digest, GET digest, GET platform digest (or GET digest
  directly), pinned to an image that may be weeks old.
* ``replication``: 10-30 manifest GETs by digest back to back, then blobs.
* ``scan``: GET by tag, GET every platform manifest, GET their config blobs.
* ``not_found`` (404 on unknown tags) and ``denied`` (401 without a retry).

Authenticated clients are sometimes first answered 401 and retry a few ms later;
anonymous ones are sometimes rate limited (429).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields

import numpy as np
from numpy.typing import NDArray

from registry_insights.generator.client_kinds import (
    SEQ_DENIED,
    SEQ_DIGEST_PULL,
    SEQ_GET_PULL,
    SEQ_HEAD_PULL,
    SEQ_NOT_FOUND,
    SEQ_REPLICATION,
    SEQ_SCAN,
    SEQ_VERSION_CHECK,
)
from registry_insights.generator.rows import GET, HEAD, RowSink
from registry_insights.generator.world import World

DAY_US = 86_400_000_000
Int32Array = NDArray[np.int32]
Int64Array = NDArray[np.int64]
BoolArray = NDArray[np.bool_]


@dataclass
class Sessions:
    """A batch of sessions: who, what and when."""

    sid: Int32Array
    client: Int32Array
    kind: NDArray[np.int8]
    repo: Int32Array
    tag: Int32Array
    account: Int32Array
    t0: Int64Array
    arm: BoolArray

    def __len__(self) -> int:
        return len(self.sid)

    def take(self, index: NDArray[np.integer] | BoolArray) -> Sessions:
        return Sessions(**{f.name: getattr(self, f.name)[index] for f in fields(self)})


def gap_us(rng: np.random.Generator, n: int, median_ms: float, sigma: float = 0.6) -> Int64Array:
    """Positive delays around ``median_ms`` milliseconds, in microseconds."""
    delay = rng.lognormal(np.log(median_ms * 1_000.0), sigma, n)
    return np.maximum(delay, 150.0).astype(np.int64)


def emit(
    sink: RowSink,
    s: Sessions,
    ts: Int64Array,
    method: NDArray[np.integer] | int,
    ref: NDArray[np.integer] | int,
    resp: NDArray[np.integer] | int,
    status: NDArray[np.integer] | int,
    *,
    account: Int32Array | None = None,
    repo: Int32Array | None = None,
    protected: bool = False,
    hide: bool = False,
) -> None:
    sink.emit(
        session=s.sid,
        client=s.client,
        repo=s.repo if repo is None else repo,
        account=s.account if account is None else account,
        ts=ts,
        method=method,
        ref=ref,
        resp=resp,
        status=status,
        protected=protected,
        hide=hide,
    )


def first_request(
    w: World,
    rng: np.random.Generator,
    sink: RowSink,
    s: Sessions,
    method: NDArray[np.integer] | int,
    ref: NDArray[np.integer],
    resp: NDArray[np.integer],
    status: NDArray[np.integer] | int,
) -> None:
    """The session's first request, after a 401 challenge for some authenticated clients."""
    n = len(s)
    challenged = (s.account >= 0) & (rng.random(n) < w.challenge_rate[s.kind])
    if challenged.any():
        c = s.take(challenged)
        m = method[challenged] if isinstance(method, np.ndarray) else method
        emit(
            sink,
            c,
            c.t0 - gap_us(rng, len(c), 12.0),
            m,
            ref[challenged],
            -1,
            401,
            account=np.full(len(c), -1, dtype=np.int32),
        )
    emit(sink, s, s.t0, method, ref, resp, status)


def resolve_tags(w: World, rng: np.random.Generator, s: Sessions) -> tuple[Int32Array, Int32Array]:
    """(tag entry, image) per session; a tag that does not exist yet mostly becomes the default."""
    cat = w.catalog
    image = cat.resolve(s.tag, s.t0)
    fallback = (image < 0) & (rng.random(len(s)) < 0.85)
    tag = np.where(fallback, cat.repo_default_tag[s.repo], s.tag).astype(np.int32)
    image = np.where(fallback, cat.resolve(tag, s.t0), image).astype(np.int32)
    return tag, image


def is_cached(w: World, rng: np.random.Generator, s: Sessions, image: Int32Array) -> BoolArray:
    """Whether the client already has the image: less likely for images pushed recently."""
    age = s.t0 - w.catalog.image_created[image]
    freshness = np.where(age < 6 * 3_600_000_000, 0.25, np.where(age < 2 * DAY_US, 0.6, 1.0))
    return np.asarray(rng.random(len(s)) < w.cache_rate[s.kind] * freshness, dtype=np.bool_)


def fetch_blobs(
    w: World,
    rng: np.random.Generator,
    sink: RowSink,
    s: Sessions,
    manifest: Int32Array,
    t_start: Int64Array,
) -> None:
    """Config blob then the layers a client lacks (all of them on a cold pull), 3 at a time."""
    n = len(s)
    if n == 0:
        return
    cat = w.catalog
    count = cat.man_layer_count[manifest]
    cold = rng.random(n) < w.cold_rate[s.kind]
    k = np.where(cold, count, np.minimum(count, rng.integers(1, 4, n))).astype(np.int64)
    head_p = w.head_blobs[s.kind]
    t_cfg = t_start + gap_us(rng, n, 25.0)
    config = cat.digest_code(cat.man_config[manifest])
    emit(sink, s, t_cfg, np.where(rng.random(n) < head_p, HEAD, GET), config, config, 200)
    total = int(k.sum())
    rep = np.repeat(np.arange(n), k)
    pos = np.arange(total) - np.repeat(np.cumsum(k) - k, k)
    layer = cat.layer_digest[cat.man_layer_start[manifest][rep] + count[rep] - k[rep] + pos]
    slot = rng.lognormal(np.log(1.5e6), 1.0, n).astype(np.int64)
    ts = t_cfg[rep] + gap_us(rng, total, 15.0) + (pos // 3) * slot[rep]
    code = cat.digest_code(layer)
    method = np.where(rng.random(total) < head_p[rep], HEAD, GET)
    emit(sink, s.take(rep), ts, method, code, code, 200)


def _manifest_get_then_blobs(
    w: World,
    rng: np.random.Generator,
    sink: RowSink,
    s: Sessions,
    image: Int32Array,
    t_last: Int64Array,
) -> None:
    """GET the platform manifest of multi-arch images by digest, then fetch blobs."""
    cat = w.catalog
    manifest = cat.platform_manifest(image, s.arm)
    multi = cat.image_index[image] >= 0
    if multi.any():
        m = s.take(multi)
        t_plat = t_last[multi] + gap_us(rng, len(m), 30.0)
        code = cat.digest_code(cat.man_digest[manifest[multi]])
        emit(sink, m, t_plat, GET, code, code, 200)
        t_last = t_last.copy()
        t_last[multi] = t_plat
    fetch_blobs(w, rng, sink, s, manifest, t_last)


def head_pull(w: World, rng: np.random.Generator, sink: RowSink, s: Sessions) -> None:
    cat = w.catalog
    n = len(s)
    tag, image = resolve_tags(w, rng, s)
    found = image >= 0
    top = np.where(found, cat.digest_code(cat.top_digest(np.maximum(image, 0))), -1)
    first_request(w, rng, sink, s, HEAD, cat.tag_name[tag], top, np.where(found, 200, 404))
    download = found & ~is_cached(w, rng, s, np.maximum(image, 0))
    limited = download & (s.account < 0) & (rng.random(n) < w.rate_limit[s.kind])
    t1 = s.t0 + gap_us(rng, n, 40.0)
    if limited.any():
        lim = s.take(limited)
        emit(sink, lim, t1[limited], GET, top[limited], -1, 429)
    go = download & ~limited
    d = s.take(go)
    emit(sink, d, t1[go], GET, top[go], top[go], 200)
    _manifest_get_then_blobs(w, rng, sink, d, image[go], t1[go])


def get_pull(w: World, rng: np.random.Generator, sink: RowSink, s: Sessions) -> None:
    cat = w.catalog
    n = len(s)
    tag, image = resolve_tags(w, rng, s)
    found = image >= 0
    top = np.where(found, cat.digest_code(cat.top_digest(np.maximum(image, 0))), -1)
    limited = found & (s.account < 0) & (rng.random(n) < w.rate_limit[s.kind])
    status = np.where(limited, 429, np.where(found, 200, 404))
    first_request(w, rng, sink, s, GET, cat.tag_name[tag], np.where(status == 200, top, -1), status)
    go = (status == 200) & ~is_cached(w, rng, s, np.maximum(image, 0))
    d = s.take(go)
    _manifest_get_then_blobs(w, rng, sink, d, image[go], d.t0)


def version_check(w: World, rng: np.random.Generator, sink: RowSink, s: Sessions) -> None:
    cat = w.catalog
    tag, image = resolve_tags(w, rng, s)
    found = image >= 0
    top = np.where(found, cat.digest_code(cat.top_digest(np.maximum(image, 0))), -1)
    first_request(w, rng, sink, s, HEAD, cat.tag_name[tag], top, np.where(found, 200, 404))


def digest_pull(w: World, rng: np.random.Generator, sink: RowSink, s: Sessions) -> None:
    """A pull pinned by digest (``image@sha256:...``), often to an image weeks old."""
    cat = w.catalog
    n = len(s)
    t_pin = s.t0 - rng.exponential(10 * DAY_US, n).astype(np.int64)
    image = cat.resolve(s.tag, t_pin)
    image = np.where(image >= 0, image, cat.resolve(cat.repo_default_tag[s.repo], t_pin)).astype(
        np.int32
    )
    head_first = w.head_first[s.kind]
    orphan = rng.random(n) < 0.04
    multi = cat.image_index[image] >= 0
    platform_pin = ~orphan & multi & (rng.random(n) < 0.1)
    pinned = np.where(
        platform_pin,
        cat.man_digest[cat.platform_manifest(image, s.arm)],
        cat.top_digest(image),
    )
    pinned = np.where(
        orphan, cat.orphan_digests[rng.integers(0, len(cat.orphan_digests), n)], pinned
    )
    code = cat.digest_code(pinned)
    status = np.where(orphan, 404, 200)
    method = np.where(head_first, HEAD, GET)
    first_request(w, rng, sink, s, method, code, np.where(orphan, -1, code), status)
    cached = head_first & (rng.random(n) < w.cache_rate[s.kind])
    # HEAD-first clients now GET the same digest.
    again = ~orphan & head_first & ~cached
    t_last = s.t0.copy()
    if again.any():
        t_last[again] = s.t0[again] + gap_us(rng, int(again.sum()), 35.0)
        emit(sink, s.take(again), t_last[again], GET, code[again], code[again], 200)
    go = ~orphan & ~cached
    by_index = go & ~platform_pin
    if by_index.any():
        _manifest_get_then_blobs(w, rng, sink, s.take(by_index), image[by_index], t_last[by_index])
    direct = go & platform_pin
    if direct.any():
        manifest = cat.platform_manifest(image[direct], s.arm[direct])
        fetch_blobs(w, rng, sink, s.take(direct), manifest, t_last[direct])


def replication(w: World, rng: np.random.Generator, sink: RowSink, s: Sessions) -> None:
    """A mirror copying the newest images of a repository: 10-30 manifest GETs by digest."""
    cat = w.catalog
    n = len(s)
    runs = rng.integers(10, 31, n)
    end, existing = cat.images_at(s.repo, s.t0)
    existing = np.maximum(existing, 1)
    # Up to `runs` images per session, newest first.
    owner = np.repeat(np.arange(n), runs)
    j = np.arange(len(owner)) - np.repeat(np.cumsum(runs) - runs, runs)
    image = cat.repo_image_sorted[np.maximum(end[owner] - 1 - (j % existing[owner]), 0)]
    multi = cat.image_index[image] >= 0
    per_image = np.where(multi, 1 + cat.image_man_count[image], 1)
    rep = np.repeat(np.arange(len(image)), per_image)
    within = np.arange(len(rep)) - np.repeat(np.cumsum(per_image) - per_image, per_image)
    img = image[rep]
    digest = np.where(
        multi[rep] & (within == 0),
        cat.image_index[img],
        cat.man_digest[cat.image_man_start[img] + np.maximum(within - multi[rep], 0)],
    )
    session = owner[rep]
    rank = np.arange(len(rep)) - np.searchsorted(session, session, side="left")
    keep = rank < runs[session]
    session, digest = session[keep], digest[keep]
    gaps = gap_us(rng, len(session), 90.0, 0.9)
    pauses = rng.random(len(session)) < 0.05
    gaps[pauses] += rng.integers(1_000_000, 10_000_000, int(pauses.sum()))
    cum = np.cumsum(gaps)
    first = np.searchsorted(session, session, side="left")
    ts = s.t0[session] + cum - cum[first]
    code = cat.digest_code(digest)
    challenged = (s.account >= 0) & (rng.random(n) < w.challenge_rate[s.kind])
    if challenged.any():
        c = s.take(challenged)
        first_code = code[np.searchsorted(session, np.flatnonzero(challenged))]
        emit(
            sink,
            c,
            c.t0 - gap_us(rng, len(c), 12.0),
            GET,
            first_code,
            -1,
            401,
            account=np.full(len(c), -1, dtype=np.int32),
        )
    emit(sink, s.take(session), ts, GET, code, code, 200)
    # Then the new layers of the newest image.
    last = np.searchsorted(session, np.arange(n), side="right") - 1
    newest = cat.repo_image_sorted[np.maximum(end - 1, 0)]
    fetch_blobs(w, rng, sink, s, cat.platform_manifest(newest, s.arm), ts[last])


def scan(w: World, rng: np.random.Generator, sink: RowSink, s: Sessions) -> None:
    """A scanner reading an image: tag, every platform manifest, their config blobs."""
    cat = w.catalog
    tag, image = resolve_tags(w, rng, s)
    found = image >= 0
    image = np.maximum(image, 0)
    top = np.where(found, cat.digest_code(cat.top_digest(image)), -1)
    first_request(w, rng, sink, s, GET, cat.tag_name[tag], top, np.where(found, 200, 404))
    f = s.take(found)
    image = image[found]
    multi = cat.image_index[image] >= 0
    count = np.where(multi, cat.image_man_count[image], 1)
    rep = np.repeat(np.arange(len(f)), count)
    within = np.arange(len(rep)) - np.repeat(np.cumsum(count) - count, count)
    manifest = cat.image_man_start[image][rep] + within
    ts = f.t0[rep] + (within + 1) * gap_us(rng, len(rep), 60.0)
    listed = multi[rep]
    code = cat.digest_code(cat.man_digest[manifest])
    emit(sink, f.take(rep[listed]), ts[listed], GET, code[listed], code[listed], 200)
    config = cat.digest_code(cat.man_config[manifest])
    emit(sink, f.take(rep), ts + gap_us(rng, len(rep), 40.0), GET, config, config, 200)


def not_found(w: World, rng: np.random.Generator, sink: RowSink, s: Sessions) -> None:
    cat = w.catalog
    n = len(s)
    ref = cat.unknown_tag_codes[rng.integers(0, len(cat.unknown_tag_codes), n)]
    head_first = w.head_first[s.kind]
    first_request(w, rng, sink, s, np.where(head_first, HEAD, GET), ref, np.full(n, -1), 404)
    again = head_first & (rng.random(n) < 0.5)
    a = s.take(again)
    emit(sink, a, a.t0 + gap_us(rng, len(a), 30.0), GET, ref[again], -1, 404)


def denied(w: World, rng: np.random.Generator, sink: RowSink, s: Sessions) -> None:
    """Unauthorised (private repository, missing scope): a 401 and no retry."""
    cat = w.catalog
    method = np.where(w.head_first[s.kind], HEAD, GET)
    emit(
        sink,
        s,
        s.t0,
        method,
        cat.tag_name[s.tag],
        -1,
        401,
        account=np.full(len(s), -1, dtype=np.int32),
    )


SequenceFn = Callable[[World, np.random.Generator, RowSink, Sessions], None]

SEQUENCES: dict[int, SequenceFn] = {
    SEQ_HEAD_PULL: head_pull,
    SEQ_GET_PULL: get_pull,
    SEQ_VERSION_CHECK: version_check,
    SEQ_DIGEST_PULL: digest_pull,
    SEQ_REPLICATION: replication,
    SEQ_SCAN: scan,
    SEQ_NOT_FOUND: not_found,
    SEQ_DENIED: denied,
}
