"""`registry-insights export` writes every dataview period as gzip-compressed CSV parts of
bounded size, byte-for-byte reproducible, whose rows are the mart's."""

from __future__ import annotations

import csv
import gzip
import io
from pathlib import Path

import duckdb
import pytest
from support.warehouse_build import BuiltWarehouse
from typer.testing import CliRunner, Result

from registry_insights.cli import app
from registry_insights.publishing.catalog import DATAVIEWS
from registry_insights.publishing.completeness import data_complete_through, is_published

BOUND = 50_000


def _export(database: Path, out: Path, *options: str) -> Result:
    """`registry-insights export` of the Summary report and the given dataview options."""
    command = ["export", "--database", str(database), "--out", str(out), "--report", "summary"]
    return CliRunner().invoke(app, [*command, "--max-file-bytes", str(BOUND), *options])


@pytest.fixture(scope="module")
def exported(built_warehouse: BuiltWarehouse, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("exports")
    result = _export(built_warehouse.database, out)
    assert result.exit_code == 0, result.output
    assert "export raw:" in result.output
    return out / "exports"


def _read(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(gzip.decompress(path.read_bytes()).decode("utf-8"))))


def test_every_dataview_and_period_is_written(
    exported: Path, built_warehouse: BuiltWarehouse
) -> None:
    with duckdb.connect(str(built_warehouse.database), read_only=True) as connection:
        through = data_complete_through(connection)
        for name, view in DATAVIEWS.items():
            periods = [
                (g, d)
                for g, d in connection.execute(
                    f"select distinct date_granularity, date_reference from {view.relation}"
                ).fetchall()
                if is_published(g, d, through)  # the last, incomplete week and month are not
            ]
            assert periods, name
            written = {path.name.rsplit("_", 1)[0] for path in (exported / name).iterdir()}
            assert written == {f"{name}_{g}_{d.isoformat()}" for g, d in periods}, name


def test_parts_are_bounded_and_start_with_the_header(exported: Path) -> None:
    parts = sorted((exported / "raw").glob("raw_monthly_2026-06-01_*.csv.gz"))
    assert len(parts) > 3
    for part in parts:
        body = gzip.decompress(part.read_bytes())
        lines = _read(part)
        assert lines[0] == DATAVIEWS["raw"].header
        assert len(body) <= BOUND
        assert len(lines) > 1


def test_parts_together_hold_the_mart_in_order(
    exported: Path, built_warehouse: BuiltWarehouse
) -> None:
    rows = [
        row
        for part in sorted((exported / "raw").glob("raw_weekly_2026-06-08_*.csv.gz"))
        for row in _read(part)[1:]
    ]
    with duckdb.connect(str(built_warehouse.database), read_only=True) as connection:
        expected = connection.execute(
            "select action_id, strftime(action_at, '%Y-%m-%d %H:%M:%S'), "
            "coalesce(tag, '\\N') from marts.exp_pulls_raw "
            "where date_granularity = 'weekly' and date_reference = '2026-06-08' "
            "order by action_at, action_id"
        ).fetchall()
    header = DATAVIEWS["raw"].header
    timestamp, tag = header.index("Timestamp"), header.index("Tag")
    assert [(row[timestamp], row[tag]) for row in rows] == [row[1:] for row in expected]


def test_a_second_export_is_byte_identical(
    exported: Path, built_warehouse: BuiltWarehouse, tmp_path: Path
) -> None:
    result = _export(
        built_warehouse.database, tmp_path, "--dataview", "raw", "--dataview", "ext-summary"
    )
    assert result.exit_code == 0, result.output
    for name in ("raw", "ext-summary"):
        again = sorted((tmp_path / "exports" / name).iterdir())
        assert again, name
        assert [p.name for p in again] == sorted(p.name for p in (exported / name).iterdir())
        for path in again:
            assert path.read_bytes() == (exported / name / path.name).read_bytes(), path.name


def test_an_unknown_dataview_is_refused(built_warehouse: BuiltWarehouse, tmp_path: Path) -> None:
    result = _export(built_warehouse.database, tmp_path, "--dataview", "bogus")
    assert result.exit_code == 2
    assert "unknown dataview" in result.output


def test_one_period_writes_that_period_only_and_the_same_bytes(
    exported: Path, built_warehouse: BuiltWarehouse, tmp_path: Path
) -> None:
    result = _export(
        built_warehouse.database, tmp_path, "--granularity", "weekly", "--period", "2026-06-08"
    )
    assert result.exit_code == 0, result.output
    written = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*.csv*"))
    assert written
    assert all("_weekly_2026-06-08" in path.name for path in written)
    assert {path.parts[0] for path in written} == {"summary", "exports"}
    assert {path.parts[1] for path in written if path.parts[0] == "exports"} == set(DATAVIEWS)
    for path in written:
        if path.parts[0] == "exports":
            assert (tmp_path / path).read_bytes() == (
                exported / path.relative_to("exports")
            ).read_bytes()


def test_a_period_the_warehouse_lacks_is_an_error(
    built_warehouse: BuiltWarehouse, tmp_path: Path
) -> None:
    result = _export(
        built_warehouse.database, tmp_path, "--granularity", "monthly", "--period", "2030-01-01"
    )
    assert result.exit_code == 1
    assert "not complete yet" in result.output
    assert not list(tmp_path.rglob("*.csv*"))
    lone = _export(built_warehouse.database, tmp_path, "--granularity", "monthly")
    assert lone.exit_code == 2
