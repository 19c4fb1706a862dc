"""What an ingestion did, counted, with the line numbers of what it rejected."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from registry_insights.ingest.head_gap import HeadGap

#: Line numbers listed per rejection reason; the rest is counted.
LISTED_LINES = 20


@dataclass
class Rejections:
    """Rejected lines or events by reason, keeping the first line numbers of each."""

    lines: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    counts: Counter[str] = field(default_factory=Counter)

    def add(self, reason: str, line_number: int) -> None:
        self.counts[reason] += 1
        if len(self.lines[reason]) < LISTED_LINES:
            self.lines[reason].append(line_number)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def report(self, what: str) -> list[str]:
        out = []
        for reason, count in self.counts.most_common():
            listed = ", ".join(str(n) for n in self.lines[reason])
            more = f" and {count - len(self.lines[reason])} more" if count > LISTED_LINES else ""
            out.append(f"  {what} rejected ({reason}): {count} at line(s) {listed}{more}")
        return out


@dataclass
class IngestSummary:
    log_lines: int = 0
    log_requests: int = 0
    not_requests: Counter[str] = field(default_factory=Counter)
    malformed_lines: Rejections = field(default_factory=Rejections)
    events_by_action: Counter[str] = field(default_factory=Counter)
    rejected_events: Rejections = field(default_factory=Rejections)
    joined: int = 0
    log_only: int = 0
    events_only: int = 0
    duplicates_in_input: int = 0
    already_present: int = 0
    written: int = 0
    #: Rows written to ``raw_tag_pushes`` (manifest pushes by tag).
    pushes_written: int = 0
    recovered_batches: int = 0
    files: list[str] = field(default_factory=list)
    #: The source read (``ingest --source``), None for the older commands.
    source: str | None = None
    head_gap: HeadGap = field(default_factory=HeadGap)
    #: What an adapter says about its source (how it differs, what it could not fill).
    notes: list[str] = field(default_factory=list)

    def report(self) -> str:
        lines = [f"source: {self.source}"] if self.source else []
        lines += [
            f"log lines read: {self.log_lines:,}",
            f"requests read (manifest/blob GET or HEAD): {self.log_requests:,}",
        ]
        for category, count in sorted(self.not_requests.items()):
            label = "access-log lines, not used" if category == "access_log" else category
            lines.append(f"  not a pull request ({label}): {count:,}")
        lines.append(f"malformed log lines: {self.malformed_lines.total:,}")
        lines += self.malformed_lines.report("line")
        if self.events_by_action or self.rejected_events.total:
            actions = ", ".join(f"{a} {n:,}" for a, n in sorted(self.events_by_action.items()))
            lines.append(f"notification events read: {actions or 'none'}")
            lines.append(f"notification events rejected: {self.rejected_events.total:,}")
            lines += self.rejected_events.report("event")
        lines += [
            f"rows: {self.joined:,} joined, {self.log_only:,} log only,"
            f" {self.events_only:,} notification only",
            f"duplicates within the input: {self.duplicates_in_input:,}",
            f"already present under the raw path: {self.already_present:,}",
            f"written: {self.written:,} row(s) in {len(self.files)} file(s)",
        ]
        if self.pushes_written:
            lines.append(f"tag pushes written (raw_tag_pushes): {self.pushes_written:,}")
        lines += self.head_gap.report()
        lines += self.notes
        if self.recovered_batches:
            lines.append(f"interrupted batches re-written: {self.recovered_batches:,}")
        events = sum(self.events_by_action.values())
        lines.append(
            f"summary: read {self.log_requests:,} request(s) and {events:,} event(s),"
            f" written {self.written:,}, already present {self.already_present:,},"
            f" rejected {self.malformed_lines.total:,} line(s)"
            f" and {self.rejected_events.total:,} event(s)"
        )
        return "\n".join(lines)
