"""Vulnerability scanner reports (Trivy JSON, Grype JSON, CycloneDX JSON with
``vulnerabilities``) read into the raw contract's ``raw_image_scans`` and
``raw_image_vulnerabilities`` tables.

:mod:`.model` holds what a parsed report is, :mod:`.trivy`, :mod:`.grype` and
:mod:`.cyclonedx` read one format each, :mod:`.detect` picks the format from the content,
:mod:`.raw_tables` writes the Parquet files, :mod:`.ingest` is ``ingest-scan`` and
:mod:`.on_push` runs a scanner for each pushed manifest (the collector's opt-in).
"""
