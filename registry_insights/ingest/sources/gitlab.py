"""GitLab container registry: its JSON access log (LabKit), as the raw contract's requests.

GitLab's fork of distribution logs one line per request with ``"msg": "access"``
(``log.accesslog.formatter: json``, the default) and, unlike upstream, no "response
completed" line while the access log is on. A line has ``time`` (RFC 3339, whole
seconds), ``method``, ``uri``, ``status``, ``written_bytes``, ``remote_ip`` (else
``remote_addr``), ``user_agent``, ``content_type`` and ``correlation_id``, which becomes
the ``event_id``. It has no user (``account_id`` comes from the notifications' ``actor``)
and no digest (``response_digest`` too). Other lines (the registry's application log)
are counted as ``log_message``.

Notifications are joined as for a proxy (:mod:`.proxy_join`): by method, object,
repository and reference within a few seconds, since it is not established that
GitLab's ``request.id`` equals the ``correlation_id``; a request whose id does match is
taken first.

GitLab's notification extras have no raw column; they are kept in the stored event and
counted in the summary (:func:`gitlab_notes`), with what GitLab does differently:

- ``actor.user_type`` says what kind of credential pulled: ``build`` (a CI job token),
  ``deploy_token``, ``personal_access_token``, ``gitlab_or_ldap`` (a person's
  password), ``""`` (anonymous). Pulls by machines are pulls, so nothing is skipped;
  ``account_id`` stays ``actor.name``. The summary counts the pull events per type.
- ``meta.blob`` (``redirected``, ``storageBackend``) is on blob downloads: a redirected
  blob GET is a 307 whose ``written_bytes`` are the redirect's, the layer coming from
  object storage. ``response_bytes`` stays what the registry sent (the log's);
  the summary counts the redirected downloads and the bytes storage served
  (``target.size``).
- GitLab emits a ``pull`` event for a HEAD manifest request too (upstream only for a
  GET), told apart by ``request.method``, so joined it gives a HEAD by tag its digest.
"""

from __future__ import annotations

import json
from collections import Counter

from registry_insights.ingest.api_paths import classify_path
from registry_insights.ingest.events import Event
from registry_insights.ingest.log_lines import (
    READ_METHODS,
    LoggedRequest,
    Malformed,
    NotARequest,
    ParsedLine,
    client_address,
    derived_request_id,
)
from registry_insights.ingest.sources.proxy_join import ProxyMatcher
from registry_insights.ingest.timestamps import parse_rfc3339

ACCESS_MESSAGE = "access"


def _text(fields: dict[str, object], key: str) -> str | None:
    value = fields.get(key)
    return str(value) if value is not None and str(value).strip() != "" else None


def _integer(fields: dict[str, object], key: str) -> int | None:
    value = fields.get(key)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def access_request(fields: dict[str, object], line: str, line_number: int) -> ParsedLine:
    """One LabKit access line (``msg`` is ``access``)."""
    method, uri, status = _text(fields, "method"), _text(fields, "uri"), _integer(fields, "status")
    if method is None or uri is None or status is None:
        return Malformed("access line without method, uri or status")
    if method.upper() not in READ_METHODS:
        return NotARequest("push_or_delete")  # GitLab's tag delete has a route of its own
    target = classify_path(uri)
    if isinstance(target, str):
        return NotARequest(target)
    stamp = _text(fields, "time")
    occurred_at = parse_rfc3339(stamp) if stamp else None
    if occurred_at is None:
        return Malformed(f"unreadable time {stamp!r}")
    return LoggedRequest(
        line_number=line_number,
        request_id=_text(fields, "correlation_id") or derived_request_id(line),
        occurred_at=occurred_at,
        http_method=method.upper(),
        api=target,
        status_code=status,
        response_bytes=_integer(fields, "written_bytes"),
        client_ip=client_address(_text(fields, "remote_ip") or _text(fields, "remote_addr")),
        user_agent=_text(fields, "user_agent"),
        account_id=None,
        content_type=_text(fields, "content_type"),
    )


def parse_gitlab_line(line: str, line_number: int) -> ParsedLine | None:
    """One line of a GitLab registry's output; None for a blank line."""
    stripped = line.strip().lstrip("\x00").strip()
    if not stripped:
        return None
    try:
        fields = json.loads(stripped)
    except (json.JSONDecodeError, RecursionError):
        return Malformed("invalid JSON (GitLab's access log is JSON)")
    if not isinstance(fields, dict):
        return Malformed("JSON line is not an object")
    if fields.get("msg") != ACCESS_MESSAGE:
        return NotARequest("log_message")
    return access_request(fields, stripped, line_number)


class GitLabMatcher:
    """The request id of a line's pull events: the correlation id when the events carry
    it as ``request.id``, else the proxy join's nearest match."""

    def __init__(self, pulls: dict[str, list[Event]]) -> None:
        self._pulls = pulls
        self._nearest = ProxyMatcher(pulls)

    def __call__(self, request: LoggedRequest) -> str | None:
        if request.request_id in self._pulls:
            return request.request_id
        return self._nearest(request)


#: ``actor.user_type`` names, as the summary shows them.
ANONYMOUS = "anonymous"


def gitlab_notes(pulls: dict[str, list[Event]], notifications: bool) -> list[str]:
    """What the summary says of a GitLab registry: how it differs from upstream and what
    its notification extras show (``pulls``: the pull events by request id)."""
    events = [event for request in pulls.values() for event in request]
    if not notifications:
        return [
            "gitlab: the access log has no user and no digest; without --notifications"
            " account_id is empty and a HEAD by tag has no digest (a docker or containerd"
            " pull counts as version_check + pull_by_digest)"
        ]
    kinds: Counter[str] = Counter()
    backends: Counter[str] = Counter()
    redirected_bytes = heads = 0
    for event in events:
        extra = event.actor.model_extra or {}
        kind = extra.get("user_type")
        kinds[str(kind) if kind else ANONYMOUS] += 1
        heads += (event.request.method or "").upper() == "HEAD"
        blob = ((event.model_extra or {}).get("meta") or {}).get("blob")
        if isinstance(blob, dict) and blob.get("redirected") is True:
            backends[str(blob.get("storageBackend") or "unknown")] += 1
            redirected_bytes += event.target.size or 0
    by_kind = ", ".join(f"{kind} {count:,}" for kind, count in sorted(kinds.items()))
    lines = [
        f"gitlab: pull events by actor.user_type: {by_kind or 'none'}"
        " (build = CI job token; no raw column, account_id is actor.name)",
        f"gitlab: pull events of HEAD manifest requests (GitLab emits them, upstream does"
        f" not): {heads:,}",
    ]
    if backends:
        where = ", ".join(f"{name} {count:,}" for name, count in sorted(backends.items()))
        lines.append(
            f"gitlab: blob downloads redirected to storage (meta.blob.redirected): {where};"
            f" response_bytes is the redirect's, storage served {redirected_bytes:,} bytes"
        )
    return lines
