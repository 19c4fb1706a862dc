"""Reference implementation of the pull-action classification, in plain Python.

This is the oracle the SQL macro ``classify_pull_actions`` is tested against. It
follows the project's classification rules literally and row by row, so that it
stays easy to read and to check by eye; it is not meant to be fast.

Rules, in short:

* only successful (2xx) manifest requests take part;
* requests are grouped per client key ``(repository, client_ip, user_agent,
  account_id)``, where a missing value is a value of its own and the client IP is
  taken in one spelling per address (staging's ``normalise_ip``; here ``ipaddress``);
* within a key, requests are ordered by ``(occurred_at, event_id)``;
* left to right, the first unused request starts an action, which absorbs the
  following GET-by-digest requests that the rule table allows, each no later than
  ``window`` after the start; the first request that cannot be absorbed starts
  the next action.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from registry_insights.pseudonyms.ip_text import canonical_ip_or_text

DIGEST_PATTERN = re.compile(r"sha256:[0-9a-f]{64}")

VERSION_CHECK = "version_check"
PULL_BY_TAG = "pull_by_tag"
PULL_BY_DIGEST = "pull_by_digest"

ClientKey = tuple[str | None, str | None, str | None, str | None]


@dataclass(frozen=True)
class ManifestRequest:
    """One request to the registry, with the fields classification looks at."""

    event_id: str
    occurred_at: datetime
    http_method: str
    repository: str | None
    reference: str
    response_digest: str | None
    client_ip: str | None
    user_agent: str | None
    account_id: str | None
    status_code: int = 200
    object_type: str = "manifest"

    @property
    def is_by_digest(self) -> bool:
        return DIGEST_PATTERN.fullmatch(self.reference) is not None

    @property
    def digest(self) -> str | None:
        """The digest this request resolved to: the one asked for, or the answer."""
        return self.reference if self.is_by_digest else self.response_digest

    @property
    def client_key(self) -> ClientKey:
        return (
            self.repository,
            canonical_ip_or_text(self.client_ip),
            self.user_agent,
            self.account_id,
        )

    @property
    def takes_part(self) -> bool:
        return self.object_type == "manifest" and 200 <= self.status_code <= 299


@dataclass(frozen=True)
class PullAction:
    """One classified action: its kind, its start request and what it absorbed."""

    action: str
    start: ManifestRequest
    absorbed: tuple[ManifestRequest, ...]

    @property
    def action_id(self) -> str:
        return self.start.event_id

    @property
    def request_count(self) -> int:
        return 1 + len(self.absorbed)

    @property
    def tag(self) -> str | None:
        return None if self.start.is_by_digest else self.start.reference

    @property
    def digest(self) -> str | None:
        return self.start.digest

    @property
    def platform_digest(self) -> str | None:
        """The absorbed GET whose digest differs from the start's, if any."""
        for request in self.absorbed:
            if request.digest is None or request.digest != self.start.digest:
                return request.digest
        return None


def _microseconds(moment: datetime) -> int:
    """Whole microseconds since the epoch, without float rounding."""
    delta = moment.replace(tzinfo=None) - datetime(1970, 1, 1)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def classify_client_requests(
    requests: Sequence[ManifestRequest], window_seconds: float = 60
) -> list[PullAction]:
    """Classify the ordered requests of one client key, greedily left to right."""
    window_us = round(window_seconds * 1_000_000)
    actions: list[PullAction] = []
    i = 0
    while i < len(requests):
        start = requests[i]
        start_us = _microseconds(start.occurred_at)
        absorbed: list[ManifestRequest] = []
        j = i + 1

        def absorbable(candidate: ManifestRequest, start_us: int = start_us) -> bool:
            return (
                candidate.http_method == "GET"
                and candidate.is_by_digest
                and _microseconds(candidate.occurred_at) - start_us <= window_us
            )

        if j < len(requests) and absorbable(requests[j]):
            first = requests[j]
            if start.http_method == "HEAD" and _same(first.digest, start.digest):
                absorbed.append(first)
                j += 1
                if (
                    j < len(requests)
                    and absorbable(requests[j])
                    and not _same(requests[j].digest, start.digest)
                ):
                    absorbed.append(requests[j])
                    j += 1
            elif start.http_method == "GET" and not _same(first.digest, start.digest):
                absorbed.append(first)
                j += 1
        if start.http_method == "HEAD" and not start.is_by_digest and not absorbed:
            kind = VERSION_CHECK
        elif start.is_by_digest:
            kind = PULL_BY_DIGEST
        else:
            kind = PULL_BY_TAG
        actions.append(PullAction(kind, start, tuple(absorbed)))
        i = j
    return actions


def _same(digest: str | None, start_digest: str | None) -> bool:
    """A missing start digest is never the same as any digest."""
    return start_digest is not None and digest == start_digest


def classify(requests: Iterable[ManifestRequest], window_seconds: float = 60) -> list[PullAction]:
    """Classify a whole stream: filter, group by client key, order, classify."""
    by_key: dict[ClientKey, list[ManifestRequest]] = defaultdict(list)
    for request in requests:
        if request.takes_part:
            by_key[request.client_key].append(request)
    actions: list[PullAction] = []
    for key_requests in by_key.values():
        key_requests.sort(key=lambda r: (r.occurred_at, r.event_id))
        actions.extend(classify_client_requests(key_requests, window_seconds))
    return actions
