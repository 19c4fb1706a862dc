"""``ingest-scan``: each format read per its schema, counts by severity checked against
an independent walk of the JSON, exactly once, and whole-report rejections."""

from __future__ import annotations

import copy
import datetime
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from registry_insights.cli import app
from registry_insights.generator.tables import SCANS_SCHEMA, VULNERABILITIES_SCHEMA
from registry_insights.ingest.scans.detect import read_scan
from registry_insights.ingest.scans.ingest import ingest_scan
from registry_insights.ingest.scans.model import Image, ReportError, Scan, parse_image_option
from registry_insights.ingest.scans.raw_tables import (
    SCANS_TABLE,
    VULNERABILITIES_TABLE,
)
from registry_insights.raw_validation import validate_raw

REPORTS = Path(__file__).parent / "scan_reports"
TRIVY = REPORTS / "trivy-image.json"
GRYPE = REPORTS / "grype-image.json"
CYCLONEDX = REPORTS / "cyclonedx-trivy.json"
DIGEST_1 = "sha256:" + "1" * 64
NOW = datetime.datetime(2026, 12, 1, 9, 0, tzinfo=datetime.UTC)


def load(path: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(path.read_text())
    return document


def scan_of(document: dict[str, Any], image: Image | None = None) -> Scan:
    return read_scan(json.dumps(document).encode(), image, NOW)


def rows(raw: Path, table: str) -> list[dict[str, Any]]:
    files = sorted((raw / table).glob("date=*/*.parquet"))
    return [row for path in files for row in pq.read_table(path).to_pylist()]


# --- each format, per its schema ------------------------------------------------------------


def test_trivy_report_read_per_schema() -> None:
    scan = scan_of(load(TRIVY))
    assert (scan.scanner, scan.source_format, scan.platform) == (
        "trivy",
        "trivy-json",
        "linux/amd64",
    )
    assert (scan.repository, scan.manifest_digest) == ("team/app", DIGEST_1)
    assert scan.scanned_at == datetime.datetime(
        2026, 11, 30, 10, 15, 42, 123456, tzinfo=datetime.UTC
    )
    by_id = {(f.vulnerability_id, f.package_name): f for f in scan.findings}
    # Three results list vulnerabilities; x/net's CVE appears in two of them: kept once.
    assert len(scan.findings) == 5 and scan.duplicates == 1
    ssl = by_id["CVE-2023-5363", "libcrypto3"]
    assert (ssl.severity, ssl.package_type, ssl.installed_version, ssl.fixed_version) == (
        "HIGH",
        "alpine",
        "3.1.3-r0",
        "3.1.4-r0",
    )
    assert ssl.cvss_score == 7.5  # nvd's V3Score, not redhat's 5.9
    assert (
        ssl.layer_digest
        == "sha256:96526aa774ef0126ad0fe9e9a95764c5fc37f409ab9e97021e7b4775d82bf6fa"
    )
    assert ssl.primary_url == "https://avd.aquasec.com/nvd/cve-2023-5363"
    busybox = by_id["CVE-2024-0727", "busybox"]
    assert (busybox.severity, busybox.fixed_version, busybox.status) == (
        "UNKNOWN",
        None,
        "affected",
    )
    assert by_id["CVE-2024-45338", "golang.org/x/net"].cvss_score == 5.3  # no nvd: another source
    assert by_id["CVE-2024-34156", "stdlib"].fixed_version == "1.22.7, 1.23.1"


def test_grype_report_read_per_schema() -> None:
    scan = scan_of(load(GRYPE))
    assert (scan.scanner, scan.scanner_version, scan.platform) == ("grype", "0.74.0", "linux/amd64")
    # repoDigests names the digest pulled by tag (manifestDigest is 2222...).
    assert (scan.repository, scan.manifest_digest) == ("team/app", DIGEST_1)
    assert len(scan.findings) == 6 and scan.duplicates == 1
    by_id = {f.vulnerability_id: f for f in scan.findings}
    assert Counter(f.severity for f in scan.findings) == Counter(
        {"High": 1, "Negligible": 1, "Medium": 1, "Critical": 1, "Low": 1, "Unknown": 1}
    )
    stdlib = by_id["CVE-2024-34156"]
    assert (stdlib.fixed_version, stdlib.status, stdlib.cvss_score) == (
        "1.22.7, 1.23.1",
        "fixed",
        9.8,
    )
    assert (by_id["CVE-2024-0727"].fixed_version, by_id["CVE-2024-0727"].status) == (
        None,
        "not-fixed",
    )
    assert by_id["CVE-2023-5363"].layer_digest is not None
    assert by_id["GHSA-w32m-9786-jp63"].package_type == "go-module"


def test_cyclonedx_report_read_per_schema() -> None:
    scan = scan_of(load(CYCLONEDX))
    assert (scan.scanner, scan.scanner_version, scan.source_format) == (
        "trivy",
        "0.57.1",
        "cyclonedx-json",
    )
    assert (scan.repository, scan.manifest_digest) == ("team/app", DIGEST_1)
    by_id = {f.vulnerability_id: f for f in scan.findings}
    assert len(scan.findings) == 5 and scan.duplicates == 1  # x/net in two binaries
    ssl = by_id["CVE-2023-5363"]
    # The rating of the vulnerability's own source (alpine); the nvd rating's score.
    assert (ssl.severity, ssl.cvss_score, ssl.fixed_version, ssl.package_type) == (
        "high",
        7.5,
        "3.1.4-r0",
        "alpine",
    )
    assert by_id["CVE-2024-0727"].severity == "none"
    assert by_id["GHSA-xxxx-info-0001"].severity == "info"
    stdlib = by_id["CVE-2024-34156"]
    assert (stdlib.fixed_version, stdlib.status, stdlib.package_type) == (
        "1.22.7",
        "exploitable",
        "golang",
    )


def test_cyclonedx_image_from_purl_without_trivy_properties() -> None:
    document = load(CYCLONEDX)
    del document["metadata"]["component"]["properties"]
    scan = scan_of(document)
    assert (scan.repository, scan.manifest_digest) == ("team/app", DIGEST_1)


def test_cyclonedx_1_4_tools_list() -> None:
    document = load(CYCLONEDX)
    document["specVersion"] = "1.4"
    document["metadata"]["tools"] = [
        {"vendor": "aquasecurity", "name": "trivy", "version": "0.38.3"}
    ]
    assert (scan_of(document).scanner, scan_of(document).scanner_version) == ("trivy", "0.38.3")


def test_image_option_wins_and_names_are_normalised() -> None:
    other = parse_image_option("registry.example.com:5000/ops/tool@sha256:" + "a" * 64)
    assert other == Image("ops/tool", "sha256:" + "a" * 64)
    assert parse_image_option("alpine@sha256:" + "b" * 64).repository == "library/alpine"
    assert scan_of(load(TRIVY), other).repository == "ops/tool"
    with pytest.raises(ValueError, match="REPOSITORY@sha256"):
        parse_image_option("team/app:1.2")


# --- counts by severity against an independent reading of the JSON --------------------------


def independent_counts(document: dict[str, Any]) -> Counter[str]:
    """Findings by severity as written, one per (vulnerability, package type, name,
    version), read by walking the JSON directly."""
    seen: dict[tuple[Any, ...], str] = {}
    if "SchemaVersion" in document:
        for result in document.get("Results") or []:
            for v in result.get("Vulnerabilities") or []:
                if v.get("Status") == "not_affected":
                    continue
                key = (
                    v["VulnerabilityID"],
                    result.get("Type"),
                    v["PkgName"],
                    v.get("InstalledVersion"),
                )
                seen.setdefault(key, v["Severity"])
    elif "matches" in document:
        for m in document["matches"]:
            a = m["artifact"]
            key = (m["vulnerability"]["id"], a.get("type"), a["name"], a.get("version"))
            seen.setdefault(key, m["vulnerability"]["severity"])
    else:
        components: dict[str, dict[str, Any]] = {}
        stack = list(document.get("components", []))
        if "component" in document.get("metadata", {}):
            stack.append(document["metadata"]["component"])
        while stack:
            c = stack.pop()
            if "bom-ref" in c:
                components[c["bom-ref"]] = c
            stack += c.get("components", [])
        for v in document["vulnerabilities"]:
            if v.get("analysis", {}).get("state") in NOT_APPLYING:
                continue
            rating = next(
                (r for r in v.get("ratings", []) if r["source"]["name"] == v["source"]["name"]),
                {"severity": "unknown"},
            )
            for affect in v["affects"]:
                c = components[affect["ref"]]
                properties = {p["name"]: p["value"] for p in c.get("properties", [])}
                purl = c.get("purl")
                kind = properties.get("aquasecurity:trivy:PkgType") or (
                    purl[4:].split("/")[0] if purl else None
                )
                seen.setdefault((v["id"], kind, c["name"], c["version"]), rating["severity"])
    return Counter(seen.values())


PACKAGES = st.tuples(
    st.sampled_from(["zlib", "openssl", "musl", "curl"]), st.sampled_from(["1.0", "1.1", "2.0"])
)
#: CycloneDX analysis states meaning "does not affect it", written out independently.
NOT_APPLYING = {"not_affected", "false_positive", "resolved", "resolved_with_pedigree"}
VULN_IDS = st.sampled_from([f"CVE-2026-{n:04d}" for n in range(1, 9)])


@st.composite
def trivy_reports(draw: st.DrawFn) -> dict[str, Any]:
    results = []
    for r in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(["alpine", "debian", "jar"]))
        vulns = [
            {
                "VulnerabilityID": draw(VULN_IDS),
                "PkgName": name,
                "InstalledVersion": version,
                "Severity": draw(st.sampled_from(["UNKNOWN", "LOW", "MEDIUM", "HIGH", "CRITICAL"])),
                "Status": draw(
                    st.sampled_from(["fixed", "affected", "not_affected", "will_not_fix"])
                ),
            }
            for name, version in draw(st.lists(PACKAGES, max_size=8))
        ]
        result: dict[str, Any] = {"Target": f"t{r}", "Class": "os-pkgs", "Type": kind}
        listed_empty = draw(st.booleans())
        if vulns or listed_empty:
            result["Vulnerabilities"] = vulns or None
        results.append(result)
    return {
        "SchemaVersion": 2,
        "ArtifactName": "team/app:1",
        "Metadata": {"RepoDigests": [f"team/app@{DIGEST_1}"]},
        "Results": results,
    }


@st.composite
def grype_reports(draw: st.DrawFn) -> dict[str, Any]:
    matches = [
        {
            "vulnerability": {
                "id": draw(VULN_IDS),
                "severity": draw(
                    st.sampled_from(["Unknown", "Negligible", "Low", "Medium", "High", "Critical"])
                ),
                "fix": {"versions": [], "state": "not-fixed"},
            },
            "artifact": {
                "name": name,
                "version": version,
                "type": draw(st.sampled_from(["apk", "deb"])),
            },
        }
        for name, version in draw(st.lists(PACKAGES, max_size=12))
    ]
    return {
        "matches": matches,
        "source": {
            "type": "image",
            "target": {"userInput": "team/app:1", "repoDigests": [f"team/app@{DIGEST_1}"]},
        },
        "descriptor": {"name": "grype", "version": "0.80.0"},
    }


@st.composite
def cyclonedx_reports(draw: st.DrawFn) -> dict[str, Any]:
    packages = sorted(set(draw(st.lists(PACKAGES, max_size=6))))
    kinds = {package: draw(st.sampled_from(["apk", "deb"])) for package in packages}
    components = [
        {
            "bom-ref": f"ref-{i}",
            "type": "library",
            "name": n,
            "version": v,
            "purl": f"pkg:{kinds[(n, v)]}/x/{n}@{v}",
        }
        for i, (n, v) in enumerate(packages)
    ]
    severities = st.sampled_from(["critical", "high", "medium", "low", "info", "none", "unknown"])
    vulnerabilities = []
    if components:
        for _ in range(draw(st.integers(0, 8))):
            affected = draw(st.lists(st.sampled_from(components), min_size=1, max_size=3))
            vulnerabilities.append(
                {
                    "id": draw(VULN_IDS),
                    "source": {"name": "nvd"},
                    "ratings": [
                        {"source": {"name": "vendor"}, "severity": draw(severities)},
                        {"source": {"name": "nvd"}, "severity": draw(severities)},
                    ],
                    "affects": [{"ref": c["bom-ref"]} for c in affected],
                    "analysis": {
                        "state": draw(
                            st.sampled_from(
                                ["exploitable", "in_triage", "not_affected", "false_positive"]
                            )
                        )
                    },
                }
            )
    return {
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        "metadata": {"component": {"type": "container", "name": "team/app", "version": DIGEST_1}},
        "components": components,
        "vulnerabilities": vulnerabilities,
    }


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(trivy_reports(), grype_reports(), cyclonedx_reports()))
def test_counts_by_severity_match_an_independent_count(document: dict[str, Any]) -> None:
    scan = scan_of(document)
    assert Counter(f.severity for f in scan.findings) == independent_counts(document)


#: Fixtures that reproduce shapes met in reports the scanners' own projects publish
#: (Trivy's integration goldens, Grype's presenter snapshots, CycloneDX's VEX examples).
TRIVY_ARCHIVE = REPORTS / "trivy-archive-no-digest.json"
TRIVY_GOMOD = REPORTS / "trivy-gomod-results.json"
GRYPE_DIRECTORY = REPORTS / "grype-directory.json"
GRYPE_EMPTY = REPORTS / "grype-empty.json"
CYCLONEDX_VEX = REPORTS / "cyclonedx-vex-analysis.json"
CYCLONEDX_VEX_ONLY = REPORTS / "cyclonedx-vex-standalone.json"
IMAGE = Image("team/app", DIGEST_1)


@pytest.mark.parametrize(
    "path",
    [
        TRIVY,
        GRYPE,
        CYCLONEDX,
        TRIVY_ARCHIVE,
        TRIVY_GOMOD,
        GRYPE_DIRECTORY,
        GRYPE_EMPTY,
        CYCLONEDX_VEX,
    ],
    ids=lambda p: p.stem,
)
def test_fixture_counts_match_an_independent_count(path: Path) -> None:
    document = load(path)
    assert Counter(f.severity for f in scan_of(document, IMAGE).findings) == independent_counts(
        document
    )


# --- shapes of the scanners' own published reports ------------------------------------------


def test_trivy_image_from_an_archive_names_no_digest() -> None:
    """`trivy image --input app.tar`: RepoTags and a tag Reference, no RepoDigests."""
    with pytest.raises(ReportError, match="names no image digest"):
        scan_of(load(TRIVY_ARCHIVE))
    scan = scan_of(load(TRIVY_ARCHIVE), IMAGE)
    assert (scan.repository, scan.platform) == ("team/app", "linux/arm64/v8")
    by_id = {f.vulnerability_id: f for f in scan.findings}
    ssl = by_id["CVE-2024-5535"]
    # Only Layer.DiffID: no layer digest; nvd's score over redhat's.
    assert (ssl.severity, ssl.cvss_score, ssl.layer_digest) == ("CRITICAL", 9.1, None)
    assert by_id["CVE-2024-9143"].primary_url == "https://avd.aquasec.com/nvd/cve-2024-9143"


def test_trivy_digest_from_metadata_reference() -> None:
    document = load(TRIVY_ARCHIVE)
    document["Metadata"]["Reference"] = f"registry.example.com/team/app@{DIGEST_1}"
    assert (scan_of(document).repository, scan_of(document).manifest_digest) == (
        "team/app",
        DIGEST_1,
    )


def test_trivy_results_repeating_a_finding_and_not_affected_status() -> None:
    """Three go.mod results list the same module's advisory: one finding. A finding with
    Status not_affected (and VEX-modified findings) is not a vulnerability of the image."""
    scan = scan_of(load(TRIVY_GOMOD), IMAGE)
    assert sorted(f.vulnerability_id for f in scan.findings) == ["CVE-2021-38561", "GMS-2022-20"]
    assert (scan.duplicates, scan.suppressed, scan.platform) == (2, 1, None)
    assert scan.scanned_at == datetime.datetime(
        2026, 11, 29, 16, 45, 3, 118023, tzinfo=datetime.UTC
    )
    gms = next(f for f in scan.findings if f.vulnerability_id == "GMS-2022-20")
    assert (gms.severity, gms.package_type, gms.layer_digest, gms.cvss_score) == (
        "UNKNOWN",
        "gomod",
        None,
        None,
    )


def test_grype_directory_scan_fix_states_and_ignored_matches() -> None:
    document = load(GRYPE_DIRECTORY)
    with pytest.raises(ReportError, match="names no image digest"):
        scan_of(document)  # a directory scan's target is a path
    scan = scan_of(document, IMAGE)
    assert (scan.scanner_version, scan.platform, scan.duplicates) == ("0.86.1", None, 1)
    by_id = {f.vulnerability_id: f for f in scan.findings}
    assert set(by_id) == {"CVE-2024-24790", "CVE-2023-45288"}  # ignoredMatches not read
    stdlib = by_id["CVE-2024-24790"]
    assert (stdlib.fixed_version, stdlib.status, stdlib.cvss_score, stdlib.primary_url) == (
        "1.21.11, 1.22.4",
        "fixed",
        9.8,  # the only entry, of type "CVSS", not "Primary"
        None,  # dataSource "" and no urls
    )
    net = by_id["CVE-2023-45288"]
    assert (net.fixed_version, net.status, net.cvss_score, net.layer_digest) == (
        None,
        None,  # fix.state ""
        None,
        None,
    )


def test_grype_report_without_matches_is_a_clean_scan(tmp_path: Path) -> None:
    with pytest.raises(ReportError, match="names no image digest"):
        scan_of(load(GRYPE_EMPTY))  # target "unknown"
    summary = ingest_scan([GRYPE_EMPTY], tmp_path / "raw", IMAGE, clock=lambda: NOW)
    assert (summary.scans_written, summary.findings_written, summary.rejected) == (1, 0, [])
    (scan,) = rows(tmp_path / "raw", SCANS_TABLE)
    assert (scan["scanner_version"], scan["scanned_at"]) == ("[not provided]", NOW)
    assert not (tmp_path / "raw" / VULNERABILITIES_TABLE).exists()


def test_cyclonedx_vex_analysis_states(tmp_path: Path) -> None:
    """not_affected and false_positive findings are not written (counted as suppressed);
    exploitable and in_triage ones are, with the state as their status. The severity is the
    rating of the vulnerability's own source (NVD high, not the vendor's none)."""
    scan = scan_of(load(CYCLONEDX_VEX), IMAGE)
    assert {(f.vulnerability_id, f.severity, f.status) for f in scan.findings} == {
        ("CVE-2021-44228", "critical", "exploitable"),
        ("CVE-2022-42003", "unknown", "in_triage"),  # no rating at all
    }
    assert scan.suppressed == 2
    # the finding is on the BOM's own component (metadata.component)
    assert {f.package_name for f in scan.findings} == {"Example Gateway"}
    summary = ingest_scan([CYCLONEDX_VEX], tmp_path / "raw", IMAGE)
    assert (summary.findings_written, summary.suppressed_findings) == (2, 2)
    assert "not written): 2" in summary.report()
    document = load(CYCLONEDX_VEX)
    del document["vulnerabilities"][0]["analysis"]
    assert Counter(f.severity for f in scan_of(document, IMAGE).findings)["high"] == 1


def test_cyclonedx_standalone_vex_is_rejected_with_its_reason(tmp_path: Path) -> None:
    summary = ingest_scan([CYCLONEDX_VEX_ONLY], tmp_path / "raw", IMAGE)
    assert summary.scans_written == 0
    assert "a link to another BOM: a standalone VEX document" in summary.rejected[0][1]


# --- raw tables and exactly once -----------------------------------------------------------


def test_written_in_the_contract_layout_exactly_once(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    first = ingest_scan([TRIVY, GRYPE, CYCLONEDX], raw, clock=lambda: NOW)
    assert (first.reports_read, first.scans_written, first.findings_written, first.rejected) == (
        3,
        3,
        16,
        [],
    )
    files = sorted(p.relative_to(raw) for p in raw.rglob("*.parquet"))
    assert {p.parts[0] for p in files} == {SCANS_TABLE, VULNERABILITIES_TABLE}
    assert {p.parts[1] for p in files} == {"date=2026-11-30"}
    assert pq.read_schema(raw / files[0]).remove_metadata() in (
        SCANS_SCHEMA,
        VULNERABILITIES_SCHEMA,
    )
    scans = rows(raw, SCANS_TABLE)
    assert sorted(s["source_format"] for s in scans) == [
        "cyclonedx-json",
        "grype-json",
        "trivy-json",
    ]
    findings = rows(raw, VULNERABILITIES_TABLE)
    assert len(findings) == 16
    assert {f["scan_id"] for f in findings} == {s["scan_id"] for s in scans}
    before = {p: (raw / p).read_bytes() for p in files}

    again = ingest_scan(
        [TRIVY, GRYPE, CYCLONEDX], raw, clock=lambda: NOW + datetime.timedelta(days=3)
    )
    assert (again.scans_written, again.findings_written, again.already_present) == (0, 0, 3)
    assert {
        p: (raw / p).read_bytes()
        for p in sorted(q.relative_to(raw) for q in raw.rglob("*.parquet"))
    } == before
    report = validate_raw(raw)
    assert report.ok, report.to_text()
    assert report.table(SCANS_TABLE).rows == 3 and report.table(VULNERABILITIES_TABLE).rows == 16


def test_a_report_without_a_scan_time_is_still_ingested_once(tmp_path: Path) -> None:
    document = load(TRIVY)
    del document["CreatedAt"]
    report = tmp_path / "report.json"
    report.write_text(json.dumps(document))
    raw = tmp_path / "raw"
    assert ingest_scan([report], raw, clock=lambda: NOW).scans_written == 1
    later = ingest_scan([report], raw, clock=lambda: NOW + datetime.timedelta(days=2))
    assert (later.scans_written, later.already_present) == (0, 1)
    assert [s["scanned_at"] for s in rows(raw, SCANS_TABLE)] == [NOW]


def test_an_interrupted_write_is_completed_by_the_next_ingestion(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    ingest_scan([TRIVY], raw)
    for path in (raw / SCANS_TABLE).rglob("*.parquet"):
        path.unlink()  # as if the process died between the two files
    again = ingest_scan([TRIVY], raw)
    assert (again.scans_written, again.findings_written) == (1, 5)
    assert len(rows(raw, VULNERABILITIES_TABLE)) == 5 and len(rows(raw, SCANS_TABLE)) == 1


# --- rejected inputs -------------------------------------------------------------------------


def without_digest(document: dict[str, Any]) -> dict[str, Any]:
    document["Metadata"]["RepoDigests"] = []
    return document


def with_severity(path: Path, severity: str) -> dict[str, Any]:
    document = load(path)
    if path == TRIVY:
        document["Results"][1]["Vulnerabilities"][0]["Severity"] = severity
    elif path == GRYPE:
        document["matches"][3]["vulnerability"]["severity"] = severity
    else:
        document["vulnerabilities"][2]["ratings"][1]["severity"] = severity
    return document


REJECTED = {
    "truncated": (TRIVY.read_text()[:1500], "invalid JSON"),
    "wrong format (SARIF)": (
        json.dumps({"version": "2.1.0", "runs": []}),
        "not a report this project reads",
    ),
    "JSON array": ("[]", "not an object"),
    "SBOM without vulnerabilities": (
        json.dumps({k: v for k, v in load(CYCLONEDX).items() if k != "vulnerabilities"}),
        "without a vulnerabilities section",
    ),
    "Trivy schema 1": (json.dumps({**load(TRIVY), "SchemaVersion": 1}), "SchemaVersion 1"),
    "no digest": (json.dumps(without_digest(load(TRIVY))), "names no image digest"),
    "unknown Trivy severity": (
        json.dumps(with_severity(TRIVY, "SEVERE")),
        "unknown severity 'SEVERE'",
    ),
    "Grype spelling in Trivy": (
        json.dumps(with_severity(TRIVY, "High")),
        "unknown severity 'High'",
    ),
    "unknown Grype severity": (
        json.dumps(with_severity(GRYPE, "CRITICAL")),
        "unknown severity 'CRITICAL'",
    ),
    "unknown CycloneDX severity": (
        json.dumps(with_severity(CYCLONEDX, "severe")),
        "unknown severity 'severe'",
    ),
    "missing package name": (
        json.dumps(
            {
                **load(GRYPE),
                "matches": [{**load(GRYPE)["matches"][0], "artifact": {"version": "1"}}],
            }
        ),
        "artifact.name is missing",
    ),
}


@pytest.mark.parametrize("case", list(REJECTED))
def test_a_bad_report_is_rejected_whole_with_its_reason(tmp_path: Path, case: str) -> None:
    content, reason = REJECTED[case]
    bad = tmp_path / "bad.json"
    bad.write_text(content)
    raw = tmp_path / "raw"
    summary = ingest_scan([bad], raw)
    assert summary.scans_written == 0 and len(summary.rejected) == 1
    assert reason in summary.rejected[0][1]
    assert not list(raw.rglob("*.parquet"))
    with pytest.raises(ReportError):
        read_scan(content.encode(), None, NOW)


def test_no_digest_is_accepted_with_image_option(tmp_path: Path) -> None:
    bad = tmp_path / "no-digest.json"
    bad.write_text(json.dumps(without_digest(load(TRIVY))))
    summary = ingest_scan([bad], tmp_path / "raw", parse_image_option(f"team/app@{DIGEST_1}"))
    assert summary.scans_written == 1 and summary.rejected == []


# --- the command ---------------------------------------------------------------------------


def test_command_summary_and_exit_codes(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    bad = tmp_path / "truncated.json"
    bad.write_text(TRIVY.read_text()[:800])
    runner = CliRunner()
    ok = runner.invoke(app, ["ingest-scan", str(TRIVY), str(GRYPE), "--raw-path", str(raw)])
    assert ok.exit_code == 0, ok.output
    assert "reports read: 2" in ok.output and "findings written: 11" in ok.output
    mixed = runner.invoke(app, ["ingest-scan", str(TRIVY), str(bad), "--raw-path", str(raw)])
    assert mixed.exit_code == 1
    assert "already present under the raw path: 1" in mixed.output
    assert f"report rejected ({bad}): invalid JSON" in mixed.output
    wrong = runner.invoke(
        app, ["ingest-scan", str(TRIVY), "--raw-path", str(raw), "--image", "team/app"]
    )
    assert wrong.exit_code == 2
    missing = runner.invoke(
        app, ["ingest-scan", str(tmp_path / "nope.json"), "--raw-path", str(raw)]
    )
    assert missing.exit_code == 1 and "no such file" in missing.output


def test_duplicate_keys_do_not_hide_a_second_scan_of_the_same_image() -> None:
    newer = copy.deepcopy(load(TRIVY))
    newer["CreatedAt"] = "2026-12-07T10:00:00Z"
    assert scan_of(newer).scan_id != scan_of(load(TRIVY)).scan_id
    assert scan_of(load(TRIVY)).scan_id == scan_of(load(TRIVY)).scan_id


def test_a_title_from_a_description_is_its_first_paragraph_on_one_line() -> None:
    scan = scan_of(load(GRYPE))
    title = {f.vulnerability_id: f.title for f in scan.findings}["CVE-2023-5363"]
    assert title == (
        "Issue summary: A bug has been identified in the processing of key and"
        " initialisation vector (IV) lengths."
    )
    long = load(GRYPE)
    long["matches"][0]["vulnerability"]["description"] = "word " * 100 + "\n\nsecond"
    cut = {f.vulnerability_id: f.title for f in scan_of(long).findings}["CVE-2023-5363"]
    assert cut is not None and len(cut) <= 200 and cut.endswith("word\u2026")
