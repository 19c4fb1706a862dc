"""Signed, expiring download links (HMAC-SHA256 over the path and the expiry time)."""

from __future__ import annotations

import hashlib
import hmac
import time
from urllib.parse import urlencode


class LinkRefused(Exception):
    """A download link that must not be served: `status` 403 (tampered) or 410 (expired)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _signature(secret: bytes, path: str, expires: int) -> str:
    return hmac.new(secret, f"{path}\n{expires}".encode(), hashlib.sha256).hexdigest()


def sign(secret: bytes, path: str, lifetime_seconds: int, now: float | None = None) -> str:
    """`path?expires=...&signature=...`, valid for lifetime_seconds from now."""
    expires = int(now if now is not None else time.time()) + lifetime_seconds
    query = urlencode({"expires": expires, "signature": _signature(secret, path, expires)})
    return f"{path}?{query}"


def verify(
    secret: bytes, path: str, expires: str | None, signature: str | None, now: float | None = None
) -> None:
    """Raise LinkRefused unless the link is intact and not expired. The signature is
    checked first, so that a link whose expiry was pushed back counts as tampered."""
    if not expires or not signature or not expires.isdigit():
        raise LinkRefused(403, "download link is not signed or malformed")
    expected = _signature(secret, path, int(expires))
    if not hmac.compare_digest(expected, signature):
        raise LinkRefused(403, "download link signature is invalid (tampered link)")
    if int(expires) <= int(now if now is not None else time.time()):
        raise LinkRefused(410, "download link has expired; request a new one from the API")
