"""Reverse-proxy (nginx) access-log lines, as the raw contract's requests.

Three layouts are read, detected per line:

- ``combined`` (nginx's predefined format, and registry:2's own access log):
  ``$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent
  "$http_referer" "$http_user_agent"``;
- Harbor's ``timed_combined``: ``$remote_addr - "$request" $status $body_bytes_sent
  "$http_referer" "$http_user_agent" $request_time $upstream_response_time $pipe``,
  with the Helm chart's ``[$time_local]:`` prefix. The docker-compose variant has no
  time of its own: a line needs a collector's RFC 3339 prefix (``docker logs -t``,
  ``kubectl logs --timestamps``), else it is rejected with that reason;
- the JSON ``log_format registry_insights`` documented in docs/registry-sources.md,
  the only one that carries the ``Docker-Content-Digest`` the registry answered with
  (``$upstream_http_docker_content_digest``) and a request id (``$request_id``).

A line without a request id gets one derived from its text (the same line always gets
the same id, so a second ingest writes nothing new). nginx escapes ``"`` and ``\\`` as
``\\x22`` and ``\\x5C`` in the text formats; they are decoded.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import re
from collections.abc import Callable

from registry_insights.ingest.api_paths import classify_path, is_digest
from registry_insights.ingest.log_lines import (
    READ_METHODS,
    LoggedRequest,
    Malformed,
    NotARequest,
    ParsedLine,
    client_address,
    derived_request_id,
)
from registry_insights.ingest.timestamps import parse_apache, parse_rfc3339

_QUOTED = r'"((?:[^"\\]|\\.)*)"'
_COMBINED = re.compile(
    r"(?P<addr>\S+) \S+ (?P<user>\S+) \[(?P<time>[^\]]+)\] "
    rf"{_QUOTED} (?P<status>\d{{3}}) (?P<bytes>\d+|-)"
    rf"(?: {_QUOTED} {_QUOTED})?(?P<rest>.*)"
)
_TIMED = re.compile(
    r"(?:\[(?P<time>[^\]]+)\]:)?(?P<addr>[^\s\[]\S*) - "
    rf"{_QUOTED} (?P<status>\d{{3}}) (?P<bytes>\d+|-) {_QUOTED} {_QUOTED}"
    r" (?P<request_time>[\d.]+|-) (?P<upstream_time>[\d.,: -]+?) (?P<pipe>[p.])"
)
_COLLECTOR_PREFIX = re.compile(r"(?P<stamp>\d{4}-\d{2}-\d{2}T\S+) (?P<line>.+)")
_ESCAPE = re.compile(r"\\x([0-9A-Fa-f]{2})")
PREFIX = "nginx-"
#: What nginx logs for a connection that sent no valid HTTP request (a client trying
#: TLS on a plain port, a timeout before the request line): 400, 408, 414, 494.
INVALID_REQUEST_STATUSES = frozenset({400, 408, 414, 494})
INVALID_REQUEST = "invalid_http_request"


def _unescape(text: str) -> str:
    """nginx's ``\\xHH`` escapes (and registry:2's Go ``\\"``) decoded."""
    text = _ESCAPE.sub(lambda match: chr(int(match[1], 16)), text)
    return text.replace('\\"', '"').replace("\\\\", "\\")


def _optional(text: str | None) -> str | None:
    """nginx writes ``-`` (text formats) or ``""`` (JSON) for an empty variable."""
    if text is None:
        return None
    value = text.strip()
    return None if value in ("", "-") else value


def _number(text: object) -> int | None:
    value = str(text).strip() if text is not None else ""
    return int(value) if value.isdigit() else None


def _request(
    *,
    line: str,
    line_number: int,
    request_id: str | None,
    occurred_at: datetime.datetime | None,
    request_line: str,
    method: str | None = None,
    status: int | None,
    response_bytes: int | None,
    address: str | None,
    user_agent: str | None,
    account_id: str | None,
    response_digest: str | None = None,
    content_type: str | None = None,
) -> ParsedLine:
    """A parsed access-log line in the shape of a registry's "response completed" line."""
    parts = request_line.split()
    if method is None:
        if len(parts) not in (2, 3):
            if status in INVALID_REQUEST_STATUSES:
                return NotARequest(INVALID_REQUEST)
            return Malformed("request line is not METHOD URI [PROTOCOL]")
        method, uri = parts[0], parts[1]
    else:
        uri = request_line
    if status is None:
        return Malformed("no status")
    target = classify_path(uri)
    if isinstance(target, str):
        return NotARequest(target)
    if method.upper() not in READ_METHODS:
        return NotARequest("push_or_delete")
    if occurred_at is None:
        return Malformed("no time (timed_combined without [$time_local] needs a collector prefix)")
    digest = _optional(response_digest)
    return LoggedRequest(
        line_number=line_number,
        request_id=PREFIX + (_optional(request_id) or derived_request_id(line)),
        occurred_at=occurred_at,
        http_method=method.upper(),
        api=target,
        status_code=status,
        response_bytes=response_bytes,
        client_ip=client_address(address),
        user_agent=user_agent,
        account_id=account_id,
        content_type=_optional(content_type),
        response_digest=digest if is_digest(digest) else None,
    )


def _json_time(fields: dict[str, object]) -> datetime.datetime | None:
    msec = str(fields.get("msec") or "").strip()
    if re.fullmatch(r"\d+(?:\.\d+)?", msec):
        seconds, _, millis = msec.partition(".")
        stamp = datetime.datetime.fromtimestamp(int(seconds), tz=datetime.UTC)
        return stamp + datetime.timedelta(milliseconds=int((millis or "0")[:3].ljust(3, "0")))
    for key in ("time", "time_iso8601", "time_local", "access_time"):
        text = fields.get(key)
        if isinstance(text, str):
            return parse_rfc3339(text) or parse_apache(text)
    return None


def parse_json_line(fields: dict[str, object], line: str, line_number: int) -> ParsedLine:
    """A line of the ``registry_insights`` JSON log_format (other JSON proxy formats with
    the same field names, such as rpardini/docker-registry-proxy's, read as far as they go)."""
    method = _optional(str(fields.get("method") or fields.get("request_method") or ""))
    uri = _optional(str(fields.get("uri") or fields.get("request_uri") or ""))
    if method is None or uri is None:
        if _number(fields.get("status")) in INVALID_REQUEST_STATUSES:
            return NotARequest(INVALID_REQUEST)
        return Malformed("JSON access-log line without method or uri")
    forwarded = _optional(str(fields.get("x_forwarded_for") or fields.get("xff") or ""))
    return _request(
        line=line,
        line_number=line_number,
        request_id=str(fields.get("request_id") or ""),
        occurred_at=_json_time(fields),
        request_line=uri,
        method=method,
        status=_number(fields.get("status")),
        response_bytes=_number(fields.get("body_bytes_sent", fields.get("bytes_sent"))),
        address=forwarded or _optional(str(fields.get("remote_addr") or "")),
        user_agent=_optional(str(fields.get("user_agent") or fields.get("http_user_agent") or "")),
        account_id=_optional(str(fields.get("remote_user") or "")),
        response_digest=str(fields.get("docker_content_digest") or ""),
        content_type=str(fields.get("content_type") or ""),
    )


def _parse_text(line: str, line_number: int, stamp: datetime.datetime | None) -> ParsedLine | None:
    combined = _COMBINED.fullmatch(line)
    if combined is not None:
        return _request(
            line=line,
            line_number=line_number,
            request_id=None,
            occurred_at=parse_apache(combined["time"]) or stamp,
            request_line=_unescape(combined[4]),
            status=int(combined["status"]),
            response_bytes=_number(combined["bytes"]),
            address=combined["addr"],
            user_agent=_optional(_unescape(combined[8] or "")),
            account_id=_optional(combined["user"]),
        )
    timed = _TIMED.fullmatch(line)
    if timed is not None:
        occurred_at = parse_apache(timed["time"]) if timed["time"] else stamp
        return _request(
            line=line,
            line_number=line_number,
            request_id=None,
            occurred_at=occurred_at,
            request_line=_unescape(timed[3]),
            status=int(timed["status"]),
            response_bytes=_number(timed["bytes"]),
            address=timed["addr"],
            user_agent=_optional(_unescape(timed[7])),
            account_id=None,
        )
    return None


def parse_nginx_line(line: str, line_number: int) -> ParsedLine | None:
    """One access-log line; None for a blank line."""
    stripped = line.strip().lstrip("\x00").strip()
    if not stripped:
        return None
    if stripped.startswith("{"):
        try:
            fields = json.loads(stripped)
        except (json.JSONDecodeError, RecursionError):
            return Malformed("invalid JSON")
        if not isinstance(fields, dict):
            return Malformed("JSON line is not an object")
        wrapped = fields.get("log")
        if isinstance(wrapped, str) and "method" not in fields:
            return parse_nginx_line(wrapped, line_number)
        return parse_json_line(fields, stripped, line_number)
    parsed = _parse_text(stripped, line_number, None)
    if parsed is not None:
        return parsed
    prefixed = _COLLECTOR_PREFIX.fullmatch(stripped)
    if prefixed is not None:
        stamp = parse_rfc3339(prefixed["stamp"])
        inner = prefixed["line"].strip()
        if inner.startswith("{"):
            return parse_nginx_line(inner, line_number)
        parsed = _parse_text(inner, line_number, stamp)
        if parsed is not None:
            return parsed
    return Malformed("neither combined, timed_combined nor the JSON access-log format")


class FileOrderParser:
    """A line parser (:func:`parse_nginx_line` unless given) keeping the log's order
    among requests of one time.

    ``$time_local`` has whole seconds, so a HEAD and the GET that follows it often
    share one time, and the classification orders a tie by ``event_id`` (a hash for
    these lines), i.e. at random. The log's order is the order the responses
    completed, so the n-th request of a run of equal times is moved n microseconds
    later: the order survives, the time moves by less than a millisecond in practice
    (never past its second). The same input gives the same rows, so re-ingesting it
    still writes nothing new."""

    def __init__(self, parse: Callable[[str, int], ParsedLine | None] | None = None) -> None:
        self._parse = parse or parse_nginx_line
        self._last: datetime.datetime | None = None
        self._rank = 0

    def __call__(self, line: str, line_number: int) -> ParsedLine | None:
        parsed = self._parse(line, line_number)
        if not isinstance(parsed, LoggedRequest):
            return parsed
        if parsed.occurred_at == self._last:
            self._rank = min(self._rank + 1, 999_999 - parsed.occurred_at.microsecond)
        else:
            self._last, self._rank = parsed.occurred_at, 0
        if self._rank == 0:
            return parsed
        moved = parsed.occurred_at + datetime.timedelta(microseconds=self._rank)
        return dataclasses.replace(parsed, occurred_at=moved)
