"""The dashboard's selection and its share-link form (URL query parameters).

A link carries the `org` (organization), `granularity`, `months`, one `repo` per
selected repository and the report `period`. Decoding is forgiving: a value that is
missing, malformed or not on offer falls back to the default, so a hand-edited or
stale link still opens a page.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Literal, cast
from urllib.parse import urlencode

Granularity = Literal["weekly", "monthly"]
GRANULARITIES: tuple[Granularity, ...] = ("weekly", "monthly")
INTERVAL_MONTHS: tuple[int, ...] = (3, 6, 12)
#: Repositories selected by default: the organization's most pulled ones, up to this many.
DEFAULT_REPOSITORY_COUNT = 5
#: At most this many repositories are drawn at once (two lines each).
MAX_REPOSITORIES = 10


@dataclass(frozen=True)
class Selection:
    """What the user looks at: periods of one granularity over the last `months`
    months, some repositories, and one period for the report tables."""

    granularity: Granularity = "weekly"
    months: int = 3
    repositories: tuple[str, ...] = ()
    period: datetime.date | None = None
    organization: str | None = None


def encode(selection: Selection) -> dict[str, str | list[str]]:
    """The query parameters of a share link (repeated `repo` keys, in selection order)."""
    params: dict[str, str | list[str]] = {}
    if selection.organization is not None:
        params["org"] = selection.organization
    params |= {
        "granularity": selection.granularity,
        "months": str(selection.months),
    }
    if selection.repositories:
        params["repo"] = list(selection.repositories)
    if selection.period is not None:
        params["period"] = selection.period.isoformat()
    return params


def share_url(base_url: str, selection: Selection) -> str:
    """`base_url` (no query string) with the selection as its query string."""
    return f"{base_url}?{urlencode(encode(selection), doseq=True)}"


def decode(params: Mapping[str, Sequence[str]]) -> Selection:
    """The selection a link asks for; each key maps to all of its values."""
    default = Selection()
    granularity = _last(params, "granularity")
    months = _last(params, "months")
    period = _last(params, "period")
    organization = _last(params, "org")
    repositories = tuple(dict.fromkeys(r for r in params.get("repo", ()) if r))
    return Selection(
        granularity=(
            cast(Granularity, granularity) if granularity in GRANULARITIES else default.granularity
        ),
        months=int(months) if months in {str(m) for m in INTERVAL_MONTHS} else default.months,
        repositories=repositories,
        period=_date_or_none(period),
        organization=organization or None,
    )


def constrain(
    selection: Selection,
    repositories: Sequence[str],
    periods: Sequence[datetime.date],
    default_repositories: Sequence[str],
) -> Selection:
    """The selection limited to what is on offer: repositories the user may see (others
    are dropped silently: a link must not reveal whether they exist), at most
    `MAX_REPOSITORIES` of them, and a period that exists for its granularity (else the
    latest). No repository left: the defaults."""
    allowed = set(repositories)
    kept = tuple(r for r in selection.repositories if r in allowed)[:MAX_REPOSITORIES] or tuple(
        default_repositories
    )
    period = selection.period if selection.period in periods else None
    if period is None and periods:
        period = max(periods)
    return replace(selection, repositories=kept, period=period)


def _last(params: Mapping[str, Sequence[str]], key: str) -> str | None:
    values = params.get(key)
    return values[-1] if values else None


def _date_or_none(text: str | None) -> datetime.date | None:
    if not text:
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        return None
