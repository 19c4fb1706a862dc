"""Docker Desktop extension events (``raw_extension_events``).

About 15 extensions published by a few of the catalog's namespaces, with Zipf
popularity. Events come from Docker Desktop machines during their users' day:
mostly ``open``, then ``install`` and ``update``, fewer ``uninstall``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from registry_insights.generator.client_kinds import HUMAN, REGION_OFFSETS_H
from registry_insights.generator.identifiers import random_uuid_bytes, uuid_strings
from registry_insights.generator.image_catalog import NS_LIBRARY, NS_ORG, NS_OSS, Catalog
from registry_insights.generator.tables import EXTENSIONS_SCHEMA, lookup, timestamps
from registry_insights.generator.world import World

EXTENSION_NAMES: tuple[str, ...] = (
    "disk-usage",
    "logs-explorer",
    "resource-usage",
    "volumes-backup",
    "k8s-dashboard",
    "db-explorer",
    "vuln-scanner",
    "env-manager",
    "port-navigator",
    "tunnel",
    "registry-explorer",
    "ssh-manager",
    "backup-restore",
    "ai-assistant",
    "network-inspector",
)
EVENT_TYPES: tuple[str, ...] = ("open", "install", "update", "uninstall")
EVENT_TYPE_SHARES: tuple[float, ...] = (0.72, 0.12, 0.11, 0.05)


@dataclass(frozen=True)
class Extensions:
    names: pa.StringArray
    cum: np.ndarray


def build_extensions(catalog: Catalog, rng: np.random.Generator) -> Extensions:
    """Extensions spread over a few publisher namespaces of the catalog."""
    kinds = catalog.namespace_kind.tolist()
    publishers = [i for i, kind in enumerate(kinds) if kind in (NS_ORG, NS_OSS)]
    if not publishers:
        publishers = [i for i, kind in enumerate(kinds) if kind != NS_LIBRARY]
    chosen = rng.choice(publishers, size=min(4, len(publishers)), replace=False)
    owner = chosen[rng.integers(0, len(chosen), len(EXTENSION_NAMES))]
    names = [
        f"{catalog.namespaces[int(ns)]}/{name}"
        for ns, name in zip(owner, EXTENSION_NAMES, strict=True)
    ]
    weight = 1.0 / np.arange(1, len(names) + 1) ** 1.1
    weight = weight[rng.permutation(len(names))]
    array = pa.array(names, type=pa.string())
    assert isinstance(array, pa.StringArray)
    return Extensions(array, np.cumsum(weight / weight.sum()))


def extension_events(
    w: World,
    ext: Extensions,
    rng: np.random.Generator,
    n: int,
    start_us: int,
    end_us: int,
    duplicate_rate: float,
) -> pa.Table:
    """About ``n`` events in ``[start_us, end_us)``, plus a few redelivered copies."""
    n_regions = len(REGION_OFFSETS_H)
    groups = [HUMAN * n_regions + r for r in range(n_regions)]
    mass = np.asarray(
        [
            w.group_densities[g].mass(start_us, end_us) * w.desktop_samplers[r].total
            for r, g in enumerate(groups)
        ]
    )
    if n == 0 or mass.sum() <= 0:
        return EXTENSIONS_SCHEMA.empty_table()
    per_region = rng.multinomial(n, mass / mass.sum())
    ts_parts, client_parts = [], []
    for r, (g, count) in enumerate(zip(groups, per_region, strict=True)):
        if count:
            ts_parts.append(w.group_densities[g].sample(rng, int(count), start_us, end_us))
            client_parts.append(w.desktop_samplers[r].sample(rng, int(count)))
    ts = np.concatenate(ts_parts)
    client = np.concatenate(client_parts)
    extension = np.minimum(np.searchsorted(ext.cum, rng.random(n), side="right"), len(ext.cum) - 1)
    event_type = rng.choice(len(EVENT_TYPES), size=n, p=EVENT_TYPE_SHARES)
    eid = random_uuid_bytes(rng, n)
    copies = np.flatnonzero(rng.random(n) < duplicate_rate)
    if len(copies):
        keep = np.r_[np.arange(n), copies]
        ts, client, extension, event_type, eid = (
            ts[keep],
            client[keep],
            extension[keep],
            event_type[keep],
            eid[keep],
        )
    account = w.clients.account[client]
    table = pa.Table.from_arrays(
        [
            uuid_strings(eid),
            timestamps(ts, w.config.start_date),
            pc.take(ext.names, pa.array(extension.astype(np.int32))),
            pc.take(pa.array(EVENT_TYPES, type=pa.string()), pa.array(event_type.astype(np.int32))),
            lookup(w.account_vocab, account),
            lookup(w.clients.address_vocab, w.clients.address[client]),
        ],
        schema=EXTENSIONS_SCHEMA,
    )
    return table
