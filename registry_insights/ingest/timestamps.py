"""RFC 3339 timestamps as registries write them (nanoseconds, ``Z`` or an offset),
turned into UTC datetimes at microsecond precision (truncated, as Parquet stores them)."""

from __future__ import annotations

import datetime
import re

_RFC3339 = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})[Tt ](?P<time>\d{2}:\d{2}:\d{2})"
    r"(?:\.(?P<fraction>\d+))?"
    r"\s*(?P<zone>[Zz]|[+-]\d{2}:?\d{2}|UTC)?"
)
_APACHE = re.compile(r"(\d{2})/([A-Z][a-z]{2})/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-]\d{4})")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def parse_rfc3339(text: str) -> datetime.datetime | None:
    """UTC datetime of an RFC 3339 timestamp; a timestamp without zone is taken as UTC.
    None when the text is not a timestamp."""
    match = _RFC3339.fullmatch(text.strip())
    if match is None:
        return None
    fraction = (match["fraction"] or "")[:6].ljust(6, "0")
    zone = match["zone"]
    if zone is None or zone in ("Z", "z", "UTC"):
        offset = "+00:00"
    else:
        offset = zone if ":" in zone else f"{zone[:3]}:{zone[3:]}"
    try:
        parsed = datetime.datetime.fromisoformat(
            f"{match['date']}T{match['time']}.{fraction}{offset}"
        )
    except ValueError:
        return None
    return parsed.astimezone(datetime.UTC)


def parse_apache(text: str) -> datetime.datetime | None:
    """UTC datetime of an access-log timestamp such as ``28/Nov/2026:04:15:09 +0000``."""
    match = _APACHE.fullmatch(text.strip())
    if match is None or match[2] not in _MONTHS:
        return None
    day, month, year, hour, minute, second, zone = match.groups()
    stamp = f"{year}-{_MONTHS.index(month) + 1:02d}-{day}T{hour}:{minute}:{second}{zone}"
    try:
        return datetime.datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S%z").astimezone(datetime.UTC)
    except ValueError:
        return None
