"""The installation's pseudonym secret: where it lives, how it is created and checked.

The secret is a file of random bytes (written as hex text on one line) outside the
repository: `REGISTRY_INSIGHTS_SECRET_FILE`, else `$XDG_CONFIG_HOME/registry-insights/
pseudonym-secret` (`~/.config/...` without XDG_CONFIG_HOME). It is created on first use
(32 random bytes; folder 0700, file 0600) and refused when others may read it or when it
is shorter than 32 bytes. See docs/privacy.md.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path

SECRET_FILE_ENV = "REGISTRY_INSIGHTS_SECRET_FILE"
SECRET_FILE_NAME = "pseudonym-secret"
MIN_SECRET_BYTES = 32
NEW_SECRET_BYTES = 32
_BLOCK_SIZE = 64  # SHA-256's block size in bytes


class SecretError(RuntimeError):
    """The secret file cannot be used (readable by others, too short, not hex)."""


def default_secret_path() -> Path:
    """The secret file's path: the environment variable, else the user's config folder."""
    configured = os.environ.get(SECRET_FILE_ENV, "").strip()
    if configured:
        return Path(configured).expanduser()
    config_home = os.environ.get("XDG_CONFIG_HOME", "").strip()
    base = Path(config_home) if config_home else Path.home() / ".config"
    return base / "registry-insights" / SECRET_FILE_NAME


def _check_private(path: Path, *, what: str) -> None:
    info = path.stat()
    if info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise SecretError(
            f"The pseudonym secret {what} {path} is accessible to other users "
            f"(mode {stat.S_IMODE(info.st_mode):04o}); make it owner-only "
            f"(chmod {'600' if what == 'file' else '700'} {path})."
        )
    if hasattr(os, "getuid") and info.st_uid != os.getuid():
        raise SecretError(f"The pseudonym secret {what} {path} belongs to another user.")


def _read_secret(path: Path) -> bytes:
    _check_private(path, what="file")
    text = path.read_text(encoding="ascii").strip()
    try:
        key = bytes.fromhex(text)
    except ValueError as error:
        raise SecretError(f"The pseudonym secret file {path} does not hold hex text.") from error
    if len(key) < MIN_SECRET_BYTES:
        raise SecretError(
            f"The pseudonym secret in {path} is {len(key)} bytes; at least "
            f"{MIN_SECRET_BYTES} are needed."
        )
    return key


def _create_secret(path: Path) -> None:
    """Write a new secret atomically; when another process won the race, keep theirs."""
    folder = path.parent
    created_folder = not folder.exists()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    if created_folder:
        folder.chmod(0o700)
    temporary = folder / f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="ascii") as handle:
            handle.write(secrets.token_bytes(NEW_SECRET_BYTES).hex() + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        # link fails when the file exists: a secret is never overwritten
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def load_secret(path: Path | None = None, *, create: bool = True) -> bytes:
    """The secret's bytes, created on first use (unless `create` is false)."""
    path = path or default_secret_path()
    if not path.exists():
        if not create:
            raise SecretError(f"No pseudonym secret at {path}.")
        _create_secret(path)
    return _read_secret(path)


@dataclass(frozen=True, repr=False)
class HmacPads:
    """HMAC-SHA-256's two padded keys: HMAC(K, m) = H(outer || H(inner || m))."""

    inner: bytes
    outer: bytes

    def __repr__(self) -> str:  # never print key material
        return "HmacPads(<hidden>)"


def hmac_pads(key: bytes) -> HmacPads:
    """The inner and outer pads of RFC 2104 for SHA-256 (a long key is hashed first)."""
    if len(key) > _BLOCK_SIZE:
        key = hashlib.sha256(key).digest()
    block = key.ljust(_BLOCK_SIZE, b"\0")
    return HmacPads(
        inner=bytes(byte ^ 0x36 for byte in block),
        outer=bytes(byte ^ 0x5C for byte in block),
    )


def pseudonym(key: bytes, value: str) -> str:
    """The pseudonym of a value, as the warehouse computes it: HMAC-SHA-256, lowercase hex."""
    return hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()
