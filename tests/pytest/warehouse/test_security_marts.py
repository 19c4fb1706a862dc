"""The security marts against an independent computation in Python on the test warehouse:
severities normalised from the raw findings as each scanner spells them, the latest scan
of each image, the digest each tag pointed to at each period's end, the pulls of
vulnerable images and their unique users, and the introduced-in / fixed-in tags."""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow.dataset as ds
import pytest
from support.warehouse_build import BuiltWarehouse

#: Each scanner's spellings, written out here independently of the seed.
SPELLINGS = {
    "CRITICAL": "critical",
    "Critical": "critical",
    "critical": "critical",
    "HIGH": "high",
    "High": "high",
    "high": "high",
    "MEDIUM": "medium",
    "Medium": "medium",
    "medium": "medium",
    "LOW": "low",
    "Low": "low",
    "low": "low",
    "Negligible": "negligible",
    "info": "negligible",
    "UNKNOWN": "unknown",
    "Unknown": "unknown",
    "unknown": "unknown",
}
SEVERITIES = ("critical", "high", "medium", "low", "negligible", "unknown")


def _raw(raw_path: Path, table: str) -> pd.DataFrame:
    frame: pd.DataFrame = ds.dataset(raw_path / table, format="parquet").to_table().to_pandas()
    return frame


@pytest.fixture(scope="module")
def warehouse(built_warehouse: BuiltWarehouse) -> Any:
    with duckdb.connect(str(built_warehouse.database), read_only=True) as connection:
        yield connection


@pytest.fixture(scope="module")
def raw_scans(built_warehouse: BuiltWarehouse) -> pd.DataFrame:
    return _raw(built_warehouse.raw_path, "raw_image_scans")


@pytest.fixture(scope="module")
def raw_findings(built_warehouse: BuiltWarehouse) -> pd.DataFrame:
    findings = _raw(built_warehouse.raw_path, "raw_image_vulnerabilities")
    findings["normalised"] = findings["severity"].map(SPELLINGS)
    return findings


@pytest.fixture(scope="module")
def latest(raw_scans: pd.DataFrame, raw_findings: pd.DataFrame) -> pd.DataFrame:
    """Per (repository, digest): the latest scan and its counts, computed from raw."""
    scans = raw_scans.sort_values(["scanned_at", "scan_id"])
    last = scans.groupby(["repository", "manifest_digest"]).tail(1)
    unique = raw_findings.drop_duplicates(
        ["scan_id", "vulnerability_id", "package_name", "installed_version"]
    )
    counts = {
        scan_id: Counter(group["normalised"])
        for scan_id, group in unique[unique["scan_id"].isin(last["scan_id"])].groupby("scan_id")
    }
    fixable = {
        scan_id: group
        for scan_id, group in unique[
            unique["fixed_version"].notna() & unique["normalised"].isin(["critical", "high"])
        ].groupby("scan_id")
    }
    rows = []
    for scan in last.itertuples():
        counted = counts.get(scan.scan_id, Counter())
        rows.append(
            {
                "repository": scan.repository,
                "manifest_digest": scan.manifest_digest,
                "scan_id": scan.scan_id,
                **{severity: counted[severity] for severity in SEVERITIES},
                "vulnerable": counted["critical"] + counted["high"] > 0,
                "fixable": scan.scan_id in fixable,
            }
        )
    return pd.DataFrame(rows)


def test_the_test_dataset_has_scans_of_every_format(raw_scans: pd.DataFrame) -> None:
    assert set(raw_scans["source_format"]) == {"trivy-json", "grype-json", "cyclonedx-json"}
    assert raw_scans.duplicated(["repository", "manifest_digest"]).any(), "no rescans"


def test_severities_are_normalised_from_each_scanners_spelling(
    warehouse: Any, raw_findings: pd.DataFrame
) -> None:
    assert raw_findings["normalised"].notna().all(), set(
        raw_findings.loc[raw_findings["normalised"].isna(), "severity"]
    )
    unique = raw_findings.drop_duplicates(
        ["scan_id", "vulnerability_id", "package_name", "installed_version"]
    )
    # The demo reports list some findings twice (as Trivy and Grype do); ingest-scan
    # writes each once (tests/pytest/generator/test_generator_scans.py).
    assert len(unique) == len(raw_findings)
    expected = Counter(zip(unique["scan_id"], unique["normalised"], strict=True))
    staged = Counter(
        {
            (scan_id, severity): count
            for scan_id, severity, count in warehouse.execute(
                "select scan_id, severity, count(*) "
                "from staging.stg_registry__image_vulnerabilities group by all"
            ).fetchall()
        }
    )
    assert staged == expected
    ((quarantined,),) = warehouse.execute(
        "select count(*) from staging.stg_registry__image_vulnerabilities_quarantined"
    ).fetchall()
    assert quarantined == 0


def test_latest_scan_counts_match_raw(warehouse: Any, latest: pd.DataFrame) -> None:
    mart = warehouse.execute(
        "select repository, manifest_digest, scan_id, critical_vulnerabilities, "
        "high_vulnerabilities, medium_vulnerabilities, low_vulnerabilities, "
        "negligible_vulnerabilities, unknown_vulnerabilities, has_critical_or_high, "
        "has_fixable_critical_or_high from intermediate.int_image_scans_latest"
    ).fetchall()
    got = {(row[0], row[1]): row[2:] for row in mart}
    expected = {
        (row.repository, row.manifest_digest): (
            row.scan_id,
            *(getattr(row, severity) for severity in SEVERITIES),
            row.vulnerable,
            row.fixable,
        )
        for row in latest.itertuples()
    }
    assert got == expected


def _period_ends(warehouse: Any) -> list[tuple[str, datetime.date, datetime.datetime]]:
    periods = warehouse.execute(
        "select distinct date_granularity, date_reference from marts.rpt_vulnerabilities_by_tag"
    ).fetchall()
    ends = []
    for granularity, reference in periods:
        if granularity == "weekly":
            end = reference + datetime.timedelta(days=7)
        else:
            end = datetime.date(reference.year + reference.month // 12, reference.month % 12 + 1, 1)
        ends.append((granularity, reference, datetime.datetime.combine(end, datetime.time())))
    return ends


def test_each_tag_shows_the_digest_it_pointed_to_at_the_period_end(
    warehouse: Any, latest: pd.DataFrame
) -> None:
    requests = warehouse.execute(
        "select repository, tag, occurred_at, response_digest from staging.stg_registry__requests "
        "where object_type = 'manifest' and reference_kind = 'tag' and is_successful "
        "and response_digest is not null order by occurred_at, response_digest"
    ).df()
    expected = {}
    for granularity, reference, end in _period_ends(warehouse):
        before = requests[requests["occurred_at"] < end]
        last = before.groupby(["repository", "tag"]).tail(1)
        for row in last.itertuples():
            expected[(granularity, reference, row.repository, row.tag)] = row.response_digest
    got = {
        (granularity, reference, repository, tag): digest
        for granularity, reference, repository, tag, digest in warehouse.execute(
            "select date_granularity, date_reference, repository, tag, digest "
            "from marts.rpt_vulnerabilities_by_tag"
        ).fetchall()
    }
    assert got == expected
    counts = warehouse.execute(
        "select repository, digest, critical_vulnerabilities, high_vulnerabilities, is_scanned "
        "from marts.rpt_vulnerabilities_by_tag"
    ).fetchall()
    by_digest = {(r.repository, r.manifest_digest): r for r in latest.itertuples()}
    for repository, digest, critical, high, is_scanned in counts:
        scan = by_digest.get((repository, digest))
        assert is_scanned == (scan is not None)
        if scan is not None:
            assert (critical, high) == (scan.critical, scan.high)


def test_vulnerable_pulls_match_an_independent_count(warehouse: Any, latest: pd.DataFrame) -> None:
    pulls = warehouse.execute(
        "select action_week_start_date, action_month_start_date, repository, digest, "
        "platform_digest, is_authenticated, account_id_hash, client_ip_hash "
        "from marts.fct_pull_actions where is_data_download"
    ).df()
    status = {
        (row.repository, row.manifest_digest): (row.vulnerable, row.fixable)
        for row in latest.itertuples()
    }
    scanned_repositories = set(latest["repository"])
    periods = {(g, r) for g, r, _ in _period_ends(warehouse)}
    totals: dict[tuple[str, datetime.date, str], list[Any]] = defaultdict(
        lambda: [0, 0, 0, 0, set(), set()]
    )
    for row in pulls.itertuples():
        if row.repository not in scanned_repositories:
            continue
        found = status.get((row.repository, row.digest)) or status.get(
            (row.repository, row.platform_digest)
        )
        for granularity, reference in (
            ("weekly", row.action_week_start_date.date()),
            ("monthly", row.action_month_start_date.date()),
        ):
            if (granularity, reference) not in periods:
                continue
            counts = totals[(granularity, reference, row.repository)]
            counts[0] += 1
            if found is not None:
                counts[1] += 1
                if found[0]:
                    counts[2] += 1
                    counts[3] += int(found[1])
                    if row.is_authenticated:
                        counts[4].add(row.account_id_hash)
                    else:
                        counts[5].add(row.client_ip_hash)
    expected = {
        key: (total, scanned, vulnerable, fixable, len(accounts), len(addresses))
        for key, (total, scanned, vulnerable, fixable, accounts, addresses) in totals.items()
    }
    got = {
        (granularity, reference, repository): tuple(values)
        for granularity, reference, repository, *values in warehouse.execute(
            "select date_granularity, date_reference, repository, data_downloads, "
            "scanned_data_downloads, vulnerable_data_downloads, fixable_vulnerable_data_downloads, "
            "vulnerable_unique_authenticated_users, vulnerable_unique_unauthenticated_users "
            "from marts.rpt_vulnerable_pulls"
        ).fetchall()
    }
    assert got == expected
    assert any(values[2] for values in got.values()), "no vulnerable downloads at all"


def test_introduced_and_fixed_in_tags_carry_and_lack_the_finding(warehouse: Any) -> None:
    traced = warehouse.execute(
        "select repository, vulnerability_id, package_name, introduced_in_digest, fixed_in_digest "
        "from intermediate.int_image_vulnerabilities_traced"
    ).fetchall()
    carried = {
        row
        for row in warehouse.execute(
            "select distinct repository, manifest_digest, vulnerability_id, package_name "
            "from intermediate.int_image_vulnerabilities_latest"
        ).fetchall()
    }
    scanned = {
        row
        for row in warehouse.execute(
            "select repository, manifest_digest from intermediate.int_image_scans_latest"
        ).fetchall()
    }
    fixed = 0
    for repository, vulnerability, package, introduced, fixed_in in traced:
        assert (repository, introduced, vulnerability, package) in carried
        if fixed_in is not None:
            fixed += 1
            assert (repository, fixed_in) in scanned
            assert (repository, fixed_in, vulnerability, package) not in carried
    assert fixed, "no finding is ever fixed in the test dataset"
    details = warehouse.execute(
        "select count(*), count(introduced_in_tag), count(fixed_in_tag) "
        "from marts.rpt_vulnerability_details"
    ).fetchone()
    assert details[0] > details[1] > details[2] > 0
