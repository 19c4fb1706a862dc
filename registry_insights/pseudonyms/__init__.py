"""Pseudonyms of client IPs and account ids: a per-installation secret and HMAC-SHA-256."""

from registry_insights.pseudonyms.secret import (
    MIN_SECRET_BYTES,
    SECRET_FILE_ENV,
    HmacPads,
    SecretError,
    default_secret_path,
    hmac_pads,
    load_secret,
    pseudonym,
)

__all__ = [
    "MIN_SECRET_BYTES",
    "SECRET_FILE_ENV",
    "HmacPads",
    "SecretError",
    "default_secret_path",
    "hmac_pads",
    "load_secret",
    "pseudonym",
]
