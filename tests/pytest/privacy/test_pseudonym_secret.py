"""The pseudonym secret file: created on first use with owner-only permissions, kept,
refused when others may read it or when it is too short; the HMAC pads."""

from __future__ import annotations

import hashlib
import hmac
import os
import stat
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from registry_insights.pseudonyms import (
    MIN_SECRET_BYTES,
    SECRET_FILE_ENV,
    SecretError,
    default_secret_path,
    hmac_pads,
    load_secret,
    pseudonym,
)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_missing_secret_is_created_on_first_use_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "config" / "registry-insights" / "pseudonym-secret"
    key = load_secret(path)
    assert len(key) >= MIN_SECRET_BYTES
    assert mode(path) == 0o600
    assert mode(path.parent) == 0o700
    assert path.read_text().strip() == key.hex()
    assert not [p for p in path.parent.iterdir() if p.name != path.name]  # no temporary left


def test_the_secret_is_kept_and_each_installation_gets_its_own(tmp_path: Path) -> None:
    first = load_secret(tmp_path / "a" / "secret")
    assert load_secret(tmp_path / "a" / "secret") == first
    assert load_secret(tmp_path / "b" / "secret") != first


def test_without_create_a_missing_secret_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(SecretError, match="No pseudonym secret"):
        load_secret(tmp_path / "absent", create=False)
    assert not (tmp_path / "absent").exists()


@pytest.mark.parametrize("bad_mode", [0o644, 0o640, 0o604, 0o660, 0o620])
def test_a_secret_others_can_access_is_refused(tmp_path: Path, bad_mode: int) -> None:
    path = tmp_path / "secret"
    load_secret(path)
    path.chmod(bad_mode)
    with pytest.raises(SecretError, match="accessible to other users"):
        load_secret(path)


@pytest.mark.parametrize("length", [0, 1, 16, MIN_SECRET_BYTES - 1])
def test_a_short_secret_is_refused(tmp_path: Path, length: int) -> None:
    path = tmp_path / "secret"
    path.write_text(os.urandom(length).hex())
    path.chmod(0o600)
    with pytest.raises(SecretError, match="at least"):
        load_secret(path)


def test_a_secret_that_is_not_hex_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "secret"
    path.write_text("registry-insights-default-salt" * 3)
    path.chmod(0o600)
    with pytest.raises(SecretError, match="hex"):
        load_secret(path)


def test_the_path_comes_from_the_environment_else_the_config_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(SECRET_FILE_ENV, str(tmp_path / "mine"))
    assert default_secret_path() == tmp_path / "mine"
    monkeypatch.delenv(SECRET_FILE_ENV)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    assert default_secret_path() == tmp_path / "xdg" / "registry-insights" / "pseudonym-secret"
    monkeypatch.delenv("XDG_CONFIG_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_secret_path() == (
        tmp_path / "home" / ".config" / "registry-insights" / "pseudonym-secret"
    )


@given(key=st.binary(min_size=MIN_SECRET_BYTES, max_size=200), message=st.binary(max_size=100))
def test_the_pads_give_hmac_sha256(key: bytes, message: bytes) -> None:
    pads = hmac_pads(key)
    inner = hashlib.sha256(pads.inner + message).digest()
    assert hashlib.sha256(pads.outer + inner).hexdigest() == (
        hmac.new(key, message, hashlib.sha256).hexdigest()
    )
    assert "<hidden>" in repr(pads)


def test_pseudonym_is_hmac_of_the_utf8_text() -> None:
    key = bytes(range(32))
    assert pseudonym(key, "é") == hmac.new(key, "é".encode(), hashlib.sha256).hexdigest()
