"""The demo scans as report files, in each scanner's real output format.

- Trivy JSON (``trivy image --format json``, schema version 2): ``Metadata.RepoDigests``
  and ``ImageConfig``, one result per target (the OS packages, ``Node.js``, ``Python``,
  one per Go binary), ``Severity`` in capitals, ``CVSS.nvd.V3Score``, ``Layer.Digest``;
- Grype JSON (``grype -o json``): ``matches[]`` with ``vulnerability`` (``severity``
  capitalised, ``fix.versions`` / ``fix.state``, ``cvss[]``), ``artifact`` (``type``,
  ``locations[].layerID``), ``source.target.repoDigests`` and ``descriptor``;
- CycloneDX 1.6 JSON as ``trivy image --format cyclonedx --scanners vuln`` writes it:
  ``metadata.component`` (the image: ``pkg:oci`` purl and the
  ``aquasecurity:trivy:RepoDigest`` property), ``components[]`` with purls and
  ``aquasecurity:trivy:PkgType`` / ``LayerDigest`` properties, ``vulnerabilities[]``
  with ``ratings`` (``info`` for Grype's negligible), ``recommendation`` and
  ``affects[].ref``.

A language package listed twice (two install locations, a Go module in two binaries)
appears twice in the Trivy and Grype reports, as those scanners write it; ingestion
counts it once. The files are the input of ``registry-insights ingest-scan``.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

from registry_insights.generator.scans import (
    CYCLONEDX_JSON,
    GRYPE_JSON,
    TRIVY_JSON,
    DemoScan,
    Vulnerability,
    spelling,
)

#: The registry the demo images are scanned from (a host with a port, as a private one).
REGISTRY = "registry.demo.internal:5000"
TRIVY_VERSION = "0.58.1"
GRYPE_VERSION = "0.86.1"
EXTENSIONS = {TRIVY_JSON: "trivy.json", GRYPE_JSON: "grype.json", CYCLONEDX_JSON: "cdx.json"}

_TRIVY_TYPE = {"npm": "node-pkg", "python": "python-pkg", "go": "gobinary"}
_TRIVY_LANGUAGE_TARGET = {"npm": "Node.js", "python": "Python"}
_GRYPE_TYPE = {"deb": "deb", "apk": "apk", "npm": "npm", "python": "python", "go": "go-module"}
_PURL_TYPE = {"deb": "deb", "apk": "apk", "npm": "npm", "python": "pypi", "go": "golang"}
_GO_BINARIES = ("usr/local/bin/app", "usr/local/bin/healthcheck")
_DATA_SOURCE = {
    "debian": ("debian", "Debian Security Tracker", "https://salsa.debian.org/security-tracker-team/security-tracker"),
    "alpine": ("alpine", "Alpine Secdb", "https://secdb.alpinelinux.org/"),
    "npm": ("ghsa", "GitHub Security Advisory npm", "https://github.com/advisories?query=type%3Areviewed+ecosystem%3Anpm"),
    "python": ("ghsa", "GitHub Security Advisory pip", "https://github.com/advisories?query=type%3Areviewed+ecosystem%3Apip"),
    "go": ("govulndb", "The Go Vulnerability Database", "https://pkg.go.dev/vuln/"),
}  # fmt: skip


def _timestamp(scan: DemoScan, timespec: str = "microseconds") -> str:
    moment = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC) + datetime.timedelta(
        microseconds=scan.scanned_at_us
    )
    return moment.isoformat(timespec=timespec)


def _reference(scan: DemoScan) -> str:
    return f"{REGISTRY}/{scan.repository}@{scan.manifest_digest}"


def _kind_type(kind: str, scan: DemoScan) -> str:
    """Trivy's package type: the OS family for OS packages, else the language's."""
    return scan.os_family if kind in ("deb", "apk") else _TRIVY_TYPE[kind]


def _purl(finding: Vulnerability, scan: DemoScan) -> str:
    kind = _PURL_TYPE[finding.package_kind]
    name = quote(finding.package_name, safe="/")
    if finding.package_kind in ("deb", "apk"):
        distro = f"{scan.os_family}-{_os_version(scan)}"
        return (
            f"pkg:{kind}/{scan.os_family}/{name}@{finding.installed_version}"
            f"?arch=amd64&distro={distro}"
        )
    return f"pkg:{kind}/{name}@{finding.installed_version}"


def _os_version(scan: DemoScan) -> str:
    return "12.8" if scan.os_family == "debian" else "3.20.3"


def _description(finding: Vulnerability) -> str:
    return f"{finding.package_name}: {finding.vulnerability_id}\n\nSynthetic demo data."


def _source_of(finding: Vulnerability, scan: DemoScan) -> tuple[str, str, str]:
    key = scan.os_family if finding.package_kind in ("deb", "apk") else finding.package_kind
    return _DATA_SOURCE[key]


# --- Trivy JSON ---------------------------------------------------------------------------


def _trivy_vulnerability(finding: Vulnerability, scan: DemoScan, layer: str) -> dict[str, Any]:
    source_id, source_name, source_url = _source_of(finding, scan)
    entry: dict[str, Any] = {
        "VulnerabilityID": finding.vulnerability_id,
        "PkgID": f"{finding.package_name}@{finding.installed_version}",
        "PkgName": finding.package_name,
        "PkgIdentifier": {"PURL": _purl(finding, scan)},
        "InstalledVersion": finding.installed_version,
    }
    if finding.fixed_version is not None:
        entry["FixedVersion"] = finding.fixed_version
    entry["Status"] = "fixed" if finding.fixed_version is not None else "affected"
    entry["Layer"] = {"Digest": layer}
    entry["SeveritySource"] = "nvd" if finding.cvss_score is not None else source_id
    entry["PrimaryURL"] = f"https://avd.aquasec.com/nvd/{finding.vulnerability_id.lower()}"
    entry["DataSource"] = {"ID": source_id, "Name": source_name, "URL": source_url}
    entry["Title"] = f"{finding.package_name}: {finding.vulnerability_id}"
    entry["Description"] = _description(finding)
    entry["Severity"] = spelling(finding.severity, TRIVY_JSON)
    if finding.cvss_score is not None:
        entry["CVSS"] = {
            "nvd": {
                "V3Vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
                "V3Score": finding.cvss_score,
            }
        }
    return entry


def trivy_report(scan: DemoScan) -> dict[str, Any]:
    """``trivy image --format json`` output for the scan."""
    os_target = f"{_reference(scan)} ({scan.os_family} {_os_version(scan)})"
    results: dict[tuple[str, str], list[dict[str, Any]]] = {
        (os_target, "os-pkgs"): [],
    }
    types: dict[str, str] = {os_target: scan.os_family}
    for position, finding in enumerate(scan.findings):
        kind = finding.package_kind
        copies = 2 if finding.listed_twice else 1
        for copy in range(copies):
            layer = scan.layers[(position + copy) % len(scan.layers)]
            if kind in ("deb", "apk"):
                target = os_target
            elif kind == "go":
                target = _GO_BINARIES[copy]
            else:
                target = _TRIVY_LANGUAGE_TARGET[kind]
            klass = "os-pkgs" if kind in ("deb", "apk") else "lang-pkgs"
            types[target] = _kind_type(kind, scan)
            results.setdefault((target, klass), []).append(
                _trivy_vulnerability(finding, scan, layer)
            )
    return {
        "SchemaVersion": 2,
        "CreatedAt": _timestamp(scan),
        "ArtifactName": _reference(scan),
        "ArtifactType": "container_image",
        "Metadata": {
            "OS": {"Family": scan.os_family, "Name": _os_version(scan)},
            "ImageID": scan.layers[0],
            "DiffIDs": list(scan.layers),
            "RepoTags": [],
            "RepoDigests": [_reference(scan)],
            "ImageConfig": {
                "architecture": "amd64",
                "os": "linux",
                "rootfs": {"type": "layers", "diff_ids": list(scan.layers)},
            },
        },
        "Results": [
            {
                "Target": target,
                "Class": klass,
                "Type": types[target],
                **({"Vulnerabilities": found} if found else {}),
            }
            for (target, klass), found in results.items()
        ],
        "Trivy": {"Version": TRIVY_VERSION},
    }


# --- Grype JSON ---------------------------------------------------------------------------


def _grype_match(finding: Vulnerability, scan: DemoScan, copy: int) -> dict[str, Any]:
    kind = finding.package_kind
    location = {
        "deb": "/var/lib/dpkg/status",
        "apk": "/lib/apk/db/installed",
        "npm": f"/usr/local/lib/node_modules/{finding.package_name}/package.json",
        "python": f"/usr/lib/python3/site-packages/{finding.package_name}-"
        f"{finding.installed_version}.dist-info/METADATA",
        "go": f"/{_GO_BINARIES[0]}",
    }[kind]
    if copy:
        location = location.replace("/usr/", "/opt/app/") if kind != "go" else f"/{_GO_BINARIES[1]}"
    vulnerability: dict[str, Any] = {
        "id": finding.vulnerability_id,
        "dataSource": f"https://nvd.nist.gov/vuln/detail/{finding.vulnerability_id}",
        "namespace": "nvd:cpe"
        if kind not in ("deb", "apk")
        else f"{scan.os_family}:distro:{scan.os_family}:{_os_version(scan).rsplit('.', 1)[0]}",
        "severity": spelling(finding.severity, GRYPE_JSON),
        "urls": [f"https://nvd.nist.gov/vuln/detail/{finding.vulnerability_id}"],
        "description": _description(finding),
        "cvss": [],
        "fix": {
            "versions": [finding.fixed_version] if finding.fixed_version is not None else [],
            "state": "fixed" if finding.fixed_version is not None else "not-fixed",
        },
        "advisories": [],
    }
    if finding.cvss_score is not None:
        vulnerability["cvss"] = [
            {
                "source": "nvd@nist.gov",
                "type": "Primary",
                "version": "3.1",
                "vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
                "metrics": {
                    "baseScore": finding.cvss_score,
                    "exploitabilityScore": 3.9,
                    "impactScore": 5.9,
                },
                "vendorMetadata": {},
            }
        ]
    return {
        "vulnerability": vulnerability,
        "relatedVulnerabilities": [],
        "matchDetails": [
            {
                "type": "exact-direct-match",
                "matcher": f"{_GRYPE_TYPE[kind].split('-')[0]}-matcher",
                "searchedBy": {"package": {"name": finding.package_name}},
                "found": {"vulnerabilityID": finding.vulnerability_id},
            }
        ],
        "artifact": {
            "id": f"{finding.package_name}-{copy}",
            "name": finding.package_name,
            "version": finding.installed_version,
            "type": _GRYPE_TYPE[kind],
            "locations": [{"path": location, "layerID": scan.layers[copy % len(scan.layers)]}],
            "language": "" if kind in ("deb", "apk") else kind,
            "licenses": [],
            "cpes": [],
            "purl": _purl(finding, scan),
            "upstreams": [],
        },
    }


def grype_report(scan: DemoScan) -> dict[str, Any]:
    """``grype -o json`` output for the scan."""
    matches = [
        _grype_match(finding, scan, copy)
        for finding in scan.findings
        for copy in range(2 if finding.listed_twice else 1)
    ]
    user_input = _reference(scan)
    return {
        "matches": matches,
        "source": {
            "type": "image",
            "target": {
                "userInput": user_input,
                "imageID": scan.layers[0],
                "manifestDigest": scan.manifest_digest,
                "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "tags": [],
                "repoDigests": [user_input],
                "architecture": "amd64",
                "os": "linux",
            },
        },
        "distro": {
            "name": scan.os_family,
            "version": _os_version(scan).rsplit(".", 1)[0],
            "idLike": [],
        },
        "descriptor": {
            "name": "grype",
            "version": GRYPE_VERSION,
            "timestamp": _timestamp(scan),
        },
    }


# --- CycloneDX (Trivy) --------------------------------------------------------------------


def _cdx_properties(**values: str) -> list[dict[str, str]]:
    return [{"name": f"aquasecurity:trivy:{key}", "value": value} for key, value in values.items()]


def cyclonedx_report(scan: DemoScan) -> dict[str, Any]:
    """``trivy image --format cyclonedx --scanners vuln`` output for the scan."""
    name = scan.repository.rsplit("/", 1)[-1]
    image_purl = (
        f"pkg:oci/{name}@{quote(scan.manifest_digest, safe='')}?arch=amd64"
        f"&repository_url={quote(f'{REGISTRY}/{scan.repository}', safe='')}"
    )
    components: dict[str, dict[str, Any]] = {}
    vulnerabilities: list[dict[str, Any]] = []
    for position, finding in enumerate(scan.findings):
        ref = _purl(finding, scan)
        components.setdefault(
            ref,
            {
                "bom-ref": ref,
                "type": "library",
                "name": finding.package_name,
                "version": finding.installed_version,
                "purl": ref,
                "properties": _cdx_properties(
                    LayerDigest=scan.layers[position % len(scan.layers)],
                    PkgID=f"{finding.package_name}@{finding.installed_version}",
                    PkgType=_kind_type(finding.package_kind, scan),
                ),
            },
        )
        source_id, _, source_url = _source_of(finding, scan)
        severity = spelling(finding.severity, CYCLONEDX_JSON)
        ratings: list[dict[str, Any]] = [{"source": {"name": source_id}, "severity": severity}]
        if finding.cvss_score is not None:
            ratings.append(
                {
                    "source": {"name": "nvd"},
                    "score": finding.cvss_score,
                    "severity": severity,
                    "method": "CVSSv31",
                    "vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
                }
            )
        vulnerability: dict[str, Any] = {
            "id": finding.vulnerability_id,
            "source": {"name": source_id, "url": source_url},
            "ratings": ratings,
            "description": _description(finding),
            "advisories": [
                {"url": f"https://avd.aquasec.com/nvd/{finding.vulnerability_id.lower()}"}
            ],
            "affects": [
                {
                    "ref": ref,
                    "versions": [{"version": finding.installed_version, "status": "affected"}],
                }
            ],
        }
        if finding.fixed_version is not None:
            vulnerability["recommendation"] = (
                f"Upgrade {finding.package_name} to version {finding.fixed_version}"
            )
        vulnerabilities.append(vulnerability)
    return {
        "$schema": "http://cyclonedx.org/schema/bom-1.6.schema.json",
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "serialNumber": f"urn:uuid:{scan.manifest_digest[7:15]}-0000-4000-8000-{scan.index:012d}",
        "version": 1,
        "metadata": {
            "timestamp": _timestamp(scan, "seconds"),
            "tools": {
                "components": [
                    {
                        "type": "application",
                        "group": "aquasecurity",
                        "name": "trivy",
                        "version": TRIVY_VERSION,
                    }
                ]
            },
            "component": {
                "bom-ref": image_purl,
                "type": "container",
                "name": _reference(scan),
                "purl": image_purl,
                "properties": _cdx_properties(
                    DiffID=scan.layers[0],
                    ImageID=scan.layers[0],
                    RepoDigest=_reference(scan),
                    SchemaVersion="2",
                ),
            },
        },
        "components": list(components.values()),
        "vulnerabilities": vulnerabilities,
    }


_WRITERS = {TRIVY_JSON: trivy_report, GRYPE_JSON: grype_report, CYCLONEDX_JSON: cyclonedx_report}


def report_document(scan: DemoScan) -> dict[str, Any]:
    return _WRITERS[scan.source_format](scan)


def report_name(scan: DemoScan) -> str:
    """A file name that sorts in scan order: ``00042-team_app-0123456789ab.trivy.json``."""
    repository = scan.repository.replace("/", "_")
    extension = EXTENSIONS[scan.source_format]
    return f"{scan.index:05d}-{repository}-{scan.manifest_digest[7:19]}.{extension}"


def write_reports(scans: list[DemoScan], folder: Path) -> list[Path]:
    """Write one report per scan into ``folder``; the paths, in order. Demo reports of an
    earlier run in that folder are removed first (nothing else is)."""
    folder.mkdir(parents=True, exist_ok=True)
    for extension in EXTENSIONS.values():
        for old in folder.glob(f"[0-9][0-9][0-9][0-9][0-9]-*.{extension}"):
            old.unlink()
    paths = []
    for scan in scans:
        path = folder / report_name(scan)
        path.write_text(json.dumps(report_document(scan), indent=2) + "\n", encoding="utf-8")
        paths.append(path)
    return paths
