"""Generate a whole dataset: the raw tables in the raw-data contract layout."""

from __future__ import annotations

import datetime
import shutil
import tempfile
from collections import defaultdict
from pathlib import Path

import numpy as np
from tqdm import tqdm

from registry_insights.generator.anomalies import (
    FUTURE_DATE,
    break_contract,
    duplicate,
    future_time,
)
from registry_insights.generator.blocks import block_rows
from registry_insights.generator.config import EXTENSION_EVENT_RATE, GeneratorConfig
from registry_insights.generator.extensions import build_extensions, extension_events
from registry_insights.generator.identifiers import STREAM_BLOCK, STREAM_EXTENSIONS, stream
from registry_insights.generator.planning import DAY_US, make_plan
from registry_insights.generator.rows import RequestRows
from registry_insights.generator.scans import demo_scans
from registry_insights.generator.tables import EXTENSIONS_SCHEMA, REQUESTS_SCHEMA, requests_table
from registry_insights.generator.world import World, build_world
from registry_insights.generator.writer import (
    DayPartitionedWriter,
    partition_dir,
    reset_table_dir,
    write_parquet,
)

REQUESTS = "raw_registry_requests"
ACCOUNTS = "raw_accounts"
EXTENSION_EVENTS = "raw_extension_events"
TABLES = (REQUESTS, ACCOUNTS, EXTENSION_EVENTS)
#: The count ``generate_dataset`` returns for the scan reports it wrote.
SCAN_REPORTS = "scan_reports"


class Quota:
    """Turns fractional per-block expectations into whole counts that add up exactly."""

    def __init__(self) -> None:
        self.issued = 0
        self._due = 0.0

    def take(self, expected: float) -> int:
        self._due += expected
        count = int(self._due)
        self._due -= count
        self.issued += count
        return count


def write_scans(
    world: World, seed: int, out_dir: Path, scan_reports: Path | None
) -> dict[str, int]:
    """The demo scans as report files in the scanners' formats, in ``scan_reports``; the
    raw scan tables under ``out_dir`` are emptied, for ``registry-insights ingest-scan``
    to fill from those reports. Without ``scan_reports`` the reports are written to a
    temporary folder and ingested here, through the same ingestion."""
    from registry_insights.generator.scan_reports import write_reports
    from registry_insights.ingest.scans.ingest import ingest_scan
    from registry_insights.ingest.scans.raw_tables import SCANS_TABLE, VULNERABILITIES_TABLE

    for table in (SCANS_TABLE, VULNERABILITIES_TABLE):
        reset_table_dir(out_dir / table)
    scans = demo_scans(world, seed)
    if scan_reports is not None:
        write_reports(scans, scan_reports)
        return {SCAN_REPORTS: len(scans)}
    with tempfile.TemporaryDirectory(prefix="scan-reports-") as folder:
        paths = write_reports(scans, Path(folder))
        summary = ingest_scan(paths, out_dir)
    if not summary.ok:
        raise RuntimeError(f"demo scan reports rejected: {summary.rejected[:3]}")
    return {SCANS_TABLE: summary.scans_written, VULNERABILITIES_TABLE: summary.findings_written}


def generate_dataset(
    config: GeneratorConfig,
    out_dir: Path,
    progress: bool = True,
    scan_reports: Path | None = None,
) -> dict[str, int]:
    """Write the raw tables under ``out_dir`` (:func:`write_dataset`). When that fails (a
    full disk), the tables' folders are removed: no partial dataset is left to be read."""
    from registry_insights.ingest.scans.raw_tables import SCANS_TABLE, VULNERABILITIES_TABLE

    try:
        return write_dataset(config, Path(out_dir), progress, scan_reports)
    except BaseException:
        for table in (*TABLES, SCANS_TABLE, VULNERABILITIES_TABLE):
            shutil.rmtree(Path(out_dir) / table, ignore_errors=True)
        raise


def write_dataset(
    config: GeneratorConfig,
    out_dir: Path,
    progress: bool = True,
    scan_reports: Path | None = None,
) -> dict[str, int]:
    """Write the raw tables under ``out_dir``; return the row count of each.

    The demo vulnerability scans are written as scanner reports into ``scan_reports``
    (for ``registry-insights ingest-scan``); without it they are ingested into the raw
    scan tables here (see :func:`write_scans`).

    Existing ``<out_dir>/<table>`` folders of these tables are removed first.
    Rows are generated and written block by block, so memory stays bounded
    whatever ``config.rows`` is. Deliberately future-dated rows (year 2099) are
    written to the partition of their own day, ``date=2099-01-01``.
    """
    out_dir = Path(out_dir)
    world = build_world(config)
    plan = make_plan(world)
    for table in TABLES:
        reset_table_dir(out_dir / table)

    accounts_dir = partition_dir(out_dir / ACCOUNTS, config.start_date)
    accounts_dir.mkdir(parents=True)
    write_parquet(world.accounts.to_table(), accounts_dir / "part-00000.parquet")

    requests = DayPartitionedWriter(out_dir / REQUESTS, REQUESTS_SCHEMA, config.chunk_rows)
    extensions = DayPartitionedWriter(
        out_dir / EXTENSION_EVENTS, EXTENSIONS_SCHEMA, config.chunk_rows
    )
    ext_catalog = build_extensions(world.catalog, stream(config.seed, STREAM_EXTENSIONS))
    pending: dict[int, list[RequestRows]] = defaultdict(list)
    future: list[RequestRows] = []
    invalid, duplicates, edge_cases, extension_count = Quota(), Quota(), Quota(), Quota()

    def day_of(index: int) -> datetime.date:
        return config.start_date + datetime.timedelta(days=index)

    with tqdm(total=config.rows, unit="rows", unit_scale=True, disable=not progress) as bar:
        for block in plan.blocks:
            rng = stream(config.seed, STREAM_BLOCK, block.index)
            counts, expected_edge = plan.session_counts(world, block)
            first_edge_kind = edge_cases.issued
            rows = block_rows(
                world,
                rng,
                counts,
                edge_cases.take(expected_edge),
                block.start_us,
                block.end_us,
                plan.row_density,
                block.target_rows,
                first_edge_kind,
            )

            first_reason = invalid.issued
            rows, future_rows, reasons = break_contract(
                world.catalog,
                rng,
                rows,
                invalid.take(config.invalid_rate * len(rows)),
                first_reason,
            )
            future_time(future_rows, config.start_date)
            future.append(future_rows)

            n_duplicates = duplicates.take(config.duplicate_rate * len(rows))
            copies = duplicate(rng, rows, n_duplicates, reasons < 0)
            later = (rng.random(len(copies)) < 0.5) & (not block.last_of_day)

            now = RequestRows.concat([*pending.pop(block.day, []), rows, copies.take(~later)])
            if later.any():
                pending[block.day].append(copies.take(later))
            day = now.ts // DAY_US
            if block.day + 1 < config.days:
                pending[block.day + 1].append(now.take(day == block.day + 1))
            # Rows outside the day (a retry's earlier attempt before midnight of the
            # first block, a session running past the end of the period) are dropped.
            today = now.take(day == block.day)
            requests.add(day_of(block.day), requests_table(world, today))
            bar.update(len(today))

            ext_rng = stream(config.seed, STREAM_EXTENSIONS, 1, block.index)
            n_ext = extension_count.take(EXTENSION_EVENT_RATE * block.target_rows)
            extensions.add(
                day_of(block.day),
                extension_events(
                    world,
                    ext_catalog,
                    ext_rng,
                    n_ext,
                    block.start_us,
                    block.end_us,
                    config.duplicate_rate,
                ),
            )

        late = RequestRows.concat(future)
        if len(late):
            order = np.argsort(late.ts, kind="stable")
            requests.add(FUTURE_DATE, requests_table(world, late.take(order)))
            bar.update(len(late))
        requests.close()
        extensions.close()

    # Demo vulnerability scans: their own random stream, after the other tables.
    scan_counts = write_scans(world, config.seed, out_dir, scan_reports)
    return {
        REQUESTS: requests.rows_written,
        ACCOUNTS: len(world.accounts),
        EXTENSION_EVENTS: extensions.rows_written,
        **scan_counts,
    }
