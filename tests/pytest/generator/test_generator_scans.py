"""The demo scans: written in the raw contract's layout, deterministic for a seed, drawn
from their own random stream (the other raw tables are byte-identical without them), and
older images of a repository carry more findings than newer ones."""

from __future__ import annotations

from pathlib import Path

import pyarrow.dataset as ds
import pytest

from registry_insights.generator import GeneratorConfig, generate_dataset
from registry_insights.generator import dataset as dataset_module
from registry_insights.generator.scans import SCANS, VULNERABILITIES, scan_rows
from registry_insights.generator.world import build_world

CONFIG = GeneratorConfig(rows=3_000, days=3, seed=11, n_accounts=200, n_clients=500)


def _files(folder: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*.parquet"))
    }


def test_other_tables_are_byte_identical_without_the_scans(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with_scans = tmp_path / "with"
    counts = generate_dataset(CONFIG, with_scans, progress=False)
    assert counts[SCANS] > 0 and counts[VULNERABILITIES] > counts[SCANS]
    monkeypatch.setattr(dataset_module, "write_scans", lambda *_: {})
    without = tmp_path / "without"
    generate_dataset(CONFIG, without, progress=False)
    for table in ("raw_registry_requests", "raw_accounts", "raw_extension_events"):
        assert _files(with_scans / table) == _files(without / table), table
    assert not (without / SCANS).exists()
    # the contract's layout: day partitions only
    for table in (SCANS, VULNERABILITIES):
        for name in _files(with_scans / table):
            assert name.startswith("date=") and name.count("/") == 1, name
    scans = ds.dataset(with_scans / SCANS).to_table()
    assert scans.num_rows == counts[SCANS]


def test_scans_are_deterministic_and_older_images_carry_more() -> None:
    world = build_world(CONFIG)
    first = scan_rows(world, CONFIG.seed)
    second = scan_rows(world, CONFIG.seed)
    assert first[0].equals(second[0]) and first[1].equals(second[1])
    assert not scan_rows(world, CONFIG.seed + 1)[1].equals(first[1])
    scans = first[0].to_pandas()
    findings = first[1].to_pandas().drop_duplicates(["scan_id", "vulnerability_id", "package_name"])
    first_scans = scans.sort_values("scanned_at").drop_duplicates(["repository", "manifest_digest"])
    per_scan = findings.groupby("scan_id").size()
    first_scans = first_scans.assign(findings=first_scans["scan_id"].map(per_scan).fillna(0))
    older, newer = 0, 0
    for _, images in first_scans.groupby("repository"):
        if len(images) < 4:
            continue
        ordered = images.sort_values("scanned_at")["findings"].to_list()
        half = len(ordered) // 2
        older += sum(ordered[:half]) / half
        newer += sum(ordered[-half:]) / half
    assert older > newer
