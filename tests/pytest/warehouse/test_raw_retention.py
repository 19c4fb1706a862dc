"""Raw retention: `registry-insights prune-raw` removes only raw files the warehouse has
taken in, request and extension-event files, daily runs keep working after it, every mart
stays as it would have been without pruning, and a rebuild of history refuses to run over
pruned files (unless asked to rebuild over what remains).

A generated fortnight is built day by day; after day 10 the files older than 4 days are
pruned (days 1 to 5: the newest batch day minus late_arrival_days and one day bounds
what a daily run may read again), request and extension files alike; days 11 to 14
follow. Every mart (the extension exports included), the incremental tag history and the
incremental extension events then equal row for row a warehouse built from every file,
never pruned.
"""

from __future__ import annotations

import datetime
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from support.daily_runs import DAILY, EXTENSION_EVENTS, PROCESS_DATE, REPORTS, REQUESTS
from support.raw_schema import RAW_REQUESTS_SCHEMA
from support.warehouse_build import DbtOutcome, dbt_invoke
from typer.testing import CliRunner, Result

from registry_insights.cli import app
from registry_insights.generator import GeneratorConfig, generate_dataset
from registry_insights.retention import MANIFEST, read_manifest

START = datetime.date(2026, 6, 1)
DAYS = 14
PRUNED_AFTER = 10  # prune after the run of the 10th day
VARS = "{report_as_of_date: '2026-08-01'}"


def _day(offset: int) -> datetime.date:
    return START + datetime.timedelta(days=offset)


def _run(
    database: Path,
    raw: Path,
    selection: list[str],
    day: datetime.date | None,
    *extra: str,
    variables: str = VARS,
) -> DbtOutcome:
    if not selection and not extra:
        assert dbt_invoke("seed", raw, database).success
    os.environ[PROCESS_DATE] = day.isoformat() if day else ""
    try:
        return dbt_invoke("run", raw, database, "--vars", variables, *selection, *extra)
    finally:
        del os.environ[PROCESS_DATE]


def _prune(raw: Path, database: Path, *options: str, today: datetime.date | None = None) -> Result:
    return CliRunner().invoke(
        app,
        [
            "prune-raw",
            "--raw-path",
            str(raw),
            "--database",
            str(database),
            "--older-than",
            "4",
            "--today",
            (today or _day(PRUNED_AFTER - 1)).isoformat(),
            "--no-progress",
            *options,
        ],
    )


def _request_files(raw: Path) -> list[Path]:
    return sorted((raw / REQUESTS).glob("*/*.parquet"))


def _extension_files(raw: Path) -> list[Path]:
    return sorted((raw / EXTENSION_EVENTS).glob("*/*.parquet"))


@pytest.fixture(scope="module")
def fortnight(tmp_path_factory: pytest.TempPathFactory) -> Path:
    raw = tmp_path_factory.mktemp("fortnight") / "raw"
    generate_dataset(
        GeneratorConfig(rows=15_000, days=DAYS, seed=5, start_date=START), raw, progress=False
    )
    # the generator's future partition would be a file no daily run takes in
    shutil.rmtree(raw / REQUESTS / "date=2099-01-01", ignore_errors=True)
    return raw


@dataclass(frozen=True)
class Pruned:
    raw: Path
    database: Path
    dry_run: Result
    pruned: Result
    not_taken_in: Path
    files_before: list[Path]
    files_after: list[Path]
    extension_files_before: list[Path]
    extension_files_after: list[Path]
    refused_full_refresh: DbtOutcome
    refused_new_warehouse: DbtOutcome
    refused_new_extension_history: DbtOutcome


@pytest.fixture(scope="module")
def pruned(fortnight: Path, tmp_path_factory: pytest.TempPathFactory) -> Pruned:
    work = tmp_path_factory.mktemp("pruned")
    raw = work / "raw"
    shutil.copytree(fortnight, raw)
    database = work / "daily.duckdb"
    for offset in range(PRUNED_AFTER):
        selection = [] if offset == 0 else DAILY
        outcome = _run(database, raw, selection, _day(offset))
        assert outcome.success, outcome.messages
    # a file that lands in an old partition after its day: not in the ledger, never pruned
    stray = raw / REQUESTS / f"date={_day(1)}" / "stray.parquet"
    pq.write_table(pa.Table.from_pylist([], schema=RAW_REQUESTS_SCHEMA), stray)
    files_before = _request_files(raw)
    extension_files_before = _extension_files(raw)
    dry_run = _prune(raw, database, "--dry-run")
    assert _request_files(raw) == files_before
    assert _extension_files(raw) == extension_files_before
    assert not (raw / "_retention").exists()
    result = _prune(raw, database)
    assert result.exit_code == 0, result.output
    files_after = _request_files(raw)
    extension_files_after = _extension_files(raw)
    assert stray.exists()
    stray.unlink()  # the rest of the test compares with a warehouse built without it
    full_refresh = _run(database, raw, [], None, "--full-refresh")
    new_warehouse = dbt_invoke(
        "run", raw, work / "new.duckdb", "--select", "+ops_request_files_pending"
    )
    new_extension_history = dbt_invoke(
        "run", raw, work / "new-extensions.duckdb", "--select", "+ops_extension_files_pending"
    )
    for offset in range(PRUNED_AFTER, DAYS):
        outcome = _run(database, raw, DAILY, _day(offset))
        assert outcome.success, outcome.messages
    outcome = _run(database, raw, REPORTS, None)
    assert outcome.success, outcome.messages
    return Pruned(
        raw,
        database,
        dry_run,
        result,
        stray,
        files_before,
        files_after,
        extension_files_before,
        extension_files_after,
        full_refresh,
        new_warehouse,
        new_extension_history,
    )


@pytest.fixture(scope="module")
def never_pruned(fortnight: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("never")
    raw = work / "raw"
    shutil.copytree(fortnight, raw)
    database = work / "full.duckdb"
    outcome = _run(database, raw, [], _day(DAYS - 1))
    assert outcome.success, outcome.messages
    return database


def test_dry_run_removes_nothing_and_reports_what_it_would(pruned: Pruned) -> None:
    assert pruned.dry_run.exit_code == 0, pruned.dry_run.output
    assert "would remove" in pruned.dry_run.output
    assert "dry run: nothing was removed" in pruned.dry_run.output


def test_prune_removes_old_taken_in_files_only_and_records_them(pruned: Pruned) -> None:
    output = pruned.pruned.output
    removed = set(pruned.files_before) - set(pruned.files_after)
    removed_extensions = set(pruned.extension_files_before) - set(pruned.extension_files_after)
    old_days = {f"date={_day(offset)}" for offset in range(5)}
    assert removed and removed_extensions
    assert {path.parent.name for path in removed} == old_days
    # every extension file of the old days (all taken in), none of the later ones
    assert removed_extensions == {
        path for path in pruned.extension_files_before if path.parent.name in old_days
    }
    assert f"removed {len(removed) + len(removed_extensions):,} file(s)" in output
    assert "kept 1 file(s)" in output and "not taken in by the warehouse yet" in output
    manifest = read_manifest(pruned.raw)
    assert {(row["table_name"], Path(row["file_path"]).name) for row in manifest} == {
        (REQUESTS, path.name) for path in removed
    } | {(EXTENSION_EVENTS, path.name) for path in removed_extensions}
    extension_rows = [row for row in manifest if row["table_name"] == EXTENSION_EVENTS]
    assert all(int(row["row_count"]) > 0 for row in extension_rows)
    assert any(path.parent.name == f"date={_day(5)}" for path in pruned.extension_files_after)


def test_late_arrival_days_default_to_the_dbt_var_and_can_be_overridden(
    pruned: Pruned, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without --late-arrival-days, prune-raw keeps the request files a daily run may read
    again by the dbt var of dbt_project.yml (read by publishing.completeness); the option
    overrides it. Dry runs on the finished fortnight (newest batch day: the 14th)."""
    later = _day(DAYS)  # the files of days 6 to 10 are past a 4-day retention
    default = _prune(pruned.raw, pruned.database, "--dry-run", today=later)
    assert default.exit_code == 0, default.output
    assert "late files reopen 2 day(s)" not in default.output  # the var is 2: days 6-10 go
    monkeypatch.setattr("registry_insights.retention.prune.dbt_late_arrival_days", lambda: 6)
    from_var = _prune(pruned.raw, pruned.database, "--dry-run", today=later)
    assert from_var.exit_code == 0, from_var.output
    assert "late files reopen 6 day(s)" in from_var.output
    overridden = _prune(
        pruned.raw, pruned.database, "--dry-run", "--late-arrival-days", "2", today=later
    )
    assert overridden.exit_code == 0, overridden.output
    assert overridden.output == default.output


def test_full_refresh_refuses_naming_the_pruned_range(pruned: Pruned) -> None:
    refused = pruned.refused_full_refresh
    assert not refused.success
    text = " ".join(refused.messages)
    assert "Refusing to rebuild history" in text
    assert f"of {_day(0)} to {_day(4)} were pruned" in text
    assert "rebuild_over_remaining_raw" in text


def test_a_new_warehouse_over_pruned_files_refuses_too(pruned: Pruned) -> None:
    assert not pruned.refused_new_warehouse.success
    assert "Refusing to rebuild history" in " ".join(pruned.refused_new_warehouse.messages)
    # the extension events alone (their ledger not found) refuse as well
    assert not pruned.refused_new_extension_history.success
    text = " ".join(pruned.refused_new_extension_history.messages)
    assert "Refusing to rebuild history" in text and "extension-event files" in text


def _tables(connection: duckdb.DuckDBPyConnection, catalog: str) -> list[str]:
    rows = connection.execute(
        "select table_schema || '.' || table_name from information_schema.tables "
        "where table_catalog = ? and (table_schema = 'marts' "
        "or table_name in ('int_tag_digest_history', 'int_extension_events_enriched')) "
        "order by 1",
        [catalog],
    ).fetchall()
    return [name for (name,) in rows]


def test_every_mart_equals_a_warehouse_never_pruned(pruned: Pruned, never_pruned: Path) -> None:
    with duckdb.connect(str(pruned.database), read_only=True) as connection:
        connection.execute(f"attach '{never_pruned}' as never (read_only)")
        tables = _tables(connection, "daily")
        assert tables == _tables(connection, "never")
        assert "intermediate.int_tag_digest_history" in tables and len(tables) > 10
        assert "intermediate.int_extension_events_enriched" in tables
        extension_marts = [table for table in tables if table.startswith("marts.exp_extensions")]
        assert len(extension_marts) >= 3
        differing = {}
        for table in tables:
            mine, theirs = f"daily.{table}", f"never.{table}"
            only_mine = connection.execute(
                f"select count(*) from (select * from {mine} except all select * from {theirs})"
            ).fetchone()
            only_theirs = connection.execute(
                f"select count(*) from (select * from {theirs} except all select * from {mine})"
            ).fetchone()
            if only_mine != (0,) or only_theirs != (0,):
                differing[table] = (only_mine, only_theirs)
        assert differing == {}
        # the pruned days are in the marts, though their files are gone
        early = connection.execute(
            "select count(*) from daily.marts.fct_pull_actions where action_at < ?",
            [_day(5)],
        ).fetchone()
        assert early is not None and early[0] > 0
        # and so are the extension events of the pruned days, in every extension export
        early_events = connection.execute(
            "select count(*) from daily.intermediate.int_extension_events_enriched "
            "where occurred_at < ?",
            [_day(5)],
        ).fetchone()
        assert early_events is not None and early_events[0] > 0
        for table in extension_marts:
            first_week = connection.execute(
                f"select count(*) from daily.{table} "
                "where date_granularity = 'weekly' and date_reference = ?",
                [_day(0)],
            ).fetchone()
            assert first_week is not None and first_week[0] > 0, table


def test_every_raw_row_that_remains_is_accounted_for(pruned: Pruned) -> None:
    """The data test counts the rows of the files that remain (the ledger minus the
    manifest): valid + quarantined + redelivered."""
    outcome = dbt_invoke(
        "test", pruned.raw, pruned.database, "--select", "assert_every_raw_request_is_accounted_for"
    )
    assert outcome.success, outcome.messages
    assert outcome.passed >= 1 and outcome.failed == 0  # the test (and the run-start hook)


def test_opting_in_rebuilds_over_what_remains_and_says_so(pruned: Pruned, tmp_path: Path) -> None:
    database = tmp_path / "rebuilt.duckdb"
    shutil.copyfile(pruned.database, database)
    outcome = _run(
        database,
        pruned.raw,
        [
            "--select",
            "+fct_pull_actions +int_extension_events_enriched",
            "--exclude",
            "stg_reference__*",
        ],
        None,
        "--full-refresh",
        variables="{rebuild_over_remaining_raw: true, report_as_of_date: '2026-08-01'}",
    )
    assert outcome.success, outcome.messages
    log = (tmp_path / "logs" / "dbt.log").read_text(encoding="utf-8")
    assert "rebuilding history over the raw files that remain" in log
    with duckdb.connect(str(database), read_only=True) as connection:
        early = connection.execute(
            "select count(*) from marts.fct_pull_actions where action_at < ?", [_day(5)]
        ).fetchone()
        early_events = connection.execute(
            "select count(*) from intermediate.int_extension_events_enriched where occurred_at < ?",
            [_day(5)],
        ).fetchone()
        later_events = connection.execute(
            "select count(*) from intermediate.int_extension_events_enriched "
            "where occurred_at >= ?",
            [_day(5)],
        ).fetchone()
    assert early == (0,)
    assert early_events == (0,)  # rebuilt over what remains: the pruned days are gone
    assert later_events is not None and later_events[0] > 0


def test_pruned_request_files_alone_do_not_stop_the_extension_ledger_upgrade(
    pruned: Pruned, tmp_path: Path
) -> None:
    """A warehouse that pruned request files before the ledger of extension files existed
    (the manifest lists request files only, the ledger is not found): its next daily run
    takes the extension files in again instead of refusing, and keeps the extension
    events it held."""
    database = tmp_path / "upgraded.duckdb"
    shutil.copyfile(pruned.database, database)
    with duckdb.connect(str(database)) as connection:
        connection.execute("drop table ops.ops_extension_files_ledger")
        held = connection.execute(
            "select count(*) from intermediate.int_extension_events_enriched"
        ).fetchone()
    manifest = pruned.raw / MANIFEST
    saved = manifest.read_text(encoding="utf-8")
    lines = saved.splitlines(keepends=True)
    try:
        manifest.write_text(
            "".join([lines[0], *(line for line in lines[1:] if line.startswith(REQUESTS))]),
            encoding="utf-8",
        )
        outcome = _run(
            database,
            pruned.raw,
            [
                "--select",
                "+int_extension_events_enriched ops_extension_files_ledger",
                "--exclude",
                "stg_reference__*",
            ],
            _day(DAYS - 1),
        )
    finally:
        manifest.write_text(saved, encoding="utf-8")
    assert outcome.success, outcome.messages
    with duckdb.connect(str(database), read_only=True) as connection:
        kept = connection.execute(
            "select count(*) from intermediate.int_extension_events_enriched"
        ).fetchone()
        ledger = connection.execute(
            "select count(*) from ops.ops_extension_files_ledger"
        ).fetchone()
    assert kept == held
    assert ledger == (len(pruned.extension_files_after),)
