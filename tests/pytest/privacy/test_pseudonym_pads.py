"""The dbt plugin's pads: DuckDB derives them from the secret file exactly as Python's
`hmac_pads` does, for every key and every way the file may hold it; its statements name
the file only; a file DuckDB reads otherwise is refused; setting them imports neither
pandas nor dbt."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from registry_insights.pseudonyms import MIN_SECRET_BYTES, SecretError, hmac_pads, load_secret
from registry_insights.pseudonyms.duckdb_pads import (
    INNER_PAD_VARIABLE,
    OUTER_PAD_VARIABLE,
    pad_variable_statements,
    set_pad_variables,
)

# every way of writing the key's hex that `load_secret` accepts
HEX_LAYOUTS = ("plain", "upper", "spaced", "crlf", "tabs", "vertical-tab")


def write_secret(folder: Path, key: bytes, layout: str) -> Path:
    digits = key.hex()
    text = {
        "plain": digits + "\n",
        "upper": digits.upper(),
        "spaced": " ".join(digits[i : i + 2] for i in range(0, len(digits), 2)),
        "crlf": f"  {digits}\r\n",
        "tabs": "\t".join(digits[i : i + 8] for i in range(0, len(digits), 8)) + "\n",
        "vertical-tab": "\x0b".join(digits[i : i + 4] for i in range(0, len(digits), 4)),
    }[layout]
    path = folder / f"secret-{layout}"
    path.write_text(text, encoding="ascii")
    path.chmod(0o600)
    assert load_secret(path, create=False) == key  # Python accepts the layout
    return path


def session_pads(path: Path) -> tuple[str, str]:
    """The variables a fresh connection holds once the plugin configured it."""
    connection = duckdb.connect()
    try:
        set_pad_variables(connection, path)
        row = connection.execute(
            f"select getvariable('{INNER_PAD_VARIABLE}'), getvariable('{OUTER_PAD_VARIABLE}')"
        ).fetchone()
    finally:
        connection.close()
    assert row is not None
    return row[0], row[1]


@settings(max_examples=60, deadline=None)
@given(
    # shorter than a block, exactly a block, and longer (hashed first, RFC 2104)
    key=st.binary(min_size=MIN_SECRET_BYTES, max_size=200),
    layout=st.sampled_from(HEX_LAYOUTS),
)
def test_duckdb_derives_the_pads_python_computes(
    tmp_path_factory: pytest.TempPathFactory, key: bytes, layout: str
) -> None:
    path = write_secret(tmp_path_factory.mktemp("secret"), key, layout)
    pads = hmac_pads(key)
    assert session_pads(path) == (pads.inner.hex(), pads.outer.hex())


@pytest.mark.parametrize("length", [MIN_SECRET_BYTES, 63, 64, 65, 128])
def test_block_boundaries(tmp_path: Path, length: int) -> None:
    key = os.urandom(length)
    pads = hmac_pads(key)
    assert session_pads(write_secret(tmp_path, key, "plain")) == (
        pads.inner.hex(),
        pads.outer.hex(),
    )


def test_the_statements_name_the_file_and_hold_no_key_material(tmp_path: Path) -> None:
    key = os.urandom(48)
    path = write_secret(tmp_path, key, "plain")
    statements = " ".join(pad_variable_statements(path)).lower()
    pads = hmac_pads(key)
    assert str(path).lower() in statements
    for material in (key, pads.inner, pads.outer):
        assert material.hex() not in statements


def test_a_path_with_a_quote_and_glob_characters_is_read(tmp_path: Path) -> None:
    folder = tmp_path / "it's [1] here?"
    folder.mkdir()
    key = os.urandom(32)
    assert session_pads(write_secret(folder, key, "plain"))[0] == hmac_pads(key).inner.hex()


def test_a_file_duckdb_cannot_read_as_python_does_is_refused_without_quoting_it(
    tmp_path: Path,
) -> None:
    """Python's strip() drops a trailing unit separator (\\x1c); DuckDB's hex does not."""
    key = os.urandom(32)
    path = tmp_path / "secret"
    path.write_text(key.hex() + "\x1c", encoding="ascii")
    path.chmod(0o600)
    assert load_secret(path, create=False) == key
    connection = duckdb.connect()
    with pytest.raises(SecretError, match="one line of hex digits") as refused:
        set_pad_variables(connection, path)
    connection.close()
    assert key.hex() not in str(refused.value).lower()
    assert refused.value.__cause__ is None and refused.value.__suppress_context__


def test_setting_the_pads_imports_neither_pandas_nor_dbt(tmp_path: Path) -> None:
    """Not bound parameters: DuckDB's Python client imports pandas for the first one,
    0.3 to 0.6 s of every dbt command. Not dbt either: the benchmark's classification
    step (m) sets the pads in a process of its own, timed against the hand query (a),
    which imports DuckDB only (dbt's adapter takes over a second to import)."""
    path = write_secret(tmp_path, os.urandom(32), "plain")
    script = (
        "import sys, duckdb\n"
        "from pathlib import Path\n"
        "from registry_insights.pseudonyms.duckdb_pads import set_pad_variables\n"
        f"set_pad_variables(duckdb.connect(), Path({str(path)!r}))\n"
        "print(sorted({name.split('.')[0] for name in sys.modules} & {'pandas', 'dbt'}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_setting_the_pads_leaves_no_transaction_open(tmp_path: Path) -> None:
    """dbt-duckdb configures a root connection that runs nothing else: a result left
    open there would keep a transaction open, and DuckDB would checkpoint nothing in the
    database (its write-ahead log growing) until the process ends."""
    path = write_secret(tmp_path, os.urandom(32), "plain")
    connection = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    try:
        set_pad_variables(connection, path)
        other = connection.cursor()
        set_pad_variables(other, path)
        writer = connection.cursor()
        writer.execute("create table t as select range as i from range(1000)")
        writer.execute("checkpoint")  # refused while another transaction is open
    finally:
        connection.close()
