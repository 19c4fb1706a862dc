"""The `ip_range_lookup` macro, compiled by dbt for DuckDB, equals a lookup written in
Python with `bisect`: each address takes the values of the range with the greatest start
at or below it, in its family, when that range's end holds it, else nulls. Both of its
implementations are checked: the DuckDB one (an ASOF join, what the models run) and the
default one (a sort and a running max, what Spark runs), on generated ranges that touch,
hold one address, leave gaps, and addresses on every start and end, in both families.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator
from dataclasses import dataclass

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.warehouse_build import dbt_compiled_code

from registry_insights.reference_data.ip_ranges import IPV4_MAPPED_PREFIX

# where each family's generated addresses start in the 128-bit encoding (IPv4 addresses
# are IPv4-mapped, as ip_to_hex encodes them)
FAMILY_BASE = {4: IPV4_MAPPED_PREFIX, 6: 0x2001_0DB8 << 96}
SPACE = 64  # addresses per family: small, so that addresses fall on starts and ends
VALUE_COLUMNS = ("label", "code")
SPLIT = "-- the dispatched lookup --"


@dataclass(frozen=True)
class Range:
    family: int
    start: int
    end: int
    label: str
    code: int


def encoded(family: int, offset: int) -> str:
    return format(FAMILY_BASE[family] + offset, "032x")


@pytest.fixture(scope="module")
def lookups(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    """The default and the dispatched (DuckDB) lookup, compiled by dbt."""
    columns = list(VALUE_COLUMNS)
    compiled = dbt_compiled_code(
        tmp_path_factory.mktemp("ip_range_lookup"),
        "compile",
        "--inline",
        f"{{{{ registry_insights.default__ip_range_lookup('addresses', 'ranges', {columns}) }}}}"
        f"\n{SPLIT}\n"
        f"{{{{ ip_range_lookup('addresses', 'ranges', {columns}) }}}}",
    )
    default, dispatched = compiled.split(SPLIT)
    assert "{{" not in compiled
    assert "over (" in default and "asof" not in default
    assert "asof left join" in dispatched
    return default, dispatched


@pytest.fixture(scope="module")
def connection() -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect()
    connection.execute("create table addresses (ip_hex varchar, ip_family integer)")
    connection.execute(
        "create table ranges (range_start_hex varchar, range_end_hex varchar,"
        " ip_family smallint, label varchar, code integer)"
    )
    yield connection
    connection.close()


@st.composite
def family_ranges(draw: st.DrawFn, family: int) -> list[Range]:
    """Sorted, non-overlapping ranges of one family: touching, one address long, or with
    gaps between them (possibly none at all)."""
    cuts = sorted(draw(st.sets(st.integers(0, SPACE - 1), max_size=16)))
    ranges = []
    for index, start in enumerate(cuts):
        limit = cuts[index + 1] - 1 if index + 1 < len(cuts) else SPACE - 1
        end = draw(st.integers(start, limit))
        ranges.append(Range(family, start, end, f"{family}-{start}", draw(st.integers(-5, 5))))
    return ranges


LookedUp = tuple[str, str | None, int | None]  # ip_hex and the value columns


def expected_lookup(ranges: list[Range], addresses: list[tuple[int, int]]) -> set[LookedUp]:
    """The rule in Python: the greatest start at or below the address, if its end holds it."""
    rows: set[LookedUp] = set()
    for family, offset in addresses:
        own = [candidate for candidate in ranges if candidate.family == family]
        position = bisect.bisect_right([candidate.start for candidate in own], offset) - 1
        found = own[position] if position >= 0 and own[position].end >= offset else None
        if found is None:
            rows.add((encoded(family, offset), None, None))
        else:
            rows.add((encoded(family, offset), found.label, found.code))
    return rows


def looked_up(connection: duckdb.DuckDBPyConnection, sql: str) -> list[LookedUp]:
    return [(ip_hex, label, code) for ip_hex, label, code in connection.execute(sql).fetchall()]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    ranges_4=family_ranges(4),
    ranges_6=family_ranges(6),
    addresses=st.sets(st.tuples(st.sampled_from([4, 6]), st.integers(0, SPACE - 1)), max_size=40),
)
def test_both_lookups_equal_the_python_rule(
    connection: duckdb.DuckDBPyConnection,
    lookups: tuple[str, str],
    ranges_4: list[Range],
    ranges_6: list[Range],
    addresses: set[tuple[int, int]],
) -> None:
    ranges = ranges_4 + ranges_6
    # every start and end is looked up too, and the offsets just outside them
    edges = {(r.family, offset) for r in ranges for offset in (r.start, r.end, r.end + 1)}
    points = sorted(addresses | {(f, o) for f, o in edges if o < SPACE})
    connection.execute("delete from addresses")
    connection.execute("delete from ranges")
    if points:
        connection.executemany(
            "insert into addresses values (?, ?)",
            [[encoded(family, offset), family] for family, offset in points],
        )
    if ranges:
        connection.executemany(
            "insert into ranges values (?, ?, ?, ?, ?)",
            [[encoded(r.family, r.start), encoded(r.family, r.end), r.family, r.label, r.code]
             for r in ranges],
        )  # fmt: skip
    expected = expected_lookup(ranges, points)
    for sql in lookups:
        rows = looked_up(connection, sql)
        assert len(rows) == len(points)
        assert set(rows) == expected


def test_an_address_outside_every_range_gets_nulls(
    connection: duckdb.DuckDBPyConnection, lookups: tuple[str, str]
) -> None:
    """Past the end of the range before it, before the first range, and in a family that
    has no range: nulls, and the address is kept."""
    connection.execute("delete from addresses")
    connection.execute("delete from ranges")
    connection.execute(
        "insert into ranges values (?, ?, 4, 'a', 1), (?, ?, 4, 'b', 2)",
        [encoded(4, 10), encoded(4, 19), encoded(4, 30), encoded(4, 30)],
    )
    points = [(4, 5), (4, 10), (4, 19), (4, 20), (4, 30), (4, 31), (6, 10)]
    connection.executemany(
        "insert into addresses values (?, ?)", [[encoded(f, o), f] for f, o in points]
    )
    expected = {
        (encoded(4, 5), None, None),
        (encoded(4, 10), "a", 1),
        (encoded(4, 19), "a", 1),
        (encoded(4, 20), None, None),
        (encoded(4, 30), "b", 2),
        (encoded(4, 31), None, None),
        (encoded(6, 10), None, None),
    }
    for sql in lookups:
        assert set(looked_up(connection, sql)) == expected
