"""The HMAC pads in a DuckDB session: two session variables the `pseudonym` macro reads
with `getvariable()`, set on a connection or cursor (by the dbt plugin on every one dbt
opens; by the tests and the benchmark on their own).

DuckDB derives the pads itself from the secret file (`read_text` of its path, then RFC
2104's padding and XOR): the SQL text holds the file's path only, so the secret never
appears in SQL text, compiled models, dbt's logs or the database file (session variables
are not stored). They are not handed over as bound parameters: DuckDB's Python client
imports pandas for the first bound parameter of a process, 0.3 to 0.6 s of every dbt
command (docs/benchmark.md). Once set, the variables are read back and compared with
the pads Python computes from the same file, so SQL and Python never disagree about the
key. This module imports DuckDB but not dbt.
"""

from __future__ import annotations

import hmac
from pathlib import Path
from typing import Any

import duckdb

from registry_insights.pseudonyms.secret import (
    SecretError,
    default_secret_path,
    hmac_pads,
    load_secret,
)

# Names of the DuckDB session variables the `pseudonym` macro reads.
INNER_PAD_VARIABLE = "registry_insights_hmac_inner_pad"
OUTER_PAD_VARIABLE = "registry_insights_hmac_outer_pad"
# RFC 2104's pad bytes, by variable
_PAD_BYTES = {INNER_PAD_VARIABLE: "36", OUTER_PAD_VARIABLE: "5c"}
_BLOCK_HEX_DIGITS = 128  # SHA-256's 64-byte block


def pad_variable_statements(secret_path: Path) -> list[str]:
    """The two `set variable` statements that derive the pads (hex text) from the secret
    file in SQL: its hex digits without whitespace, hashed first when longer than a block,
    padded with zeros to a block, XOR the pad byte repeated."""
    quoted_path = str(secret_path).replace("'", "''")
    block = (
        f"unhex(rpad(case when length(key_hex) > {_BLOCK_HEX_DIGITS} then sha256(unhex(key_hex))"
        f" else key_hex end, {_BLOCK_HEX_DIGITS}, '0'))"
    )
    return [
        f"set variable {variable} = ("
        f"select lower(hex(xor(cast({block} as bit),"
        f" cast(unhex(repeat('{pad}', {_BLOCK_HEX_DIGITS // 2})) as bit))::blob))"
        f" from (select regexp_replace(content, '[\\s\\x0b]', '', 'g') as key_hex"
        f" from read_text('{quoted_path}')))"
        for variable, pad in _PAD_BYTES.items()
    ]


def set_pad_variables(connection: Any, secret_path: Path | None = None) -> None:
    """Set the two pad variables on one DuckDB connection or cursor, from the secret file
    (`default_secret_path()` unless given; created on first use, checked by
    `load_secret`), and check them against Python's pads of the same key."""
    path = (secret_path or default_secret_path()).expanduser().resolve()
    pads = hmac_pads(load_secret(path))
    try:
        for statement in pad_variable_statements(path):
            connection.execute(statement)
        # fetchall, not fetchone: a result left open keeps its transaction open, and
        # DuckDB then checkpoints nothing in the whole database until it is closed (the
        # plugin's root connection runs nothing else: the WAL would grow for the whole run)
        rows = connection.execute(
            f"select getvariable('{INNER_PAD_VARIABLE}'), getvariable('{OUTER_PAD_VARIABLE}')"
        ).fetchall()
    except duckdb.Error as error:
        raise SecretError(
            f"DuckDB could not derive the HMAC pads from the pseudonym secret file {path}"
            f" ({type(error).__name__}); write the secret as one line of hex digits."
        ) from None  # DuckDB's message may quote the file's text
    expected = (pads.inner.hex(), pads.outer.hex())
    if len(rows) != 1 or not all(
        isinstance(got, str) and hmac.compare_digest(got, want)
        for got, want in zip(rows[0], expected, strict=True)
    ):
        raise SecretError(
            f"DuckDB read other HMAC pads from the pseudonym secret file {path} than Python"
            " did; write the secret as one line of hex digits."
        )
