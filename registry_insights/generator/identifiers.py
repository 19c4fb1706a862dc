"""Deterministic random streams and the hex identifiers built from them.

Every random stream is derived from the config seed and a fixed stream key, so
that each part of the dataset (catalog, clients, one block of requests, ...) is
reproducible on its own and never depends on process state such as ``hash()``.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
from numpy.typing import NDArray

_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
_DASH = ord("-")
#: Where the 32 hex characters of a UUID go in its 36-character text form.
_UUID_HEX_POSITIONS = np.array(
    [*range(0, 8), *range(9, 13), *range(14, 18), *range(19, 23), *range(24, 36)]
)

# Stream keys: the second element of every seed sequence.
STREAM_CATALOG = 1
STREAM_ACCOUNTS = 2
STREAM_CLIENTS = 3
STREAM_CALIBRATION = 4
STREAM_BLOCK = 5
STREAM_EXTENSIONS = 6
#: Demo vulnerability scans (registry_insights/generator/scans.py).
STREAM_SCANS = 7


def stream(seed: int, *key: int) -> np.random.Generator:
    """An independent random generator for one part of the dataset."""
    return np.random.default_rng(np.random.SeedSequence([seed, *key]))


def hex_matrix(raw: NDArray[np.uint8]) -> NDArray[np.uint8]:
    """Lowercase hex characters (as bytes) of each row of a ``(n, k)`` byte matrix."""
    out = np.empty((raw.shape[0], raw.shape[1] * 2), dtype=np.uint8)
    out[:, 0::2] = _HEX[raw >> 4]
    out[:, 1::2] = _HEX[raw & 0x0F]
    return out


def fixed_width_strings(chars: NDArray[np.uint8]) -> pa.StringArray:
    """An Arrow string array whose i-th value is the i-th row of ``chars``."""
    n, width = chars.shape
    offsets = np.arange(n + 1, dtype=np.int32) * np.int32(width)
    data = np.ascontiguousarray(chars)
    array = pa.Array.from_buffers(pa.string(), n, [None, pa.py_buffer(offsets), pa.py_buffer(data)])
    assert isinstance(array, pa.StringArray)
    return array


def random_uuid_bytes(rng: np.random.Generator, n: int) -> NDArray[np.uint8]:
    """``n`` random version-4 UUIDs as a ``(n, 16)`` byte matrix."""
    raw = rng.integers(0, 256, size=(n, 16), dtype=np.uint8)
    raw[:, 6] = (raw[:, 6] & 0x0F) | 0x40
    raw[:, 8] = (raw[:, 8] & 0x3F) | 0x80
    return raw


def uuid_strings(raw: NDArray[np.uint8]) -> pa.StringArray:
    """Text form ``8-4-4-4-12`` of a ``(n, 16)`` UUID byte matrix."""
    chars = np.full((raw.shape[0], 36), _DASH, dtype=np.uint8)
    chars[:, _UUID_HEX_POSITIONS] = hex_matrix(raw)
    return fixed_width_strings(chars)


def uuid_list(rng: np.random.Generator, n: int) -> list[str]:
    """``n`` random UUID strings."""
    return [str(value) for value in uuid_strings(random_uuid_bytes(rng, n)).to_pylist()]


def sha256_digests(rng: np.random.Generator, n: int) -> list[str]:
    """``n`` random, distinct-looking ``sha256:<64 hex>`` digests."""
    raw = rng.integers(0, 256, size=(n, 32), dtype=np.uint8)
    chars = hex_matrix(raw)
    prefix = np.frombuffer(b"sha256:", dtype=np.uint8)
    full = np.empty((n, 71), dtype=np.uint8)
    full[:, :7] = prefix
    full[:, 7:] = chars
    return [str(value) for value in fixed_width_strings(full).to_pylist()]
