"""Writes the reference tables as Parquet: `<out_dir>/<table>/data.parquet`.

dbt reads them through the `reference` source (models/staging/reference/). Addresses
are 32 lowercase hex digits of the IPv6 form (IPv4 as ::ffff:a.b.c.d), so plain string
comparison orders them on every engine.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from tqdm import tqdm

from registry_insights.reference_data.excluded_domains import excluded_domains_table
from registry_insights.reference_data.ip_ranges import (
    Geoip2FastData,
    asn_ranges,
    check_sample_with_ipaddress,
    country_ranges,
    load_geoip2fast_data,
)

IP_COUNTRY_RANGES = "ip_country_ranges"
IP_ASN_RANGES = "ip_asn_ranges"
EXCLUDED_EMAIL_DOMAINS = "excluded_email_domains"
REFERENCE_TABLES = (IP_COUNTRY_RANGES, IP_ASN_RANGES, EXCLUDED_EMAIL_DOMAINS)


def write_table(table: pa.Table, out_dir: Path, name: str) -> Path:
    """Write one table to `<out_dir>/<name>/data.parquet`, replacing it atomically."""
    folder = out_dir / name
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "data.parquet"
    partial = folder / "data.parquet.partial"
    pq.write_table(table, partial, compression="zstd", row_group_size=256_000)
    os.replace(partial, target)
    return target


def export_reference_data(out_dir: Path, progress: bool = True) -> dict[str, int]:
    """Export every reference table into out_dir; return the row count of each."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    loaded: dict[str, Geoip2FastData] = {}

    def geo() -> Geoip2FastData:
        if "data" not in loaded:
            loaded["data"] = load_geoip2fast_data()
        return loaded["data"]

    def checked(build: Callable[[Geoip2FastData], pa.Table]) -> Callable[[], pa.Table]:
        def run() -> pa.Table:
            table = build(geo())
            check_sample_with_ipaddress(table)
            return table

        return run

    steps: list[tuple[str, Callable[[], pa.Table]]] = [
        (IP_COUNTRY_RANGES, checked(country_ranges)),
        (IP_ASN_RANGES, checked(asn_ranges)),
        (EXCLUDED_EMAIL_DOMAINS, excluded_domains_table),
    ]
    counts: dict[str, int] = {}
    with tqdm(total=len(steps), desc="reference data", unit="table", disable=not progress) as bar:
        for name, build in steps:
            bar.set_postfix_str(name)
            table = build()
            if table.num_rows == 0:
                raise RuntimeError(f"reference table {name} came out empty")
            write_table(table, out_dir, name)
            counts[name] = table.num_rows
            bar.update(1)
    if progress and loaded:
        tqdm.write(f"IP data: {loaded['data'].source_info} (geoip2fast)")
    return counts
