"""Signed, expiring download links: HMAC-SHA256 over the path, the expiry time and the
account that asked for the link.

Exactly one spelling of a link verifies, the one `sign` wrote: the request's raw path
must be the signed path byte for byte, and its raw query string must be exactly
`expires=<ASCII digits, no leading zero>&signature=<64 lowercase hex digits>` (no other,
repeated, reordered or percent-encoded parameter). Everything else answers 403 before
any number is parsed, so no spelling of a link can make the check itself fail.

The account is bound into the signature rather than written into the link, so links
name no account; `verify` finds it by trying the accounts the server knows.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from collections.abc import Iterable
from urllib.parse import urlencode

#: The only query string a link may have. At most 12 digits: an expiry is a Unix time.
_QUERY = re.compile(r"expires=(0|[1-9][0-9]{0,11})&signature=([0-9a-f]{64})")

MALFORMED = "download link is not signed or malformed"
INVALID = "download link signature is invalid (tampered link, or its account was removed)"


class LinkRefused(Exception):
    """A download link that must not be served: `status` 403 (tampered, malformed or its
    account may no longer read the namespace) or 410 (expired)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _signature(secret: bytes, path: str, expires: int, account: str | None) -> str:
    message = f"{path}\n{expires}" if account is None else f"{path}\n{expires}\n{account}"
    return hmac.new(secret, message.encode(), hashlib.sha256).hexdigest()


def sign(
    secret: bytes,
    path: str,
    lifetime_seconds: int,
    now: float | None = None,
    account: str | None = None,
) -> str:
    """`path?expires=...&signature=...`, valid for lifetime_seconds from now, bound to
    `account` (a link bound to no account verifies but is never served)."""
    expires = int(now if now is not None else time.time()) + lifetime_seconds
    signature = _signature(secret, path, expires, account)
    return f"{path}?{urlencode({'expires': expires, 'signature': signature})}"


def verify(
    secret: bytes,
    path: str,
    raw_path: str,
    raw_query: str,
    accounts: Iterable[str],
    now: float,
) -> str | None:
    """The account the link was signed for (None: signed for no account); LinkRefused
    unless the request is the link's one spelling, intact and not expired. The signature
    is checked before the expiry, so that a link whose expiry was moved counts as
    tampered."""
    match = _QUERY.fullmatch(raw_query)
    if match is None or raw_path != path:
        raise LinkRefused(403, MALFORMED)
    expires, signature = int(match[1]), match[2]
    signed_for = [
        account
        for account in (None, *accounts)
        if hmac.compare_digest(_signature(secret, path, expires, account), signature)
    ]
    if not signed_for:
        raise LinkRefused(403, INVALID)
    if expires <= int(now):
        raise LinkRefused(410, "download link has expired; request a new one from the API")
    return signed_for[0]
