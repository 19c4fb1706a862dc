"""Tests of the synthetic registry-log generator (registry_insights.generator).

One small dataset is generated once per module and inspected by most tests; the
determinism and chunking tests generate their own, smaller ones.
"""

from __future__ import annotations

import datetime
import itertools
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from support.raw_schema import (
    RAW_ACCOUNTS_SCHEMA,
    RAW_EXTENSION_EVENTS_SCHEMA,
    RAW_REQUESTS_SCHEMA,
)

from registry_insights.generator import GeneratorConfig, generate_dataset
from registry_insights.ingest.scans.raw_tables import SCANS_TABLE as SCANS
from registry_insights.ingest.scans.raw_tables import VULNERABILITIES_TABLE as VULNERABILITIES
from registry_insights.pull_actions import (
    PULL_BY_DIGEST,
    PULL_BY_TAG,
    VERSION_CHECK,
    ManifestRequest,
    classify,
)

REQUESTS = "raw_registry_requests"
ACCOUNTS = "raw_accounts"
EXTENSIONS = "raw_extension_events"
DIGEST = re.compile(r"sha256:[0-9a-f]{64}")
PART_PATH = re.compile(r"date=(\d{4}-\d{2}-\d{2})/part-\d{5}\.parquet")
SCAN_PATH = re.compile(r"date=(\d{4}-\d{2}-\d{2})/scan-[0-9a-f]{32}\.parquet")
FUTURE_DAY = datetime.date(2099, 1, 1)

# The raw-data contract, written out in support.raw_schema independently of the
# generator's own schemas.
CONTRACT = {
    REQUESTS: RAW_REQUESTS_SCHEMA,
    ACCOUNTS: RAW_ACCOUNTS_SCHEMA,
    EXTENSIONS: RAW_EXTENSION_EVENTS_SCHEMA,
}

CONFIG = GeneratorConfig(
    rows=20_000,
    days=10,
    seed=7,
    n_namespaces=30,
    n_accounts=2_000,
    n_clients=8_000,
    invalid_rate=0.005,
)
# Smaller still, for the tests that generate several datasets.
SMALL = GeneratorConfig(
    rows=12_000, days=4, seed=11, n_namespaces=12, n_accounts=500, n_clients=2_000
)

Row = dict[str, Any]


def read_table(root: Path, table: str) -> pa.Table:
    files = sorted((root / table).glob("*/*.parquet"))
    return pa.concat_tables([pq.read_table(f) for f in files])


def sorted_rows(table: pa.Table) -> pa.Table:
    return table.sort_by([(name, "ascending") for name in table.column_names])


def invalid_reason(row: Row) -> str | None:
    """Why a request row breaks the contract (None for a valid row)."""
    if row["event_id"] is None:
        return "null_event_id"
    if row["repository"] is None:
        return "null_repository"
    if row["client_ip"] is None:
        return "null_client_ip"
    if row["http_method"] not in ("GET", "HEAD"):
        return "method"
    if row["object_type"] not in ("manifest", "blob"):
        return "object_type"
    if ":" in row["reference"] and not DIGEST.fullmatch(row["reference"]):
        return "malformed_digest"
    if row["occurred_at"].year == 2099:
        return "future_timestamp"
    return None


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    root = tmp_path_factory.mktemp("generated")
    counts = generate_dataset(CONFIG, root, progress=False)
    return root, counts


@pytest.fixture(scope="module")
def requests(dataset: tuple[Path, dict[str, int]]) -> list[Row]:
    rows: list[Row] = read_table(dataset[0], REQUESTS).to_pylist()
    return rows


@pytest.fixture(scope="module")
def valid_requests(requests: list[Row]) -> list[Row]:
    """Valid rows, one per event id."""
    seen: set[str] = set()
    rows = []
    for row in requests:
        if invalid_reason(row) is None and row["event_id"] not in seen:
            seen.add(row["event_id"])
            rows.append(row)
    return rows


@pytest.fixture(scope="module")
def actions(valid_requests: list[Row]) -> list[Any]:
    manifests = (
        ManifestRequest(
            event_id=r["event_id"],
            occurred_at=r["occurred_at"],
            http_method=r["http_method"],
            repository=r["repository"],
            reference=r["reference"],
            response_digest=r["response_digest"],
            client_ip=r["client_ip"],
            user_agent=r["user_agent"],
            account_id=r["account_id"],
            status_code=r["status_code"],
            object_type=r["object_type"],
        )
        for r in valid_requests
    )
    return classify(manifests)


def client_sequences(rows: list[Row]) -> Iterator[list[Row]]:
    """Successful manifest requests per client key, in (occurred_at, event_id) order."""
    by_key: dict[tuple[Any, ...], list[Row]] = defaultdict(list)
    for r in rows:
        if r["object_type"] == "manifest" and 200 <= r["status_code"] < 300:
            key = (r["repository"], r["client_ip"], r["user_agent"], r["account_id"])
            by_key[key].append(r)
    for seq in by_key.values():
        yield sorted(seq, key=lambda r: (r["occurred_at"], r["event_id"]))


# --- determinism ------------------------------------------------------------------------------


def test_same_config_gives_byte_identical_files(tmp_path: Path) -> None:
    first = generate_dataset(SMALL, tmp_path / "a", progress=False)
    second = generate_dataset(SMALL, tmp_path / "b", progress=False)
    assert first == second
    files_a = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*.parquet"))
    files_b = sorted(p.relative_to(tmp_path / "b") for p in (tmp_path / "b").rglob("*.parquet"))
    assert files_a and files_a == files_b
    for rel in files_a:
        assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes(), rel
    for table in (REQUESTS, ACCOUNTS, EXTENSIONS):
        a = sorted_rows(read_table(tmp_path / "a", table))
        assert a.equals(sorted_rows(read_table(tmp_path / "b", table)))

    generate_dataset(replace(SMALL, seed=SMALL.seed + 1), tmp_path / "c", progress=False)
    for table in (REQUESTS, ACCOUNTS, EXTENSIONS):
        a = sorted_rows(read_table(tmp_path / "a", table))
        assert not a.equals(sorted_rows(read_table(tmp_path / "c", table))), table


def test_rerun_replaces_earlier_output(tmp_path: Path) -> None:
    stale = tmp_path / REQUESTS / "date=2001-01-01" / "part-00000.parquet"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"not parquet")
    counts = generate_dataset(replace(SMALL, rows=3_000, days=2), tmp_path, progress=False)
    assert not stale.exists()
    assert read_table(tmp_path, REQUESTS).num_rows == counts[REQUESTS]


# --- layout and schema ------------------------------------------------------------------------


def test_layout_partitions_by_utc_day(dataset: tuple[Path, dict[str, int]]) -> None:
    root, _ = dataset
    assert sorted(p.name for p in root.iterdir()) == sorted(
        [REQUESTS, ACCOUNTS, EXTENSIONS, SCANS, VULNERABILITIES]
    )
    # Scans are partitioned by the UTC day of the scan (pushes before the period included),
    # in the files ingest-scan writes (one per table and day).
    for path in (root / SCANS).rglob("*.parquet"):
        match = SCAN_PATH.fullmatch(path.relative_to(root / SCANS).as_posix())
        assert match, path
        scanned = pq.read_table(path).column("scanned_at").to_pylist()
        assert {t.astimezone(datetime.UTC).date() for t in scanned} == {
            datetime.date.fromisoformat(match.group(1))
        }, path
    first, last = CONFIG.start_date, CONFIG.start_date + datetime.timedelta(days=CONFIG.days - 1)
    for table in (REQUESTS, EXTENSIONS):
        days_seen = set()
        for path in (root / table).rglob("*"):
            if path.is_dir():
                continue
            match = PART_PATH.fullmatch(path.relative_to(root / table).as_posix())
            assert match, path
            folder_day = datetime.date.fromisoformat(match.group(1))
            days_seen.add(folder_day)
            occurred = pq.read_table(path).column("occurred_at").to_pylist()
            assert occurred, path
            # The partition is the UTC day of every row, the 2099 rows included.
            assert {t.astimezone(datetime.UTC).date() for t in occurred} == {folder_day}, path
            assert first <= folder_day <= last or (table == REQUESTS and folder_day == FUTURE_DAY)
        expected = {first + datetime.timedelta(days=d) for d in range(CONFIG.days)}
        assert days_seen - {FUTURE_DAY} == expected, table
    accounts = [p.relative_to(root / ACCOUNTS).as_posix() for p in (root / ACCOUNTS).rglob("*.*")]
    assert accounts == [f"date={first.isoformat()}/part-00000.parquet"]


def test_schemas_match_contract(dataset: tuple[Path, dict[str, int]]) -> None:
    root, _ = dataset
    for table, schema in CONTRACT.items():
        paths = list((root / table).rglob("*.parquet"))
        assert paths, table
        for path in paths:
            assert pq.read_schema(path).remove_metadata().equals(schema), path


def test_future_rows_are_only_the_deliberate_ones(requests: list[Row]) -> None:
    future = [r for r in requests if r["occurred_at"].year == 2099]
    assert future
    assert all(r["occurred_at"].date() == FUTURE_DAY for r in future)
    assert all(invalid_reason(r) == "future_timestamp" for r in future)


# --- volumes, duplicates, invalid rows --------------------------------------------------------


def test_row_counts(dataset: tuple[Path, dict[str, int]], requests: list[Row]) -> None:
    _, counts = dataset
    assert len(requests) == counts[REQUESTS]
    assert abs(counts[REQUESTS] - CONFIG.rows) <= 0.02 * CONFIG.rows
    assert counts[ACCOUNTS] == CONFIG.n_accounts
    assert 0.005 * CONFIG.rows <= counts[EXTENSIONS] <= 0.015 * CONFIG.rows


def test_duplicates_are_exact_copies(requests: list[Row]) -> None:
    by_id: dict[str, list[Row]] = defaultdict(list)
    for row in requests:
        if row["event_id"] is not None:
            by_id[row["event_id"]].append(row)
    repeated = {k: v for k, v in by_id.items() if len(v) > 1}
    expected = CONFIG.duplicate_rate * CONFIG.rows
    assert 0.5 * expected <= len(repeated) <= 1.5 * expected
    for copies in repeated.values():
        assert len(copies) == 2
        assert copies[0] == copies[1]


def test_invalid_rows_at_configured_rate_each_for_a_known_reason(requests: list[Row]) -> None:
    reasons = Counter(invalid_reason(r) for r in requests)
    invalid = sum(n for reason, n in reasons.items() if reason is not None)
    expected = CONFIG.invalid_rate * CONFIG.rows
    assert 0.85 * expected <= invalid <= 1.15 * expected
    assert set(reasons) == {
        None,
        "null_event_id",
        "null_repository",
        "null_client_ip",
        "method",
        "object_type",
        "malformed_digest",
        "future_timestamp",
    }
    methods = Counter(r["http_method"] for r in requests)
    assert methods["POST"] and methods["PUT"]
    assert set(methods) == {"GET", "HEAD", "POST", "PUT"}
    assert {r["object_type"] for r in requests} == {"manifest", "blob", "tag_list"}


def test_valid_rows_are_well_formed(valid_requests: list[Row]) -> None:
    for row in valid_requests:
        if row["reference"].startswith("sha256:"):
            assert DIGEST.fullmatch(row["reference"])
        if row["response_digest"] is not None:
            assert DIGEST.fullmatch(row["response_digest"])
        if row["object_type"] == "blob":
            assert DIGEST.fullmatch(row["reference"])
        ok = 200 <= row["status_code"] < 300
        if not ok:
            assert row["response_digest"] is None and row["media_type"] is None
        if ok and DIGEST.fullmatch(row["reference"]):
            assert row["response_digest"] == row["reference"]
        if row["http_method"] == "HEAD" and row["response_bytes"] is not None:
            assert row["response_bytes"] == 0
        assert re.fullmatch(r"[a-z0-9][a-z0-9._/-]*[a-z0-9]", row["repository"])
        assert re.fullmatch(r"[0-9a-f.:]+", row["client_ip"])
    ipv6 = sum(":" in r["client_ip"] for r in valid_requests) / len(valid_requests)
    assert 0.03 <= ipv6 <= 0.4
    null_tag_digest = [
        r
        for r in valid_requests
        if r["status_code"] == 200 and not r["reference"].startswith("sha256:")
    ]
    share = sum(r["response_digest"] is None for r in null_tag_digest) / len(null_tag_digest)
    assert 0.001 <= share <= 0.03


# --- realism ----------------------------------------------------------------------------------


def test_action_kinds_all_occur(actions: list[Any]) -> None:
    kinds = Counter((a.action, a.start.http_method, a.request_count) for a in actions)
    assert kinds[(VERSION_CHECK, "HEAD", 1)] > 100
    # HEAD tag -> GET index digest -> GET platform digest.
    full = [
        a
        for a in actions
        if a.action == PULL_BY_TAG and a.start.http_method == "HEAD" and a.request_count == 3
    ]
    assert len(full) > 50
    assert all(a.platform_digest not in (None, a.digest) for a in full)
    assert kinds[(PULL_BY_TAG, "HEAD", 2)] > 0  # single-arch image
    assert kinds[(PULL_BY_TAG, "GET", 1)] + kinds[(PULL_BY_TAG, "GET", 2)] > 50
    assert kinds[(PULL_BY_DIGEST, "HEAD", 3)] > 0
    assert kinds[(PULL_BY_DIGEST, "GET", 2)] > 0


def test_challenge_then_authenticated_retry(valid_requests: list[Row]) -> None:
    successes = defaultdict(list)
    for r in valid_requests:
        if r["status_code"] == 200 and r["account_id"] is not None:
            key = (
                r["repository"],
                r["reference"],
                r["client_ip"],
                r["user_agent"],
                r["http_method"],
            )
            successes[key].append(r["occurred_at"])
    challenges = [r for r in valid_requests if r["status_code"] == 401]
    assert all(r["response_digest"] is None and r["media_type"] is None for r in challenges)
    retried = 0
    for r in challenges:
        key = (r["repository"], r["reference"], r["client_ip"], r["user_agent"], r["http_method"])
        later = [t for t in successes.get(key, []) if t > r["occurred_at"]]
        if later and (min(later) - r["occurred_at"]).total_seconds() < 0.2:
            retried += 1
    assert retried > 20


def test_failures_and_blobs(valid_requests: list[Row]) -> None:
    statuses = Counter(r["status_code"] for r in valid_requests)
    assert statuses[200] > 0.85 * len(valid_requests)
    assert statuses[404] and statuses[429] and statuses[401]
    assert any(500 <= s < 600 for s in statuses)
    blobs = [r for r in valid_requests if r["object_type"] == "blob"]
    assert len(blobs) > 0.1 * len(valid_requests)
    assert {r["http_method"] for r in blobs} == {"GET", "HEAD"}
    assert {r["media_type"] for r in blobs if r["status_code"] == 200} <= {
        "application/octet-stream"
    }
    sizes = [
        r["response_bytes"] for r in blobs if r["http_method"] == "GET" and r["response_bytes"]
    ]
    assert max(sizes) > 50_000_000
    manifest_sizes = [
        r["response_bytes"]
        for r in valid_requests
        if r["object_type"] == "manifest"
        and r["http_method"] == "GET"
        and r["status_code"] == 200
        and r["response_bytes"] is not None
    ]
    assert min(manifest_sizes) >= 300 and max(manifest_sizes) <= 8_000
    media = {r["media_type"] for r in valid_requests if r["object_type"] == "manifest"}
    assert media >= {
        "application/vnd.oci.image.index.v1+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.docker.distribution.manifest.v2+json",
    }


def test_clients_and_accounts(
    valid_requests: list[Row], dataset: tuple[Path, dict[str, int]]
) -> None:
    anonymous = sum(r["account_id"] is None for r in valid_requests) / len(valid_requests)
    assert 0.45 <= anonymous <= 0.75
    agents = Counter(r["user_agent"] for r in valid_requests)
    assert agents[None] > 0 and agents[None] < 0.01 * len(valid_requests)
    products = {a.split("/")[0] for a in agents if a}
    assert products >= {"docker", "containerd", "cri-o", "buildkit", "harbor-registry-client"}
    assert any("os/darwin" in a or "(darwin" in a for a in agents if a)
    accounts = read_table(dataset[0], ACCOUNTS).to_pylist()
    known = {a["account_id"] for a in accounts}
    assert {r["account_id"] for r in valid_requests} - {None} <= known


def test_email_domains_cover_all_categories(dataset: tuple[Path, dict[str, int]]) -> None:
    accounts = read_table(dataset[0], ACCOUNTS)
    assert len(set(accounts.column("account_id").to_pylist())) == accounts.num_rows
    domains = Counter(d.lower() for d in accounts.column("email_domain").to_pylist())
    assert not any("@" in d for d in domains)
    personal = {
        "gmail.com",
        "outlook.com",
        "yahoo.com",
        "proton.me",
        "icloud.com",
        "hotmail.com",
        "qq.com",
        "163.com",
        "gmx.de",
        "yandex.ru",
    }
    university = {
        "mit.edu",
        "stanford.edu",
        "ox.ac.uk",
        "cam.ac.uk",
        "ethz.ch",
        "tum.de",
        "u-tokyo.ac.jp",
        "unimelb.edu.au",
        "berkeley.edu",
    }
    disposable = {
        "mailinator.com",
        "guerrillamail.com",
        "10minutemail.com",
        "temp-mail.org",
        "yopmail.com",
        "trashmail.com",
    }
    total = accounts.num_rows
    share = {
        name: sum(n for d, n in domains.items() if d in group) / total
        for name, group in (
            ("personal", personal),
            ("university", university),
            ("disposable", disposable),
        )
    }
    company = {d: n for d, n in domains.items() if d not in personal | university | disposable}
    assert 0.25 <= share["personal"] <= 0.35
    assert 0.05 <= share["university"] <= 0.11
    assert 0.04 <= share["disposable"] <= 0.10
    assert 0.48 <= sum(company.values()) / total <= 0.62
    assert len(company) >= 30
    assert sum(n >= 10 for n in company.values()) >= 3


def test_tags_move_to_new_digests(valid_requests: list[Row]) -> None:
    answers: dict[tuple[str, str], set[str]] = defaultdict(set)
    for r in valid_requests:
        if r["response_digest"] and not r["reference"].startswith("sha256:"):
            answers[(r["repository"], r["reference"])].add(r["response_digest"])
    moved = [key for key, digests in answers.items() if len(digests) > 1]
    assert any(tag == "latest" for _, tag in moved)


def test_time_follows_days_and_weeks(valid_requests: list[Row]) -> None:
    per_day = Counter(
        r["occurred_at"].date() for r in valid_requests if r["occurred_at"].year < 2099
    )
    assert len(per_day) == CONFIG.days
    weekend = [n for d, n in per_day.items() if d.weekday() >= 5]
    weekday = [n for d, n in per_day.items() if d.weekday() < 5]
    assert weekend and sum(weekend) / len(weekend) < 0.9 * sum(weekday) / len(weekday)


def test_edge_cases_of_the_classification_spec(valid_requests: list[Row]) -> None:
    found: Counter[str] = Counter()
    for seq in client_sequences(valid_requests):
        for a, b in itertools.pairwise(seq):
            if a["occurred_at"] == b["occurred_at"]:
                found["same_microsecond"] += 1
            if a["http_method"] != "HEAD" or DIGEST.fullmatch(a["reference"]):
                continue
            if b["http_method"] == "GET" and b["reference"] == a["response_digest"]:
                gap = b["occurred_at"] - a["occurred_at"]
                if gap == datetime.timedelta(seconds=60):
                    found["at_60s"] += 1
                if gap == datetime.timedelta(seconds=60, microseconds=1):
                    found["after_60s"] += 1
            if a["response_digest"] is None and DIGEST.fullmatch(b["reference"]):
                found["null_digest_then_get"] += 1
            if (
                b["http_method"] == "GET"
                and DIGEST.fullmatch(b["reference"])
                and a["response_digest"] not in (None, b["reference"])
            ):
                found["head_then_other_digest"] += 1
        run = longest = 0
        for r in seq:
            run = run + 1 if r["http_method"] == "GET" and DIGEST.fullmatch(r["reference"]) else 0
            longest = max(longest, run)
        if longest >= 10:
            found["long_digest_run"] += 1
    for case in (
        "same_microsecond",
        "at_60s",
        "after_60s",
        "null_digest_then_get",
        "head_then_other_digest",
        "long_digest_run",
    ):
        assert found[case] > 0, case


# --- chunking ---------------------------------------------------------------------------------


def test_chunking_changes_files_not_content(tmp_path: Path) -> None:
    config = replace(SMALL, rows=30_000, days=3)
    big = generate_dataset(config, tmp_path / "big", progress=False)
    small = generate_dataset(replace(config, chunk_rows=5_000), tmp_path / "small", progress=False)
    assert big == small
    assert abs(small[REQUESTS] - config.rows) <= 0.02 * config.rows
    parts = list((tmp_path / "small" / REQUESTS).rglob("*.parquet"))
    assert len(parts) >= config.rows // 5_000
    assert all(pq.read_metadata(p).num_rows <= 5_000 for p in parts)
    assert len(list((tmp_path / "big" / REQUESTS).rglob("*.parquet"))) <= config.days + 1
    for table in (REQUESTS, EXTENSIONS):
        a = sorted_rows(read_table(tmp_path / "big", table))
        b = sorted_rows(read_table(tmp_path / "small", table))
        assert a.equals(b), table
    # Within a row group, rows are in time order.
    for part in parts:
        file = pq.ParquetFile(part)
        for i in range(file.num_row_groups):
            occurred = file.read_row_group(i).column("occurred_at").combine_chunks()
            if len(occurred) > 1:
                assert pc.all(pc.greater_equal(occurred[1:], occurred[:-1])).as_py()
