"""One generation block: draw sessions, emit their rows, trim to the row target.

A block covers an interval of one day and has its own random stream, so its
content depends only on the config and its index.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from registry_insights.generator.activity import TimeDensity
from registry_insights.generator.anomalies import (
    add_server_noise,
    assign_event_ids,
    derive_response,
)
from registry_insights.generator.client_kinds import N_GROUPS, N_SEQUENCES, SEQUENCE_CUM
from registry_insights.generator.edge_cases import edge_sessions, emit_edge_cases
from registry_insights.generator.rows import RequestRows, RowSink
from registry_insights.generator.sequences import SEQUENCES, Sessions
from registry_insights.generator.world import World

#: Index of the edge-case pseudo group in per-group arrays.
EDGE_GROUP = N_GROUPS


def draw_sessions(
    w: World, rng: np.random.Generator, counts: NDArray[np.int64], start_us: int, end_us: int
) -> tuple[Sessions, NDArray[np.int32]]:
    """Sessions of ordinary clients, ``counts[g]`` of activity group ``g``; and their groups."""
    clients = w.clients
    cat = w.catalog
    t0_parts, client_parts, group_parts = [], [], []
    for g in range(N_GROUPS):
        n_g = int(counts[g])
        if n_g and w.group_samplers[g].total > 0:
            t0_parts.append(w.group_densities[g].sample(rng, n_g, start_us, end_us))
            client_parts.append(w.group_samplers[g].sample(rng, n_g))
            group_parts.append(np.full(n_g, g, dtype=np.int32))
    if not t0_parts:
        empty = np.empty(0, dtype=np.int32)
        return Sessions(
            empty,
            empty,
            empty.astype(np.int8),
            empty,
            empty,
            empty,
            empty.astype(np.int64),
            empty.astype(np.bool_),
        ), empty
    t0 = np.concatenate(t0_parts)
    client = np.concatenate(client_parts)
    n = len(client)
    kind = clients.kind[client]
    account = clients.account[client]
    alt = clients.alt_account[client]
    account = np.where((alt >= 0) & (rng.random(n) < 0.15), alt, account).astype(np.int32)
    favourite = rng.random(n) < w.favourite_rate[kind]
    slot = np.searchsorted([0.6, 0.9], rng.random(n), side="right")
    random_repo = cat.sample_repos(rng, n)
    random_tag = cat.sample_tags(rng, random_repo)
    repo = np.where(favourite, clients.favourite_repo[client, slot], random_repo).astype(np.int32)
    tag = np.where(favourite, clients.favourite_tag[client, slot], random_tag).astype(np.int32)
    sessions = Sessions(
        sid=np.arange(n, dtype=np.int32),
        client=client,
        kind=kind,
        repo=repo,
        tag=tag,
        account=account,
        t0=t0,
        arm=clients.arm[client],
    )
    return sessions, np.concatenate(group_parts)


def emit_sessions(
    w: World,
    rng: np.random.Generator,
    counts: NDArray[np.int64],
    n_edge: int,
    start_us: int,
    end_us: int,
    edge_density: TimeDensity,
    first_edge_kind: int = 0,
) -> tuple[RequestRows, NDArray[np.int32]]:
    """Rows of freshly drawn sessions (edge cases last); and the group of every session."""
    sessions, groups = draw_sessions(w, rng, counts, start_us, end_us)
    sink = RowSink()
    n = len(sessions)
    if n:
        u = rng.random(n)
        sequence = np.minimum(
            (u[:, None] >= SEQUENCE_CUM[sessions.kind]).sum(axis=1), N_SEQUENCES - 1
        )
        for seq, fn in SEQUENCES.items():
            chosen = np.flatnonzero(sequence == seq)
            if len(chosen):
                fn(w, rng, sink, sessions.take(chosen))
    if n_edge:
        edge = edge_sessions(w, rng, n_edge, n, first_edge_kind, start_us, end_us, edge_density)
        emit_edge_cases(w, rng, sink, edge)
        groups = np.concatenate([groups, np.full(n_edge, EDGE_GROUP, dtype=np.int32)])
    return sink.build(), groups


def trim(
    rng: np.random.Generator, rows: RequestRows, groups: NDArray[np.int32], target: int
) -> RequestRows:
    """Keep all edge sessions and a random subset of the others, ``target`` rows at most."""
    n_sessions = len(groups)
    per_session = np.bincount(rows.session, minlength=n_sessions)
    edge = groups == EDGE_GROUP
    budget = target - int(per_session[edge].sum())
    order = rng.permutation(np.flatnonzero(~edge))
    kept = order[np.cumsum(per_session[order]) <= budget]
    keep = edge.copy()
    keep[kept] = True
    return rows.take(keep[rows.session])


def block_rows(
    w: World,
    rng: np.random.Generator,
    counts: NDArray[np.int64],
    n_edge: int,
    start_us: int,
    end_us: int,
    edge_density: TimeDensity,
    target: int,
    first_edge_kind: int,
) -> RequestRows:
    """The finished request rows of one block (before contract breaking and duplicates)."""
    rows, groups = emit_sessions(
        w, rng, counts, n_edge, start_us, end_us, edge_density, first_edge_kind
    )
    rows = trim(rng, rows, groups, target)
    derive_response(w.catalog, rows)
    rows = add_server_noise(w.catalog, rng, rows)
    assign_event_ids(rng, rows)
    return rows
