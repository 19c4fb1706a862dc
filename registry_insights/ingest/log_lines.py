"""Lines of a distribution registry's output, as the adapter meets them.

A registry writes three kinds of line, often into one stream:

- logrus JSON (``log.formatter: json``): ``{"time": ..., "level": ..., "msg": ...}``;
- logrus text (the default): ``time="..." level=info msg="response completed" k=v ...``;
- gorilla's Apache-combined access log (``127.0.0.1 - - [28/Nov/2026:...] "GET ..."``),
  printed by registry:2 unless ``log.accesslog.disabled``. It has no request id, so it
  cannot be joined: recognised and counted, and used only for the HEAD manifest
  requests a distribution 3.0.x log lacks (:mod:`.sources.access_heads`).

One "response completed" line per request (``... with error`` for 4xx/5xx) carries the
request id, method, URI, status, bytes written, remote address, User-Agent and, when
authenticated, ``auth.user.name``. Docker's json-file log driver wrapping
(``{"log": "...", "stream": "stderr"}``) is unwrapped.
"""

from __future__ import annotations

import datetime
import hashlib
import ipaddress
import json
import re
from dataclasses import dataclass

from registry_insights.ingest.api_paths import ApiRequest, classify_path
from registry_insights.ingest.timestamps import parse_rfc3339

RESPONSE_MESSAGES = frozenset({"response completed", "response completed with error"})
READ_METHODS = frozenset({"GET", "HEAD"})
ACCESS_LOG = "access_log"

_TEXT_FIELD = re.compile(r'\s*([^\s="]+)=("(?:[^"\\]|\\.)*"|[^\s"]*)')
_ACCESS_LINE = re.compile(
    r'\S+ \S+ \S+ \[[^\]]+\] "(?:[^"\\]|\\.)*" (?:\d{3}|-) (?:\d+|-)'
    r'(?: "(?:[^"\\]|\\.)*" "(?:[^"\\]|\\.)*")?\s*'
)
_FORWARDED_KEYS = ("http.request.forwardedfor", "http.request.x-forwarded-for", "x-forwarded-for")


@dataclass(frozen=True)
class LoggedRequest:
    """One manifest or blob GET/HEAD, from its "response completed" line."""

    line_number: int
    request_id: str
    occurred_at: datetime.datetime
    http_method: str
    api: ApiRequest
    status_code: int
    response_bytes: int | None
    client_ip: str | None
    user_agent: str | None
    account_id: str | None
    content_type: str | None
    #: The ``Docker-Content-Digest`` answered, when the log has it (a proxy's JSON format).
    response_digest: str | None = None


@dataclass(frozen=True)
class NotARequest:
    """A valid line that is not a request of the contract, with its category."""

    category: str


@dataclass(frozen=True)
class Malformed:
    reason: str


ParsedLine = LoggedRequest | NotARequest | Malformed


def _unquote_go(quoted: str) -> str:
    """A Go ``strconv.Quote``d value (logrus text quoting); JSON covers nearly all of it."""
    try:
        value = json.loads(quoted)
    except json.JSONDecodeError:
        return quoted[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    return value if isinstance(value, str) else quoted[1:-1]


def parse_logrus_text(line: str) -> dict[str, str] | None:
    """The fields of a logrus text line, or None when the line is not one."""
    fields: dict[str, str] = {}
    position = 0
    stripped = line.rstrip()
    while position < len(stripped):
        match = _TEXT_FIELD.match(stripped, position)
        if match is None or match.end() == position:
            return None
        key, value = match.groups()
        fields[key] = _unquote_go(value) if value.startswith('"') else value
        position = match.end()
    if "msg" not in fields and "level" not in fields:
        return None
    return fields


def _json_fields(line: str) -> dict[str, object] | None:
    try:
        value = json.loads(line)
    except (json.JSONDecodeError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


def client_address(text: str | None) -> str | None:
    """The client IP of a remote address: port, brackets and forwarded lists removed
    (``[::1]:5555`` -> ``::1``, ``203.0.113.9:443`` -> ``203.0.113.9``). Text that is
    no address is kept as it is (the warehouse quarantines it)."""
    if text is None or not text.strip():
        return None
    first = text.split(",")[0].strip()
    candidates = [first]
    if first.startswith("[") and "]" in first:
        candidates.insert(0, first[1 : first.index("]")])
    elif first.count(":") == 1:
        candidates.insert(0, first.rsplit(":", 1)[0])
    for candidate in candidates:
        try:
            return str(ipaddress.ip_address(candidate))
        except ValueError:
            continue
    return first


def _text(fields: dict[str, object], key: str) -> str | None:
    value = fields.get(key)
    if value is None:
        return None
    text = str(value)
    return text if text != "" else None


def _integer(fields: dict[str, object], key: str) -> int | None:
    value = fields.get(key)
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


def derived_request_id(line: str) -> str:
    """A stable id for a request line without ``http.request.id`` (same line, same id)."""
    return "log-" + hashlib.sha256(line.encode()).hexdigest()[:32]


def request_from_fields(fields: dict[str, object], line_number: int, line: str) -> ParsedLine:
    """Interpret the fields of one logrus line."""
    if _text(fields, "msg") not in RESPONSE_MESSAGES:
        return NotARequest("log_message")
    method = (_text(fields, "http.request.method") or "").upper()
    uri = _text(fields, "http.request.uri")
    status = _integer(fields, "http.response.status")
    if not method or uri is None or status is None:
        return Malformed("response line without method, uri or status")
    target = classify_path(uri)
    if isinstance(target, str):
        return NotARequest(target)
    if method not in READ_METHODS:
        return NotARequest("push_or_delete")
    time_text = _text(fields, "time")
    occurred_at = parse_rfc3339(time_text) if time_text else None
    if occurred_at is None:
        return Malformed(f"unreadable time {time_text!r}")
    forwarded = next((fields[key] for key in _FORWARDED_KEYS if fields.get(key)), None)
    address = str(forwarded) if forwarded else _text(fields, "http.request.remoteaddr")
    return LoggedRequest(
        line_number=line_number,
        request_id=_text(fields, "http.request.id") or derived_request_id(line),
        occurred_at=occurred_at,
        http_method=method,
        api=target,
        status_code=status,
        response_bytes=_integer(fields, "http.response.written"),
        client_ip=client_address(address),
        user_agent=_text(fields, "http.request.useragent"),
        account_id=_text(fields, "auth.user.name"),
        content_type=_text(fields, "http.response.contenttype"),
    )


def parse_line(line: str, line_number: int) -> ParsedLine | None:
    """Parse one line; None for a blank line. Leading NUL bytes (left by a log rotated
    with copytruncate while the registry was writing) are dropped."""
    stripped = line.strip().lstrip("\x00").strip()
    if not stripped:
        return None
    if stripped.startswith("{"):
        fields = _json_fields(stripped)
        if fields is None:
            return Malformed("invalid JSON")
        wrapped = fields.get("log")
        if isinstance(wrapped, str) and "msg" not in fields:
            return parse_line(wrapped, line_number)
        return request_from_fields(fields, line_number, stripped)
    text_fields = parse_logrus_text(stripped)
    if text_fields is not None:
        return request_from_fields(dict(text_fields), line_number, stripped)
    if _ACCESS_LINE.fullmatch(stripped):
        return NotARequest(ACCESS_LOG)
    return _after_prefix(stripped, line_number) or Malformed(
        "neither logrus JSON, logrus text nor an access-log line"
    )


def _after_prefix(line: str, line_number: int) -> ParsedLine | None:
    """A registry line behind a collector's prefix (``docker logs -t``, ``kubectl logs
    --timestamps``, journald/syslog ``host registry[1]: ``), if there is one."""
    for marker in ('{"', 'time="'):
        index = line.find(marker)
        if index > 0:
            parsed = parse_line(line[index:], line_number)
            if parsed is not None and not isinstance(parsed, Malformed):
                return parsed
    return None
