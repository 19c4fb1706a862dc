"""Distribution 3.0.x's missing HEAD answers, detected.

distribution 3.0.0 stopped writing the "response completed" line for a HEAD manifest
request answered 200 (distribution/distribution#4733, fixed upstream by #4756), so its
log alone under-counts version checks. The gap is suspected when the log names a 3.0.x
version (the ``version`` field every logrus line of the registry carries), or when the
notifications show HEAD manifest pulls while the log has no 200 HEAD manifest line at
all. The HEAD requests then come from the notifications (rows of their own, status
assumed 200); without notifications the summary says version checks are missing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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

    @property
    def version_has_gap(self) -> bool:
        return self.registry_version is not None and bool(
            _GAP_VERSION.fullmatch(self.registry_version)
        )

    @property
    def suspected(self) -> bool:
        seen_in_events = self.heads_from_events > 0 and self.logged_heads == 0
        return self.version_has_gap or (self.log_requests > 0 and seen_in_events)

    def report(self) -> list[str]:
        if not self.suspected:
            return []
        why = (
            f"distribution {self.registry_version}"
            if self.version_has_gap
            else "the notifications show HEAD manifest requests"
        )
        lines = [
            f"warning: {why}, and the log has {self.logged_heads:,} answered HEAD manifest"
            " line(s): distribution 3.0.x does not log 200 answers to HEAD manifest requests"
            " (distribution/distribution#4733)"
        ]
        if self.heads_from_events:
            lines.append(
                f"  HEAD manifest requests taken from the notifications: {self.heads_from_events:,}"
            )
        else:
            lines.append("  version checks are missing: give --notifications to recover them")
        return lines
