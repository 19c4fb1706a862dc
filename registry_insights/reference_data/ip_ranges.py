"""IP country and ASN ranges from the GeoLite2 data that geoip2fast ships.

geoip2fast packages MaxMind GeoLite2 Country and ASN data (IPv4 and IPv6) as a gzipped
pickle, `geoip2fast-asn-ipv6.dat.gz`, made by its `geoip2dat` tool. The payload is

    [dat_version, source_info, total_networks, main_database]

where `source_info` is a dict (`info`, `country`, `city`, `asn`, `ipv6`) and, for a
country + ASN file, `main_database` holds ten lists:

    country_index, asn_index,             first address of each chunk (lookup index only)
    country_names, asn_names,             "CC:Country name" strings; organisation names
    country_first_ips, asn_first_ips,     chunked lists of each network's first address
    country_ids, asn_ids,                 chunked lists: index into the names list
    country_prefixes, asn_prefixes        chunked lists: each network's prefix length

Addresses are integers: an IPv4 address as its 32-bit value, an IPv6 address as its
128-bit value, so a network whose first address is below 2**32 is an IPv4 network. The
first 16 country names (`01:...` to `15:...` and `99:`) are private or reserved blocks
that geoip2dat adds itself, as is the `IANA.ORG` organisation; names without a country
(`ASIA`, `EU`) are continents. None of them is exported.

We do not use geoip2fast's own single-address lookup (it is known to answer wrongly near
the ends of ranges); we read the lists, turn each network into its first and last
address, check them (sorted, non-overlapping, aligned CIDR networks), and write range
tables instead. The file is
unpickled with an unpickler that refuses every class, so only plain lists, dicts,
strings and numbers can come out of it.

geoip2fast 1.2.2 keeps only the organisation name of each ASN network: geoip2dat
renumbers the organisations and drops the AS number. The `asn` column is therefore
null until a packaged source that keeps AS numbers is added.
"""

from __future__ import annotations

import gzip
import ipaddress
import pickle
import random
import re
from dataclasses import dataclass
from importlib import resources
from itertools import chain
from pathlib import Path
from typing import Any

import pyarrow as pa

GEOIP2FAST_PACKAGE = "geoip2fast"
GEOIP2FAST_DATA_FILE = "geoip2fast-asn-ipv6.dat.gz"
SUPPORTED_DAT_VERSIONS = frozenset({120})

IPV4_SPACE = 1 << 32
IPV6_SPACE = 1 << 128
#: IPv4 a.b.c.d is encoded as the IPv4-mapped IPv6 address ::ffff:a.b.c.d.
IPV4_MAPPED_PREFIX = 0xFFFF << 32
IPV4_MAPPED_LAST = IPV4_MAPPED_PREFIX | (IPV4_SPACE - 1)

#: geoip2dat's own pseudo-organisation for the private and reserved blocks it adds.
RESERVED_ORGANISATION = "IANA.ORG"
UNKNOWN_ORGANISATION = "<unknown>"
#: Codes in the country list that are not countries (continent-only locations).
NON_COUNTRY_CODES = frozenset({"EU", "ASIA", "XX"})
_COUNTRY_CODE = re.compile(r"[A-Z]{2}")

COUNTRY_RANGES_SCHEMA = pa.schema(
    [
        ("range_start_hex", pa.string()),
        ("range_end_hex", pa.string()),
        ("ip_family", pa.int16()),
        ("country_code", pa.string()),
    ]
)
ASN_RANGES_SCHEMA = pa.schema(
    [
        ("range_start_hex", pa.string()),
        ("range_end_hex", pa.string()),
        ("ip_family", pa.int16()),
        ("asn", pa.int32()),
        ("asn_organisation", pa.string()),
    ]
)


class ReferenceDataError(Exception):
    """The packaged data is not what the exporter understands, or fails a check."""


class _PlainDataUnpickler(pickle.Unpickler):
    """Unpickles plain containers and scalars only: any class or function is refused."""

    def find_class(self, module: str, name: str) -> Any:
        raise pickle.UnpicklingError(f"refusing to load {module}.{name} from the data file")


@dataclass(frozen=True)
class Geoip2FastData:
    """The lists of a geoip2fast country + ASN data file, chunks flattened."""

    source_info: str
    country_names: list[str]
    country_first_ips: list[int]
    country_ids: list[int]
    country_prefixes: list[int]
    asn_names: list[str]
    asn_first_ips: list[int]
    asn_ids: list[int]
    asn_prefixes: list[int]


def default_data_file() -> Path:
    """The country + ASN (IPv4 and IPv6) data file inside the installed geoip2fast."""
    return Path(str(resources.files(GEOIP2FAST_PACKAGE).joinpath(GEOIP2FAST_DATA_FILE)))


def _flatten(chunks: Any, what: str) -> list[Any]:
    if not isinstance(chunks, list) or not all(isinstance(chunk, list) for chunk in chunks):
        raise ReferenceDataError(f"geoip2fast data: {what} is not a list of chunks")
    return list(chain.from_iterable(chunks))


def load_geoip2fast_data(path: Path | None = None) -> Geoip2FastData:
    """Read geoip2fast's country + ASN data file (format version 120)."""
    data_file = path or default_data_file()
    with gzip.open(data_file, "rb") as handle:
        payload = _PlainDataUnpickler(handle).load()
    try:
        version, source_info, _total, main = payload
    except (TypeError, ValueError) as error:
        raise ReferenceDataError(f"{data_file}: unexpected layout") from error
    if version not in SUPPORTED_DAT_VERSIONS:
        raise ReferenceDataError(f"{data_file}: data format {version} is not supported")
    if not (
        isinstance(source_info, dict)
        and source_info.get("country")
        and source_info.get("asn")
        and source_info.get("ipv6")
        and not source_info.get("city")
    ):
        raise ReferenceDataError(f"{data_file}: not a country + ASN file with IPv6")
    if not isinstance(main, list) or len(main) != 10:
        raise ReferenceDataError(f"{data_file}: expected 10 lists, found another layout")
    (
        _country_index,
        _asn_index,
        country_names,
        asn_names,
        country_first_ips,
        asn_first_ips,
        country_ids,
        asn_ids,
        country_prefixes,
        asn_prefixes,
    ) = main
    data = Geoip2FastData(
        source_info=str(source_info.get("info", "")),
        country_names=list(country_names),
        country_first_ips=_flatten(country_first_ips, "country first addresses"),
        country_ids=_flatten(country_ids, "country ids"),
        country_prefixes=_flatten(country_prefixes, "country prefix lengths"),
        asn_names=list(asn_names),
        asn_first_ips=_flatten(asn_first_ips, "ASN first addresses"),
        asn_ids=_flatten(asn_ids, "ASN ids"),
        asn_prefixes=_flatten(asn_prefixes, "ASN prefix lengths"),
    )
    if not (
        len(data.country_first_ips) == len(data.country_ids) == len(data.country_prefixes)
        and len(data.asn_first_ips) == len(data.asn_ids) == len(data.asn_prefixes)
    ):
        raise ReferenceDataError(f"{data_file}: parallel lists differ in length")
    return data


def network_bounds(first_ip: int, prefix_length: int) -> tuple[int, int, int]:
    """(ip_family, first, last) of a network, in the encoding's 128-bit address space."""
    if first_ip < IPV4_SPACE:
        if not 0 <= prefix_length <= 32:
            raise ReferenceDataError(f"IPv4 network {first_ip} with prefix /{prefix_length}")
        size = 1 << (32 - prefix_length)
        if first_ip % size or first_ip + size > IPV4_SPACE:
            raise ReferenceDataError(f"IPv4 network {first_ip}/{prefix_length} is misaligned")
        return 4, IPV4_MAPPED_PREFIX | first_ip, IPV4_MAPPED_PREFIX | (first_ip + size - 1)
    if not 0 <= prefix_length <= 128:
        raise ReferenceDataError(f"IPv6 network {first_ip} with prefix /{prefix_length}")
    size = 1 << (128 - prefix_length)
    last_ip = first_ip + size - 1
    if first_ip % size or last_ip >= IPV6_SPACE:
        raise ReferenceDataError(f"IPv6 network {first_ip}/{prefix_length} is misaligned")
    if first_ip <= IPV4_MAPPED_LAST and last_ip >= IPV4_MAPPED_PREFIX:
        raise ReferenceDataError(f"IPv6 network {first_ip}/{prefix_length} overlaps ::ffff:0:0/96")
    return 6, first_ip, last_ip


def hex_address(value: int) -> str:
    """The 32 lowercase hex digits of a 128-bit address (the warehouse's encoding)."""
    return f"{value:032x}"


def encode_ip(text: str) -> str:
    """The warehouse encoding of an IP address text (reference implementation in Python):
    IPv4 as its IPv4-mapped IPv6 address, a zone suffix (`%eth0`) dropped."""
    address = ipaddress.ip_address(text.split("%", 1)[0])
    if isinstance(address, ipaddress.IPv4Address):
        return hex_address(IPV4_MAPPED_PREFIX | int(address))
    return hex_address(int(address))


def country_code_of(name: str) -> str | None:
    """The ISO 3166-1 alpha-2 code of a `CC:Country name` entry; None for a reserved
    block, an unknown location or a continent."""
    code = name.split(":", 1)[0].strip().upper()
    if code in NON_COUNTRY_CODES or not _COUNTRY_CODE.fullmatch(code):
        return None
    return code


def check_ranges(starts: list[int], ends: list[int], families: list[int], what: str) -> None:
    """Ranges must be well formed, sorted by start and non-overlapping (in each family,
    and since both families live in disjoint parts of the encoding, overall)."""
    previous_end = -1
    for start, end, family in zip(starts, ends, families, strict=True):
        if family not in (4, 6) or start > end:
            raise ReferenceDataError(f"{what}: malformed range {start:x}-{end:x}")
        if start <= previous_end:
            raise ReferenceDataError(
                f"{what}: range starting {hex_address(start)} overlaps the previous one "
                "or is out of order"
            )
        previous_end = end


def check_sample_with_ipaddress(table: pa.Table, sample_size: int = 2_000, seed: int = 0) -> int:
    """Re-derive a sample of ranges with Python's `ipaddress`: each must be exactly one
    CIDR network of its family, with consistent first and last addresses. Returns the
    number of ranges checked."""
    rows = table.num_rows
    if rows == 0:
        return 0
    picks = sorted(random.Random(seed).sample(range(rows), min(sample_size, rows)))
    starts = table.column("range_start_hex").to_pylist()
    ends = table.column("range_end_hex").to_pylist()
    families = table.column("ip_family").to_pylist()
    for index in picks:
        first = ipaddress.IPv6Address(int(starts[index], 16))
        last = ipaddress.IPv6Address(int(ends[index], 16))
        networks: list[ipaddress.IPv4Network] | list[ipaddress.IPv6Network]
        if families[index] == 4:
            first_v4, last_v4 = first.ipv4_mapped, last.ipv4_mapped
            if first_v4 is None or last_v4 is None:
                raise ReferenceDataError(f"IPv4 range {first}-{last} is not IPv4-mapped")
            networks = list(ipaddress.summarize_address_range(first_v4, last_v4))
        else:
            if first.ipv4_mapped is not None or last.ipv4_mapped is not None:
                raise ReferenceDataError(f"IPv6 range {first}-{last} is IPv4-mapped")
            networks = list(ipaddress.summarize_address_range(first, last))
        if len(networks) != 1:
            raise ReferenceDataError(f"range {first}-{last} is not one CIDR network")
    return len(picks)


def _range_columns(
    first_ips: list[int], prefixes: list[int], keep: list[bool]
) -> tuple[list[int], list[int], list[int]]:
    starts: list[int] = []
    ends: list[int] = []
    families: list[int] = []
    for first_ip, prefix, kept in zip(first_ips, prefixes, keep, strict=True):
        if not kept:
            continue
        family, start, end = network_bounds(first_ip, prefix)
        starts.append(start)
        ends.append(end)
        families.append(family)
    return starts, ends, families


def country_ranges(data: Geoip2FastData) -> pa.Table:
    """One row per GeoLite2 country network (reserved blocks and continents left out)."""
    codes_by_id = [country_code_of(name) for name in data.country_names]
    codes = [codes_by_id[country_id] for country_id in data.country_ids]
    starts, ends, families = _range_columns(
        data.country_first_ips, data.country_prefixes, [code is not None for code in codes]
    )
    check_ranges(starts, ends, families, "country ranges")
    return pa.table(
        [
            [hex_address(value) for value in starts],
            [hex_address(value) for value in ends],
            families,
            [code for code in codes if code is not None],
        ],
        schema=COUNTRY_RANGES_SCHEMA,
    )


def asn_ranges(data: Geoip2FastData) -> pa.Table:
    """One row per GeoLite2 ASN network with its organisation (reserved blocks left out)."""
    names: list[str | None] = [
        None if name in (RESERVED_ORGANISATION, UNKNOWN_ORGANISATION) or not name.strip() else name
        for name in data.asn_names
    ]
    organisations = [names[asn_id] for asn_id in data.asn_ids]
    starts, ends, families = _range_columns(
        data.asn_first_ips, data.asn_prefixes, [name is not None for name in organisations]
    )
    check_ranges(starts, ends, families, "ASN ranges")
    kept = [name.strip() for name in organisations if name is not None]
    return pa.table(
        [
            [hex_address(value) for value in starts],
            [hex_address(value) for value in ends],
            families,
            pa.nulls(len(kept), pa.int32()),
            kept,
        ],
        schema=ASN_RANGES_SCHEMA,
    )
