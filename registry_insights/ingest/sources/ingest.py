"""``registry-insights ingest --source SOURCE INPUT...``: one command for every log the
warehouse reads, the same exactly-once append and the same summary.

Sources: ``distribution`` (the registry's own log, joined with its notifications by
request id), ``nginx`` (a reverse proxy's access log, any of the layouts of
:mod:`.nginx`, joined with notifications by :mod:`.proxy_join`) and ``gar`` (Google
Artifact Registry's Data Access audit log entries, :mod:`.gar`) ``gitlab`` (the
GitLab registry's JSON access log, :mod:`.gitlab`) and ``harbor`` (Harbor's bundled
nginx log, read as ``nginx``, joined with the webhooks the collector stored,
:mod:`.harbor`). ``distribution`` also takes ``--access-log`` files (a proxy's or the
registry's own access log), whose HEAD manifest requests fill distribution 3.0.x's gap
(:mod:`.access_heads`). Without ``--source``
the first lines of the first input decide: a logrus line means ``distribution``, an
access-log line alone means ``nginx``; stdin and anything else need ``--source``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from registry_insights.ingest.events import Event
from registry_insights.ingest.ingest_log import (
    EventMatcher,
    LineParser,
    by_request_id,
    joined_rows,
    read_pull_events,
    write_new_rows,
)
from registry_insights.ingest.inputs import STDIN, InputError, numbered_lines, open_binary
from registry_insights.ingest.log_lines import ACCESS_LOG, LoggedRequest, NotARequest, parse_line
from registry_insights.ingest.push_rows import RawTagPush, write_new_pushes
from registry_insights.ingest.sources.access_heads import HeadRecovery
from registry_insights.ingest.sources.gar import is_audit_entry, parse_gar_line
from registry_insights.ingest.sources.gitlab import GitLabMatcher, gitlab_notes, parse_gitlab_line
from registry_insights.ingest.sources.nginx import FileOrderParser, parse_nginx_line
from registry_insights.ingest.sources.proxy_join import ProxyMatcher
from registry_insights.ingest.summary import IngestSummary

DISTRIBUTION: Final = "distribution"
NGINX: Final = "nginx"
GAR: Final = "gar"
GITLAB: Final = "gitlab"
#: Harbor's bundled nginx log, joined with the collector's stored PULL_ARTIFACT webhooks.
HARBOR: Final = "harbor"
#: Lines read to detect the source.
DETECTION_LINES = 200


@dataclass(frozen=True)
class Source:
    name: str
    #: A new line parser for each ingest (a parser may keep state across lines).
    parser: Callable[[], LineParser]
    file_prefix: str

    def matcher(self, pulls: dict[str, list[Event]]) -> EventMatcher:
        if self.name in (NGINX, HARBOR):
            return ProxyMatcher(pulls)
        if self.name == GITLAB:
            return GitLabMatcher(pulls)
        return by_request_id


SOURCES: Final = {
    DISTRIBUTION: Source(DISTRIBUTION, lambda: parse_line, "registry-log"),
    NGINX: Source(NGINX, FileOrderParser, "nginx-log"),
    HARBOR: Source(HARBOR, FileOrderParser, "harbor-nginx-log"),
    GAR: Source(GAR, lambda: parse_gar_line, "gar-audit-log"),
    GITLAB: Source(GITLAB, lambda: FileOrderParser(parse_gitlab_line), "gitlab-access-log"),
}


def _json_object(line: str) -> dict[str, object] | None:
    try:
        value = json.loads(line)
    except (json.JSONDecodeError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


def detect_source(source: str | Path) -> str:
    """``distribution``, ``gar`` or ``nginx`` from the first lines of ``source``: a
    registry request or logrus line means ``distribution``, an audit log entry ``gar``,
    access-log lines alone ``nginx``."""
    if str(source) == STDIN:
        raise InputError("the source of stdin cannot be detected: give --source")
    proxy_lines = 0
    with open_binary(source) as stream:
        for number, line in numbered_lines(stream):
            if number > DETECTION_LINES:
                break
            stripped = line.strip()
            fields = _json_object(stripped) if stripped.startswith("{") else None
            if fields is not None and is_audit_entry(fields):
                return GAR
            if fields is not None and fields.get("msg") == "access" and "correlation_id" in fields:
                return GITLAB
            parsed = parse_line(line, number)
            if isinstance(parsed, LoggedRequest):
                return DISTRIBUTION
            if isinstance(parsed, NotARequest) and parsed.category != ACCESS_LOG:
                logrus = fields is None or ("msg" in fields and "level" in fields)
                if logrus:
                    return DISTRIBUTION
            if isinstance(parse_nginx_line(line, number), LoggedRequest | NotARequest):
                proxy_lines += 1
    if proxy_lines:
        return NGINX
    raise InputError(f"{source}: neither a registry log nor an access log: give --source")


def ingest(
    inputs: list[str],
    raw_path: Path,
    source: str | None = None,
    notifications: str | Path | None = None,
    progress: bool = True,
    access_logs: list[str] | None = None,
) -> IngestSummary:
    """Append the requests of ``inputs`` (all of one source) to the raw contract;
    ``access_logs`` (distribution only) fill a 3.0.x log's missing HEAD answers."""
    if not inputs:
        raise InputError("no input given")
    name = source or detect_source(inputs[0])
    if name not in SOURCES:
        raise InputError(f"unknown source {name!r}: one of {', '.join(SOURCES)}")
    if access_logs and name != DISTRIBUTION:
        raise InputError(
            f"--access-log goes with --source distribution (a {name} log is read whole)"
        )
    for access_log in access_logs or ():
        if access_log == STDIN or not Path(access_log).is_file():
            raise InputError(f"--access-log {access_log}: no such file")
    chosen = SOURCES[name]
    summary = IngestSummary(source=name if source else f"{name} (detected)")
    pushes: list[RawTagPush] = []
    pulls = read_pull_events(notifications, summary, pushes) if notifications is not None else {}
    if name == GITLAB:
        summary.notes += gitlab_notes(pulls, notifications is not None)
    rows = joined_rows(
        inputs[0],
        pulls,
        summary,
        progress,
        parser=chosen.parser(),
        match=chosen.matcher(pulls),
        more_logs=tuple(inputs[1:]),
        heads=HeadRecovery(tuple(access_logs or ())) if name == DISTRIBUTION else None,
    )
    write_new_rows(rows, raw_path, summary, chosen.file_prefix)
    write_new_pushes(pushes, raw_path, summary)
    if name == DISTRIBUTION and not summary.log_requests and str(inputs[0]) != STDIN:
        try:
            detected = detect_source(inputs[0])
        except InputError:
            detected = None
        if detected is not None and detected != DISTRIBUTION:
            summary.notes.append(
                f"note: no registry request in {inputs[0]}; its lines look like"
                f" --source {detected}"
                + (
                    " (GitLab's registry writes a LabKit access log, not upstream's"
                    ' "response completed" lines)'
                    if detected == GITLAB
                    else ""
                )
            )
    return summary
