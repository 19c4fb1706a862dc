"""The three extension exports, recomputed in plain Python from the staged extension
events (country from the client-IP enrichment, owner from the publishers seed) and
compared with the marts row for row. Users are the raw account or IP here, so the
comparison also proves that hashing loses no distinct user."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import duckdb
import pytest
from support.mart_rows import keyed_rows
from support.report_periods import TODAY, complete_periods, group_by_period

from registry_insights.api.queries import period_end
from registry_insights.pseudonyms import load_secret, pseudonym


@dataclass(frozen=True)
class Event:
    occurred_at: datetime.datetime
    extension: str
    namespace: str
    event_type: str
    user: str | None
    country: str | None
    owner: str

    @property
    def week(self) -> datetime.date:
        day = self.occurred_at.date()
        return day - datetime.timedelta(days=day.weekday())

    @property
    def month(self) -> datetime.date:
        return self.occurred_at.date().replace(day=1)

    @property
    def periods(self) -> list[tuple[str, datetime.date]]:
        return complete_periods(self, TODAY)


@pytest.fixture(scope="module")
def events(warehouse: duckdb.DuckDBPyConnection) -> list[Event]:
    # The enrichment is keyed by the IP's pseudonym: computed here in Python (hmac).
    key = load_secret()
    countries = dict(
        warehouse.sql(
            "select client_ip_hash, ip_country from intermediate.int_client_ips_enriched"
        ).fetchall()
    )
    rows = warehouse.sql(
        "select e.occurred_at, e.extension, e.namespace, e.event_type, "
        "coalesce('account:' || e.account_id, 'ip:' || e.client_ip), e.client_ip, "
        "coalesce(p.publisher_name, e.namespace) "
        "from staging.stg_registry__extension_events as e "
        "left join reference.publishers as p on e.namespace = p.namespace"
    ).fetchall()
    return [
        Event(
            occurred_at=row[0],
            extension=row[1],
            namespace=row[2],
            event_type=row[3],
            user=row[4],
            country=countries.get(pseudonym(key, row[5])) if row[5] else None,
            owner=row[6],
        )
        for row in rows
    ]


def _premium(group: list[Event]) -> tuple[object, ...]:
    def of(kind: str) -> list[Event]:
        return [e for e in group if e.event_type == kind]

    def users(kind: str) -> int:
        return len({e.user for e in of(kind) if e.user})

    return (
        group[0].namespace, group[0].owner, len(of("install")), users("install"),
        len(of("uninstall")), users("uninstall"), len(of("open")), users("open"),
    )  # fmt: skip


PREMIUM_COLUMNS = (
    "namespace, owner, installs, unique_installs, uninstalls, unique_uninstalls, usage, "
    "unique_users"
)


def test_premium_summary_equals_python_recount(
    warehouse: duckdb.DuckDBPyConnection, events: list[Event]
) -> None:
    groups = group_by_period(events, lambda e: (e.extension,))
    actual = keyed_rows(
        warehouse,
        "select date_granularity, date_reference, extension, "
        f"{PREMIUM_COLUMNS} from marts.exp_extensions_premium_summary",
        3,
    )
    assert len(actual) > 20
    assert actual == {key: _premium(group) for key, group in groups.items()}


def test_premium_geo_equals_python_recount(
    warehouse: duckdb.DuckDBPyConnection, events: list[Event]
) -> None:
    groups = group_by_period(events, lambda e: (e.extension, e.country))
    actual = keyed_rows(
        warehouse,
        "select date_granularity, date_reference, extension, ip_country, "
        f"{PREMIUM_COLUMNS} from marts.exp_extensions_premium_geo",
        4,
    )
    assert len({key[3] for key in actual}) > 10
    assert actual == {key: _premium(group) for key, group in groups.items()}


def _count(
    events: list[Event], event_type: str, since: datetime.date | None, before: datetime.date
) -> int:
    """Events of one type on days in [since, before); since None means all time."""
    return sum(
        e.event_type == event_type
        and (since is None or e.occurred_at.date() >= since)
        and e.occurred_at.date() < before
        for e in events
    )


def test_core_summary_totals_are_all_time_at_the_end_of_each_period(
    warehouse: duckdb.DuckDBPyConnection, events: list[Event]
) -> None:
    periods = {period for event in events for period in event.periods}
    first: dict[tuple[str, str], datetime.date] = {}
    for event in events:
        for granularity, start in event.periods:
            key = (granularity, event.extension)
            first[key] = min(first.get(key, start), start)
    expected = {}
    for (granularity, extension), since in first.items():
        mine = [e for e in events if e.extension == extension]
        for kind, start in periods:
            if kind != granularity or start < since:
                continue
            end = period_end(kind, start) + datetime.timedelta(days=1)

            expected[(kind, start, extension)] = (
                mine[0].namespace, mine[0].owner, _count(mine, "install", start, end),
                _count(mine, "install", None, end), _count(mine, "uninstall", start, end),
                _count(mine, "uninstall", None, end), _count(mine, "update", start, end),
            )  # fmt: skip
    actual = keyed_rows(
        warehouse,
        "select date_granularity, date_reference, extension, namespace, owner, installs, "
        "total_installs, uninstalls, total_uninstalls, updates from marts.exp_extensions_summary",
        3,
    )
    assert len(actual) > 20
    assert any(row[3] > row[2] for row in actual.values()), "totals grow beyond one period"
    assert actual == expected
