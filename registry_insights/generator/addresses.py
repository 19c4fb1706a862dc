"""Public-looking client addresses, IPv4 and IPv6, residential or in cloud ranges."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

# fmt: off
#: Leading octets of cloud provider ranges.
_CLOUD_V4: tuple[tuple[int, ...], ...] = (
    (3,), (18,), (52,), (54,), (34,), (35,), (20,), (40,), (13,), (44,), (65, 108), (116, 202),
    (51,), (104,), (146,), (159, 89), (143, 198),
)

#: First octets of public, non-cloud IPv4 space.
_PUBLIC_V4: tuple[int, ...] = (
    24, 47, 49, 58, 59, 60, 61, 66, 67, 68, 69, 70, 71, 72, 73, 74, 75, 76, 77, 78, 79, 80, 81, 82,
    83, 84, 85, 86, 87, 88, 89, 90, 91, 92, 93, 94, 95, 96, 97, 98, 99, 101, 106, 109, 110, 112,
    113, 114, 115, 117, 118, 119, 120, 121, 122, 123, 124, 125, 171, 173, 174, 175, 176, 178, 180,
    182, 183, 185, 186, 187, 188, 189, 190, 191, 193, 194, 195, 196, 197, 200, 201, 203, 211, 212,
    213, 217, 218, 219, 220, 221, 222,
)

_CLOUD_V6: tuple[str, ...] = (
    "2600:1f18", "2600:1f14", "2a05:d014", "2600:1900", "2603:1030", "2a01:4f8",
)

_PUBLIC_V6: tuple[str, ...] = (
    "2a02:810d", "2a01:e0a", "2001:16b8", "2600:1700", "2601:647", "2003:e3", "240e:3b4",
    "2409:8a28", "2a00:23c5", "2804:14c",
)
# fmt: on


def addresses(rng: np.random.Generator, cloud: NDArray[np.bool_]) -> list[str]:
    """Public-looking IPv4 (85%) or IPv6 (15%) addresses; cloud ranges where ``cloud``."""
    n = len(cloud)
    octets = rng.integers(0, 256, (n, 4))
    octets[:, 3] = np.clip(octets[:, 3], 1, 254)
    cloud_pick = rng.integers(0, len(_CLOUD_V4), n)
    public_pick = rng.integers(0, len(_PUBLIC_V4), n)
    v6 = rng.random(n) < 0.15
    v6_cloud = rng.integers(0, len(_CLOUD_V6), n)
    v6_public = rng.integers(0, len(_PUBLIC_V6), n)
    hextets = rng.integers(0, 65536, (n, 6))
    out: list[str] = []
    for i in range(n):
        if v6[i]:
            prefix = _CLOUD_V6[v6_cloud[i]] if cloud[i] else _PUBLIC_V6[v6_public[i]]
            need = 8 - prefix.count(":") - 1
            out.append(prefix + "".join(f":{h:x}" for h in hextets[i, :need].tolist()))
        else:
            head = _CLOUD_V4[cloud_pick[i]] if cloud[i] else (_PUBLIC_V4[public_pick[i]],)
            values = [*head, *octets[i, len(head) :].tolist()]
            out.append(f"{values[0]}.{values[1]}.{values[2]}.{values[3]}")
    return out
