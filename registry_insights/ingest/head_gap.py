"""Distribution 3.0.x's missing HEAD answers, detected.

distribution 3.0.0 stopped writing the "response completed" line for a HEAD manifest
request answered 200 (distribution/distribution#4733, fixed upstream by #4756), so its
log alone under-counts version checks. The gap is suspected when the log names a 3.0.x
version (the ``version`` field every logrus line of the registry carries), or when the
notifications show HEAD manifest pulls while the log has no 200 HEAD manifest line at
all. The HEAD requests then come from an access log of the same requests (a proxy's,
``--access-log``, or the registry's own lines in its log:
:mod:`registry_insights.ingest.sources.access_heads`) or from the notifications (rows
of their own, status assumed 200); without either the summary says version checks are
missing.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

#: Lines searched for the registry's version (it is on every logrus line).
VERSION_LINES = 1_000
_VERSION = re.compile(r'"version":\s*"(?P<json>[^"]+)"|\bversion=(?P<text>"[^"]*"|\S+)')
_GAP_VERSION = re.compile(r"v?3\.0\.\d+\b.*")


def version_of(line: str) -> str | None:
    match = _VERSION.search(line)
    if match is None:
        return None
    return (match["json"] or match["text"] or "").strip('"') or None


@dataclass
class HeadGap:
    """What the ingest saw of HEAD manifest requests, for the warning."""

    registry_version: str | None = None
    logged_heads: int = 0  # 200 HEAD manifest lines in the log
    heads_from_events: int = 0  # HEAD manifest rows taken from the notifications
    log_requests: int = 0
    #: Access-log lines read (``--access-log``), and what became of them.
    access_log_lines: int = 0
    access_log_skipped: Counter[str] = field(default_factory=Counter)
    access_log_heads: int = 0  # HEAD manifest requests in the access logs
    access_log_heads_logged: int = 0  # ... that the registry log has too
    access_log_heads_joined: int = 0  # ... taken, with notification events
    heads_from_access_log: int = 0  # HEAD manifest rows taken from an access log
    #: The registry's own access-log lines (inside its log): how many, and whether used.
    own_access_lines: int = 0
    embedded_access_log: bool = False

    @property
    def version_has_gap(self) -> bool:
        return self.registry_version is not None and bool(
            _GAP_VERSION.fullmatch(self.registry_version)
        )

    @property
    def suspected(self) -> bool:
        seen_in_events = self.heads_from_events > 0 and self.logged_heads == 0
        seen_in_access_log = self.heads_from_access_log > 0
        return self.version_has_gap or (
            self.log_requests > 0 and (seen_in_events or seen_in_access_log)
        )

    def access_log_report(self) -> list[str]:
        if not self.access_log_lines and not self.embedded_access_log:
            return []
        read = (
            f"access log: {self.access_log_lines:,} line(s) read"
            if self.access_log_lines
            else "access log: the registry's own access-log lines"
        )
        lines = [
            f"{read}, {self.access_log_heads:,} HEAD manifest request(s):"
            f" {self.access_log_heads_logged:,} already in the registry log,"
            f" {self.heads_from_access_log:,} taken"
            f" ({self.access_log_heads_joined:,} joined with notifications)"
        ]
        for category, count in sorted(self.access_log_skipped.items()):
            lines.append(f"  access-log lines not taken ({category}): {count:,}")
        return lines

    def report(self) -> list[str]:
        lines = self.access_log_report()
        if not self.suspected:
            return lines
        if self.version_has_gap:
            why = f"distribution {self.registry_version}"
        elif self.heads_from_access_log and not self.heads_from_events:
            why = "the access log has HEAD manifest requests the log lacks"
        else:
            why = "the notifications show HEAD manifest requests"
        lines += [
            f"warning: {why}, and the log has {self.logged_heads:,} answered HEAD manifest"
            " line(s): distribution 3.0.x does not log 200 answers to HEAD manifest requests"
            " (distribution/distribution#4733)"
        ]
        if self.heads_from_access_log:
            lines.append(
                "  HEAD manifest requests taken from the access log:"
                f" {self.heads_from_access_log:,}"
            )
        if self.heads_from_events:
            lines.append(
                f"  HEAD manifest requests taken from the notifications: {self.heads_from_events:,}"
            )
        if not self.heads_from_access_log and not self.heads_from_events:
            lines.append(
                "  version checks are missing: give --access-log (a proxy's or the registry's"
                " access log) or --notifications to recover them"
            )
        return lines
