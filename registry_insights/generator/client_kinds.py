"""Kinds of client machines and how each behaves.

A client kind (Docker Desktop, a Kubernetes node, a CI job, a mirror, a script,
...) decides the user agents, the request sequences it emits and how often,
whether it authenticates, how much it already has cached and where its traffic
comes from. Activity *profiles* give the daily rhythm (see activity.py).

The kinds are a table, `data/client_kinds.toml` (each field is described there),
read once when this module is imported.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields
from importlib import resources
from typing import Any

import numpy as np

# Activity profiles (shape of the daily and weekly rhythm).
HUMAN, CI, CLUSTER, MIRROR = 0, 1, 2, 3
N_PROFILES = 4
PROFILES = {"human": HUMAN, "ci": CI, "cluster": CLUSTER, "mirror": MIRROR}
#: UTC offsets (hours) and client shares of the three regions.
REGION_OFFSETS_H: tuple[float, ...] = (-6.0, 1.0, 8.0)
REGION_SHARES: tuple[float, ...] = (0.42, 0.36, 0.22)
N_GROUPS = N_PROFILES * len(REGION_OFFSETS_H)

# Request sequences (see sequences.py), in the order of SEQUENCES.
SEQ_HEAD_PULL, SEQ_GET_PULL, SEQ_VERSION_CHECK, SEQ_DIGEST_PULL = 0, 1, 2, 3
SEQ_REPLICATION, SEQ_SCAN, SEQ_NOT_FOUND, SEQ_DENIED = 4, 5, 6, 7
SEQUENCES = (
    "head_pull",
    "get_pull",
    "version_check",
    "digest_pull",
    "replication",
    "scan",
    "not_found",
    "denied",
)
N_SEQUENCES = len(SEQUENCES)

# Address styles (see addresses.py).
RESIDENTIAL, CORPORATE, CLOUD = 0, 1, 2
ADDRESSES = {"residential": RESIDENTIAL, "corporate": CORPORATE, "cloud": CLOUD}

#: The table of kinds, shipped with the package.
DATA_FILE = "client_kinds.toml"


@dataclass(frozen=True)
class ClientKind:
    """Behaviour shared by all machines of one kind."""

    name: str
    share: float
    profile: int
    activity: float
    auth_rate: float
    sequences: tuple[float, ...]
    cache_rate: float
    cold_rate: float
    challenge_rate: float
    head_blobs: float
    head_first: bool
    agents_amd64: tuple[str | None, ...]
    agents_arm64: tuple[str | None, ...]
    address: int
    arm_rate: float
    favourite_rate: float


class ClientKindsError(ValueError):
    """The table of client kinds is malformed."""


def _sequences(weights: Mapping[str, float]) -> tuple[float, ...]:
    """Each sequence's probability, from relative weights (summed in the order given)."""
    unknown = set(weights) - set(SEQUENCES)
    if unknown:
        raise ClientKindsError(f"unknown sequences {sorted(unknown)}")
    total = sum(weights.values())
    return tuple(weights.get(name, 0.0) / total for name in SEQUENCES)


def _family(family: Mapping[str, Any], releases: list[dict[str, str]]) -> tuple[str, ...]:
    """A family's user agents: per release, per kernel, per template."""
    return tuple(
        template.format(kernel=kernel, **release)
        for release in releases[: family["releases"]]
        for kernel in family.get("kernels", [None])
        for template in family["templates"]
    )


def _agents(value: str | list[str], named: Mapping[str, tuple[str, ...]]) -> tuple[str | None, ...]:
    if isinstance(value, str):
        if value not in named:
            raise ClientKindsError(f"no agent list or family {value!r}")
        return named[value]
    # An empty list: the machines send no User-Agent header.
    return tuple(value) if value else (None,)


def _kind(row: dict[str, Any], named: Mapping[str, tuple[str, ...]]) -> ClientKind:
    row = dict(row)
    name = row.get("name", "?")
    if "agents" in row:
        row["agents_amd64"] = row["agents_arm64"] = row.pop("agents")
    expected = {field.name for field in fields(ClientKind)}
    if set(row) != expected:
        missing, extra = sorted(expected - set(row)), sorted(set(row) - expected)
        raise ClientKindsError(f"kind {name}: missing {missing}, unknown {extra}")
    try:
        profile, address = PROFILES[row["profile"]], ADDRESSES[row["address"]]
    except KeyError as error:
        raise ClientKindsError(f"kind {name}: unknown profile or address {error}") from error
    floats = ("share", "activity", "auth_rate", "cache_rate", "cold_rate", "challenge_rate")
    rates = ("head_blobs", "arm_rate", "favourite_rate")
    return ClientKind(
        **{key: float(row[key]) for key in (*floats, *rates)},
        name=str(row["name"]),
        profile=profile,
        sequences=_sequences(row["sequences"]),
        head_first=bool(row["head_first"]),
        agents_amd64=_agents(row["agents_amd64"], named),
        agents_arm64=_agents(row["agents_arm64"], named),
        address=address,
    )


def load_kinds(text: str) -> tuple[ClientKind, ...]:
    """The kinds of a table in the format of `data/client_kinds.toml`."""
    table = tomllib.loads(text)
    releases = table.get("docker_releases", [])
    named = {
        **{key: tuple(agents) for key, agents in table.get("agent_lists", {}).items()},
        **{key: _family(f, releases) for key, f in table.get("agent_families", {}).items()},
    }
    return tuple(_kind(row, named) for row in table["kind"])


KINDS: tuple[ClientKind, ...] = load_kinds(
    resources.files(__package__).joinpath("data", DATA_FILE).read_text(encoding="utf-8")
)
N_KINDS = len(KINDS)
KIND_INDEX = {kind.name: i for i, kind in enumerate(KINDS)}

#: Sequence probabilities per kind, cumulated along the sequences.
SEQUENCE_CUM = np.cumsum(np.asarray([k.sequences for k in KINDS]), axis=1)
SEQUENCE_CUM[SEQUENCE_CUM > 1.0 - 1e-9] = 2.0  # rounding never picks a sequence of weight 0
