"""Failed-token attempts per client: more than `limit` requests with a missing or invalid
token from one client address within `window` seconds answer 429 (with Retry-After)
instead of 401, until the oldest of them leaves the window. Requests with a valid token
are neither counted nor refused, so a client sharing an address with a guesser keeps
working (tokens are 256-bit random: the limit keeps guessing slow and noisy, it is not
what makes guessing hopeless)."""

from __future__ import annotations

import math
import threading
from collections import deque
from collections.abc import Callable

#: Clients tracked at most before the ones with no failure in the window are dropped.
_PRUNE_ABOVE = 10_000


class FailedTokenLimiter:
    def __init__(self, limit: int, window: float, clock: Callable[[], float]) -> None:
        self.limit = limit
        self.window = window
        self.clock = clock
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, client: str, now: float) -> deque[float]:
        failures = self._failures.setdefault(client, deque())
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        return failures

    def retry_after(self, client: str) -> int | None:
        """Seconds until `client` may fail again, when it is over the limit; None otherwise."""
        with self._lock:
            now = self.clock()
            failures = self._recent(client, now)
            if len(failures) < self.limit:
                return None
            return max(1, math.ceil(failures[0] + self.window - now))

    def record_failure(self, client: str) -> None:
        with self._lock:
            now = self.clock()
            self._recent(client, now).append(now)
            if len(self._failures) > _PRUNE_ABOVE:
                for other in list(self._failures):
                    if not self._recent(other, now):
                        del self._failures[other]
