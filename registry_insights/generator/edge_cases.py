"""Hand-made request patterns at the edges of the pull-action classification spec.

Each edge session follows one of the patterns below, with exact timestamps; its
rows are *protected*: later noise (failures, nulls, invalid rows, ...) never
touches them. ``D`` is the digest a tag points to (a multi-arch index), ``P`` the
platform manifest digest of the client's architecture.

0. HEAD tag -> D and GET D at the identical microsecond (ties broken by event id), GET P.
1. HEAD tag, then GET D and GET P at one identical microsecond.
2. HEAD tag, GET D exactly 60.000000 s later (inside the 60 s window).
3. HEAD tag, GET D 60.000001 s later (outside the window).
4. HEAD tag, GET D 1.5 s later, GET P at 60.000000 s or 60.000001 s.
5. Interleaved pulls of one client on two repositories.
6. HEAD tag, then GET of a *different* digest P (the client had the index cached).
7. GET tag, then GET of the *same* digest D, then GET P.
8. A run of 10-30 GETs by digest alternating D and P, gaps from ms to 95 s.
9. HEAD tag answered without a digest (null response_digest), then GET D, GET P.
10. GET tag answered without a digest, then GET P.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from registry_insights.generator.activity import TimeDensity
from registry_insights.generator.rows import GET, HEAD, RowSink
from registry_insights.generator.sequences import Sessions, emit
from registry_insights.generator.world import World

N_EDGE_KINDS = 11
WINDOW_US = 60_000_000
#: Edge kinds whose first request is a GET (emitted by GET-first clients such as podman).
GET_FIRST_KINDS = (7, 8, 10)

Int32Array = NDArray[np.int32]
Int64Array = NDArray[np.int64]


def edge_sessions(
    w: World,
    rng: np.random.Generator,
    n: int,
    first_sid: int,
    first_kind: int,
    start_us: int,
    end_us: int,
    density: TimeDensity,
) -> Sessions:
    """``n`` edge sessions on popular multi-arch repositories, by clients that fit the pattern.

    Patterns come in turn from ``first_kind`` on, so that even a small dataset has each.
    The ``kind`` field of these sessions holds the edge pattern, not a client kind.
    """
    cat = w.catalog
    kind = (first_kind + np.arange(n)) % N_EDGE_KINDS
    get_first = np.isin(kind, GET_FIRST_KINDS)
    client = np.where(
        get_first, w.get_first_sampler.sample(rng, n), w.head_first_sampler.sample(rng, n)
    ).astype(np.int32)
    repo = _multi_arch_repos(w, rng, n)
    return Sessions(
        sid=np.arange(first_sid, first_sid + n, dtype=np.int32),
        client=client,
        kind=kind.astype(np.int8),
        repo=repo,
        tag=cat.sample_tags(rng, repo),
        account=w.clients.account[client],
        t0=density.sample(rng, n, start_us, end_us),
        arm=w.clients.arm[client],
    )


def _multi_arch_repos(w: World, rng: np.random.Generator, n: int) -> Int32Array:
    u = rng.random(n) * w.multi_repo_cum[-1]
    repo = np.searchsorted(w.multi_repo_cum, u, side="right")
    result: Int32Array = np.minimum(repo, w.catalog.n_repositories - 1).astype(np.int32)
    return result


def _emit(
    sink: RowSink,
    s: Sessions,
    ts: Int64Array,
    method: int,
    ref: Int32Array,
    *,
    resp: Int32Array | None = None,
    repo: Int32Array | None = None,
    hide: bool = False,
) -> None:
    emit(
        sink,
        s,
        ts,
        method,
        ref,
        ref if resp is None else resp,
        200,
        repo=repo,
        protected=True,
        hide=hide,
    )


def emit_edge_cases(w: World, rng: np.random.Generator, sink: RowSink, s: Sessions) -> None:
    """Emit the rows of edge sessions (see the module docstring)."""
    cat = w.catalog
    tag = s.tag
    image = cat.resolve(tag, s.t0)
    tag = np.where(image >= 0, tag, cat.repo_default_tag[s.repo]).astype(np.int32)
    image = cat.resolve(tag, s.t0)
    top = cat.digest_code(cat.top_digest(image))
    plat = cat.digest_code(cat.man_digest[cat.platform_manifest(image, s.arm)])
    name = cat.tag_name[tag]

    def head_then(kind: int, follow: list[tuple[int, Int32Array]]) -> None:
        m = s.kind == kind
        g = s.take(m)
        _emit(sink, g, g.t0, HEAD, name[m], resp=top[m])
        for offset, ref in follow:
            _emit(sink, g, g.t0 + offset, GET, ref[m])

    head_then(0, [(0, top), (25_000, plat)])
    head_then(1, [(30_000, top), (30_000, plat)])
    head_then(2, [(WINDOW_US, top)])
    head_then(3, [(WINDOW_US + 1, top)])
    head_then(6, [(35_000, plat)])

    m = s.kind == 4
    g = s.take(m)
    _emit(sink, g, g.t0, HEAD, name[m], resp=top[m])
    _emit(sink, g, g.t0 + 1_500_000, GET, top[m])
    _emit(sink, g, g.t0 + WINDOW_US + rng.integers(0, 2, len(g)), GET, plat[m])

    m = s.kind == 5
    g = s.take(m)
    if len(g):
        repo_b = _multi_arch_repos(w, rng, len(g))
        tag_b = cat.repo_default_tag[repo_b]
        image_b = cat.resolve(tag_b, g.t0)
        top_b = cat.digest_code(cat.top_digest(image_b))
        plat_b = cat.digest_code(cat.man_digest[cat.platform_manifest(image_b, g.arm)])
        _emit(sink, g, g.t0, HEAD, name[m], resp=top[m])
        _emit(sink, g, g.t0 + 3_000, HEAD, cat.tag_name[tag_b], resp=top_b, repo=repo_b)
        _emit(sink, g, g.t0 + 40_000, GET, top[m])
        _emit(sink, g, g.t0 + 44_000, GET, top_b, repo=repo_b)
        _emit(sink, g, g.t0 + 80_000, GET, plat[m])
        _emit(sink, g, g.t0 + 85_000, GET, plat_b, repo=repo_b)

    m = s.kind == 7
    g = s.take(m)
    _emit(sink, g, g.t0, GET, name[m], resp=top[m])
    _emit(sink, g, g.t0 + 30_000, GET, top[m])
    _emit(sink, g, g.t0 + 60_000, GET, plat[m])

    m = s.kind == 8
    g = s.take(m)
    if len(g):
        runs = rng.integers(10, 31, len(g))
        owner = np.repeat(np.arange(len(g)), runs)
        pos = np.arange(len(owner)) - np.repeat(np.cumsum(runs) - runs, runs)
        pick = rng.random(len(owner))
        gaps = np.where(
            pick < 0.4,
            rng.uniform(0.05e6, 3e6, len(owner)),
            np.where(
                pick < 0.7, rng.uniform(20e6, 45e6, len(owner)), rng.uniform(55e6, 95e6, len(owner))
            ),
        ).astype(np.int64)
        gaps[pos == 0] = 0
        cum = np.cumsum(gaps)
        ts = g.t0[owner] + cum - cum[np.searchsorted(owner, owner, side="left")]
        ref = np.where(pos % 2 == 0, top[m][owner], plat[m][owner]).astype(np.int32)
        _emit(sink, g.take(owner), ts, GET, ref)

    m = s.kind == 9
    g = s.take(m)
    _emit(sink, g, g.t0, HEAD, name[m], resp=top[m], hide=True)
    _emit(sink, g, g.t0 + 30_000, GET, top[m])
    _emit(sink, g, g.t0 + 60_000, GET, plat[m])

    m = s.kind == 10
    g = s.take(m)
    _emit(sink, g, g.t0, GET, name[m], resp=top[m], hide=True)
    _emit(sink, g, g.t0 + 40_000, GET, plat[m])
