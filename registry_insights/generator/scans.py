"""Demo vulnerability scans: ``raw_image_scans`` and ``raw_image_vulnerabilities``.

Written straight in the raw-data contract's layout (what ``registry-insights ingest-scan``
writes from real scanner reports), for every image of the catalog: one scan on push of
the digest its tags answer with, and for some images alive during the period a rescan
that finds one more vulnerability (a vulnerability database update). Each repository has
a pool of vulnerabilities; each is introduced in some image of the repository's history
and, for most, fixed in a later one, so older images carry more findings than newer
ones. Severities are spelled the way each repository's scanner writes them (Trivy
``CRITICAL``, Grype ``Critical``, CycloneDX ``critical`` / ``info``).

Everything is drawn from its own random stream (``STREAM_SCANS``): the other raw tables
are byte-identical with or without it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa

from registry_insights.generator.identifiers import (
    STREAM_SCANS,
    sha256_digests,
    stream,
    uuid_list,
)
from registry_insights.generator.tables import (
    SCANS_SCHEMA,
    VULNERABILITIES_SCHEMA,
    epoch_us,
)
from registry_insights.generator.world import World
from registry_insights.generator.writer import partition_dir, reset_table_dir, write_parquet

SCANS = "raw_image_scans"
VULNERABILITIES = "raw_image_vulnerabilities"

#: Normalised severities and how often a vulnerability has each.
SEVERITIES: tuple[str, ...] = ("critical", "high", "medium", "low", "negligible", "unknown")
_SEVERITY_P = (0.07, 0.2, 0.36, 0.22, 0.09, 0.06)
_CVSS_RANGE = {
    "critical": (9.0, 10.0),
    "high": (7.0, 8.9),
    "medium": (4.0, 6.9),
    "low": (0.1, 3.9),
    "negligible": (0.0, 2.0),
    "unknown": (0.0, 0.0),
}

#: (scanner, scanner version, source format), and the share of repositories using each.
_SCANNERS: tuple[tuple[str, str, str], ...] = (
    ("Trivy", "0.58.1", "trivy-json"),
    ("grype", "0.86.1", "grype-json"),
    ("Trivy", "0.58.1", "cyclonedx-json"),
)
_SCANNER_P = (0.5, 0.35, 0.15)

_PACKAGES: tuple[tuple[str, str], ...] = (
    ("openssl", "deb"),
    ("libssl3", "deb"),
    ("zlib1g", "deb"),
    ("curl", "deb"),
    ("libcurl4", "deb"),
    ("libc6", "deb"),
    ("libxml2", "deb"),
    ("perl-base", "deb"),
    ("libexpat1", "deb"),
    ("libsqlite3-0", "deb"),
    ("ncurses-base", "deb"),
    ("busybox", "apk"),
    ("musl", "apk"),
    ("libcrypto3", "apk"),
    ("express", "npm"),
    ("lodash", "npm"),
    ("requests", "python-pkg"),
    ("urllib3", "python-pkg"),
    ("golang.org/x/net", "gobinary"),
    ("stdlib", "gobinary"),
)

#: Rescans happen for images alive this long before the period's end at least.
_DAY_US = 86_400_000_000
_RESCAN_MARGIN_US = 7 * _DAY_US
_RESCAN_RATE = 0.5
#: Share of a Trivy report's findings listed twice (the same package in two targets).
_DUPLICATE_RATE = 0.03


def spelling(severity: str, source_format: str) -> str:
    """A normalised severity as the scanner of ``source_format`` writes it."""
    if source_format == "trivy-json":
        return ("low" if severity == "negligible" else severity).upper()
    if source_format == "grype-json":
        return severity.capitalize()
    return "info" if severity == "negligible" else severity


@dataclass(frozen=True)
class _Vulnerability:
    vulnerability_id: str
    severity: str
    package_name: str
    package_type: str
    installed_version: str
    fixed_version: str | None
    cvss_score: float | None
    introduced: int
    fixed: int  # position of the first image without it; a large number when never


@dataclass
class _Rows:
    scans: dict[str, list[object]] = field(
        default_factory=lambda: {name: [] for name in SCANS_SCHEMA.names}
    )
    findings: dict[str, list[object]] = field(
        default_factory=lambda: {name: [] for name in VULNERABILITIES_SCHEMA.names}
    )


def _pool(
    rng: np.random.Generator, n_images: int, source_format: str, years: list[int]
) -> list[_Vulnerability]:
    size = int(rng.integers(6, 30))
    pool: list[_Vulnerability] = []
    seen: set[tuple[str, str]] = set()
    for _ in range(size):
        package_name, package_type = _PACKAGES[int(rng.integers(0, len(_PACKAGES)))]
        year = years[int(rng.integers(0, len(years)))]
        vulnerability_id = f"CVE-{year}-{int(rng.integers(1000, 50000))}"
        if (vulnerability_id, package_name) in seen:
            continue
        seen.add((vulnerability_id, package_name))
        severity = SEVERITIES[int(rng.choice(len(SEVERITIES), p=_SEVERITY_P))]
        if source_format == "trivy-json" and severity == "negligible":
            severity = "low"
        major, minor, patch = (int(v) for v in rng.integers([0, 0, 1], [4, 20, 30]))
        introduced = 0 if rng.random() < 0.6 else int(rng.integers(0, n_images))
        fixed_later = rng.random() < 0.65
        fixed = introduced + 1 + int(rng.geometric(0.35)) - 1 if fixed_later else 1 << 30
        fix_known = fixed_later or rng.random() < 0.2
        low, high = _CVSS_RANGE[severity]
        cvss = (
            None
            if severity == "unknown" or rng.random() < 0.1
            else round(float(rng.uniform(low, high)), 1)
        )
        pool.append(
            _Vulnerability(
                vulnerability_id=vulnerability_id,
                severity=severity,
                package_name=package_name,
                package_type=package_type,
                installed_version=f"{major}.{minor}.{patch}",
                fixed_version=f"{major}.{minor}.{patch + 1}" if fix_known else None,
                cvss_score=cvss,
                introduced=introduced,
                fixed=fixed,
            )
        )
    return pool


def _add_scan(
    rows: _Rows,
    rng: np.random.Generator,
    scan_id: str,
    scanned_at_us: int,
    scanner: tuple[str, str, str],
    repository: str,
    digest: str,
    findings: list[_Vulnerability],
    layers: list[str],
) -> None:
    name, version, source_format = scanner
    for key, value in zip(
        SCANS_SCHEMA.names,
        (scan_id, scanned_at_us, name, version, repository, digest, "linux/amd64", source_format),
        strict=True,
    ):
        rows.scans[key].append(value)
    for finding in findings:
        copies = 2 if source_format == "trivy-json" and rng.random() < _DUPLICATE_RATE else 1
        for copy in range(copies):
            if source_format == "cyclonedx-json":
                status = None
                url = None
            elif source_format == "grype-json":
                status = "fixed" if finding.fixed_version else "not-fixed"
                url = f"https://nvd.nist.gov/vuln/detail/{finding.vulnerability_id}"
            else:
                status = "fixed" if finding.fixed_version else "affected"
                url = f"https://avd.aquasec.com/nvd/{finding.vulnerability_id.lower()}"
            values = (
                scan_id,
                finding.vulnerability_id,
                spelling(finding.severity, source_format),
                finding.package_name,
                finding.package_type,
                finding.installed_version,
                finding.fixed_version,
                status,
                finding.cvss_score,
                layers[copy % len(layers)] if source_format == "trivy-json" else None,
                f"{finding.package_name}: {finding.vulnerability_id}",
                url,
            )
            for key, value in zip(VULNERABILITIES_SCHEMA.names, values, strict=True):
                rows.findings[key].append(value)


def scan_rows(world: World, seed: int) -> tuple[pa.Table, pa.Table]:
    """The two scan tables of the world's images (deterministic for the seed)."""
    rng = stream(seed, STREAM_SCANS)
    cat = world.catalog
    start_us = epoch_us(world.config.start_date)
    period_end_us = cat.period_us
    # Rescans end a week before the period's end (a quarter of a short period).
    rescan_end = period_end_us - min(_RESCAN_MARGIN_US, period_end_us // 4)
    repositories = world.repository_vocab.to_pylist()
    digest_vocab = cat.reference_vocab
    year = world.config.start_date.year
    years = list(range(year - 6, year + 1))
    rows = _Rows()
    images = np.arange(len(cat.image_repo), dtype=np.int32)
    top = cat.top_digest(images)
    digests = digest_vocab.take(pa.array(cat.digest_code(top))).to_pylist()
    order = np.lexsort((images, cat.image_created, cat.image_repo))
    repo_of = cat.image_repo[order]
    bounds = np.flatnonzero(np.diff(repo_of)) + 1
    for group in np.split(order, bounds):
        if len(group) == 0:
            continue
        repo = int(cat.image_repo[group[0]])
        scanner = _SCANNERS[int(rng.choice(len(_SCANNERS), p=_SCANNER_P))]
        pool = _pool(rng, len(group), scanner[2], years)
        layers = sha256_digests(rng, 2)
        for position, image in enumerate(group):
            carried = [v for v in pool if v.introduced <= position < v.fixed]
            created = int(cat.image_created[image])
            scanned = created + int(rng.integers(30_000_000, 600_000_000))
            scan_id, rescan_id = uuid_list(rng, 2)
            _add_scan(
                rows,
                rng,
                scan_id,
                start_us + scanned,
                scanner,
                repositories[repo],
                str(digests[image]),
                carried,
                layers,
            )
            low = max(scanned, 0) + 1
            if low < rescan_end and rng.random() < _RESCAN_RATE:
                rescanned = int(rng.integers(low, rescan_end))
                disclosed = _pool(rng, 1, scanner[2], [year])[:1]
                _add_scan(
                    rows,
                    rng,
                    rescan_id,
                    start_us + rescanned,
                    scanner,
                    repositories[repo],
                    str(digests[image]),
                    carried + disclosed,
                    layers,
                )
    scans = pa.Table.from_pydict(rows.scans, schema=SCANS_SCHEMA)
    findings = pa.Table.from_pydict(rows.findings, schema=VULNERABILITIES_SCHEMA)
    return scans, findings


def write_scans(world: World, seed: int, out_dir: Path) -> dict[str, int]:
    """Write both tables under ``out_dir``, partitioned by the UTC day of the scan."""
    scans, findings = scan_rows(world, seed)
    for table in (SCANS, VULNERABILITIES):
        reset_table_dir(out_dir / table)
    scan_us = scans.column("scanned_at").cast(pa.int64()).to_numpy()
    scan_day = scan_us // _DAY_US
    day_of_scan = dict(zip(scans.column("scan_id").to_pylist(), scan_day.tolist(), strict=True))
    finding_day = np.array(
        [day_of_scan[scan_id] for scan_id in findings.column("scan_id").to_pylist()],
        dtype=np.int64,
    )
    epoch = datetime.date(1970, 1, 1)
    for day in np.unique(scan_day).tolist():
        date = epoch + datetime.timedelta(days=int(day))
        for table, data, data_day in (
            (SCANS, scans, scan_day),
            (VULNERABILITIES, findings, finding_day),
        ):
            folder = partition_dir(out_dir / table, date)
            folder.mkdir(parents=True, exist_ok=True)
            rows = data.take(pa.array(np.flatnonzero(data_day == day)))
            write_parquet(rows, folder / "part-00000.parquet")
    return {SCANS: scans.num_rows, VULNERABILITIES: findings.num_rows}
