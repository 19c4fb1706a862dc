"""Demo vulnerability scans: what the scanners found in each image of the catalog.

For the newest images of every repository (at most ``SCANNED_IMAGES``: scanning on push
was switched on at some point, and a long demo has more than a hundred images in a busy
repository): one scan on push of the digest its tags answer with, and for some
images alive during the period a rescan that finds one more vulnerability (a
vulnerability database update). Each repository has a scanner (Trivy JSON, Grype JSON or
Trivy's CycloneDX), a base OS (Debian or Alpine) and a pool of vulnerabilities; each is
introduced in some image of the repository's history and, for most, fixed in a later
one, so older images carry more findings than newer ones.

These scans are written as report files in each scanner's real format
(:mod:`registry_insights.generator.scan_reports`) and reach the raw tables through
``registry-insights ingest-scan``, as real reports do.

Everything is drawn from its own random stream (``STREAM_SCANS``): the other raw tables
are byte-identical with or without it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from registry_insights.generator.identifiers import STREAM_SCANS, sha256_digests, stream
from registry_insights.generator.tables import epoch_us
from registry_insights.generator.world import World

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

TRIVY_JSON = "trivy-json"
GRYPE_JSON = "grype-json"
CYCLONEDX_JSON = "cyclonedx-json"
#: Source formats, and the share of repositories whose scanner writes each.
_FORMATS: tuple[str, ...] = (TRIVY_JSON, GRYPE_JSON, CYCLONEDX_JSON)
_FORMAT_P = (0.5, 0.35, 0.15)

#: Package kinds: ``deb`` / ``apk`` (OS packages), ``npm``, ``python``, ``go``.
_OS_PACKAGES: dict[str, tuple[str, ...]] = {
    "debian": (
        "openssl",
        "libssl3",
        "zlib1g",
        "curl",
        "libcurl4",
        "libc6",
        "libxml2",
        "perl-base",
        "libexpat1",
        "libsqlite3-0",
        "ncurses-base",
    ),
    "alpine": ("busybox", "musl", "libcrypto3", "libssl3", "zlib", "curl", "libxml2"),
}
_OS_KIND = {"debian": "deb", "alpine": "apk"}
_LANGUAGE_PACKAGES: tuple[tuple[str, str], ...] = (
    ("express", "npm"),
    ("lodash", "npm"),
    ("requests", "python"),
    ("urllib3", "python"),
    ("golang.org/x/net", "go"),
    ("stdlib", "go"),
)

#: Rescans happen for images alive this long before the period's end at least.
_DAY_US = 86_400_000_000
_RESCAN_MARGIN_US = 7 * _DAY_US
_RESCAN_RATE = 0.5
#: Newest images of a repository that have scans (older ones were pushed before its
#: scanner was set up): keeps the demo's reports and raw tables small over a long period.
SCANNED_IMAGES = 24
#: Share of a language package's findings listed twice in a report (the package installed
#: in two places, or a Go module in two binaries), as Trivy and Grype do.
_DUPLICATE_RATE = 0.08


def spelling(severity: str, source_format: str) -> str:
    """A normalised severity as the scanner of ``source_format`` writes it."""
    if source_format == TRIVY_JSON:
        return ("low" if severity == "negligible" else severity).upper()
    if source_format == GRYPE_JSON:
        return severity.capitalize()
    return "info" if severity == "negligible" else severity


@dataclass(frozen=True)
class Vulnerability:
    """A vulnerability of a package version in a repository's images."""

    vulnerability_id: str
    severity: str
    """Normalised (``critical`` ... ``unknown``); each report spells it its own way."""
    package_name: str
    package_kind: str
    """``deb``, ``apk``, ``npm``, ``python`` or ``go``."""
    installed_version: str
    fixed_version: str | None
    cvss_score: float | None
    introduced: int
    fixed: int  # position of the first image without it; a large number when never
    listed_twice: bool = False
    """The report lists it twice (two install locations or binaries)."""


@dataclass(frozen=True)
class DemoScan:
    """One scan of one image: what a scanner's report about it says."""

    index: int
    scanned_at_us: int
    """Microseconds since the epoch, UTC."""
    source_format: str
    repository: str
    manifest_digest: str
    os_family: str
    layers: tuple[str, ...]
    findings: tuple[Vulnerability, ...]


def _pool(
    rng: np.random.Generator, n_images: int, source_format: str, os_family: str, years: list[int]
) -> list[Vulnerability]:
    packages = [(name, _OS_KIND[os_family]) for name in _OS_PACKAGES[os_family]]
    packages += list(_LANGUAGE_PACKAGES)
    size = int(rng.integers(6, 30))
    pool: list[Vulnerability] = []
    seen: set[tuple[str, str]] = set()
    for _ in range(size):
        package_name, package_kind = packages[int(rng.integers(0, len(packages)))]
        year = years[int(rng.integers(0, len(years)))]
        vulnerability_id = f"CVE-{year}-{int(rng.integers(1000, 50000))}"
        if (vulnerability_id, package_name) in seen:
            continue
        seen.add((vulnerability_id, package_name))
        severity = SEVERITIES[int(rng.choice(len(SEVERITIES), p=_SEVERITY_P))]
        if source_format == TRIVY_JSON and severity == "negligible":
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
        twice = package_kind not in _OS_KIND.values() and rng.random() < _DUPLICATE_RATE
        pool.append(
            Vulnerability(
                vulnerability_id=vulnerability_id,
                severity=severity,
                package_name=package_name,
                package_kind=package_kind,
                installed_version=f"{major}.{minor}.{patch}",
                fixed_version=f"{major}.{minor}.{patch + 1}" if fix_known else None,
                cvss_score=cvss,
                introduced=introduced,
                fixed=fixed,
                listed_twice=twice and source_format != CYCLONEDX_JSON,
            )
        )
    return pool


def demo_scans(world: World, seed: int) -> list[DemoScan]:
    """The scans of the world's images, in a fixed order (deterministic for the seed)."""
    rng = stream(seed, STREAM_SCANS)
    cat = world.catalog
    start_us = epoch_us(world.config.start_date)
    period_end_us = cat.period_us
    # Rescans end a week before the period's end (a quarter of a short period).
    rescan_end = period_end_us - min(_RESCAN_MARGIN_US, period_end_us // 4)
    repositories = world.repository_vocab.to_pylist()
    year = world.config.start_date.year
    years = list(range(year - 6, year + 1))
    images = np.arange(len(cat.image_repo), dtype=np.int32)
    top = cat.top_digest(images)
    digests = cat.reference_vocab.take(pa.array(cat.digest_code(top))).to_pylist()
    order = np.lexsort((images, cat.image_created, cat.image_repo))
    repo_of = cat.image_repo[order]
    bounds = np.flatnonzero(np.diff(repo_of)) + 1
    scans: list[DemoScan] = []
    for group in np.split(order, bounds):
        group = group[-SCANNED_IMAGES:]
        if len(group) == 0:
            continue
        repository = str(repositories[int(cat.image_repo[group[0]])])
        source_format = _FORMATS[int(rng.choice(len(_FORMATS), p=_FORMAT_P))]
        os_family = "debian" if rng.random() < 0.7 else "alpine"
        pool = _pool(rng, len(group), source_format, os_family, years)
        layers = tuple(sha256_digests(rng, 2))
        for position, image in enumerate(group):
            carried = tuple(v for v in pool if v.introduced <= position < v.fixed)
            created = int(cat.image_created[image])
            scanned = created + int(rng.integers(30_000_000, 600_000_000))
            scan = DemoScan(
                index=len(scans),
                scanned_at_us=start_us + scanned,
                source_format=source_format,
                repository=repository,
                manifest_digest=str(digests[image]),
                os_family=os_family,
                layers=layers,
                findings=carried,
            )
            scans.append(scan)
            low = max(scanned, 0) + 1
            if low < rescan_end and rng.random() < _RESCAN_RATE:
                rescanned = int(rng.integers(low, rescan_end))
                disclosed = _pool(rng, 1, source_format, os_family, [year])[:1]
                scans.append(
                    DemoScan(
                        index=len(scans),
                        scanned_at_us=start_us + rescanned,
                        source_format=source_format,
                        repository=repository,
                        manifest_digest=scan.manifest_digest,
                        os_family=os_family,
                        layers=layers,
                        findings=carried + tuple(disclosed),
                    )
                )
    return scans
