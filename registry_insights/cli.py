"""The `registry-insights` command."""

from __future__ import annotations

import datetime
import enum
from pathlib import Path
from typing import Annotated

import typer

from registry_insights.access import CONFIG_ENV
from registry_insights.dashboard.settings import ACCESS_FILE_ENVS
from registry_insights.publishing.dataview_files import DEFAULT_MAX_FILE_BYTES

app = typer.Typer(
    help="registry-insights: usage analytics for container registries.",
    no_args_is_help=True,
    add_completion=False,
)

DEFAULT_WAREHOUSE = Path("build/warehouse.duckdb")


class Granularity(enum.StrEnum):
    weekly = "weekly"
    monthly = "monthly"


@app.command()
def generate(
    out: Annotated[Path, typer.Option(help="Folder to write the raw tables into.")] = Path(
        "data/demo/raw"
    ),
    rows: Annotated[int, typer.Option(min=1, help="Approximate number of request rows.")] = 500_000,
    end_date: Annotated[
        datetime.datetime | None,
        typer.Option(formats=["%Y-%m-%d"], help="Last day (UTC) covered; default: yesterday."),
    ] = None,
    months: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Calendar months covered, the end date's included (default 13: twelve"
            " complete months and the current one). Not with --start-date/--days.",
        ),
    ] = None,
    start_date: Annotated[
        datetime.datetime | None,
        typer.Option(
            formats=["%Y-%m-%d"],
            help="First day (UTC), instead of --months (with --days or --end-date).",
        ),
    ] = None,
    days: Annotated[
        int | None,
        typer.Option(min=1, help="Number of days covered, instead of --months."),
    ] = None,
    seed: Annotated[int, typer.Option(help="Random seed: same seed, same data.")] = 42,
    chunk_rows: Annotated[int, typer.Option(min=1_000, help="Rows per written chunk.")] = 1_000_000,
    scan_reports: Annotated[
        Path | None,
        typer.Option(
            help="Write the demo scans as Trivy / Grype / CycloneDX JSON reports into this"
            " folder, for `ingest-scan`, instead of ingesting them into the raw tables here."
        ),
    ] = None,
    progress: Annotated[bool, typer.Option(help="Show a progress bar.")] = True,
) -> None:
    """Generate a realistic raw dataset in the raw-data contract's layout, ending yesterday
    (or --end-date): the same seed and the same dates always give the same data."""
    from registry_insights.generator import GeneratorConfig, generate_dataset
    from registry_insights.generator.dataset import SCAN_REPORTS
    from registry_insights.generator.period import PeriodError, resolve_period

    try:
        period = resolve_period(
            end_date=end_date.date() if end_date else None,
            months=months,
            start_date=start_date.date() if start_date else None,
            days=days,
        )
    except PeriodError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(code=2) from error
    config = GeneratorConfig(
        rows=rows,
        days=period.days,
        start_date=period.start_date,
        seed=seed,
        chunk_rows=chunk_rows,
    )
    typer.echo(f"period: {period.start_date} to {period.end_date} ({period.days} days)")
    from registry_insights.ingest.command import fail_write
    from registry_insights.ingest.raw_output import (
        DISK_FULL_ERRNOS,
        RawWriteError,
        raw_write_error,
    )

    try:
        counts = generate_dataset(config, out, progress=progress, scan_reports=scan_reports)
    except RawWriteError as error:  # the demo scans' ingestion: the same one-line error
        fail_write(error)
    except OSError as error:  # the tables' folders were removed: nothing partial is left
        if error.errno not in DISK_FULL_ERRNOS:
            raise
        typer.echo(f"error: {raw_write_error(out, error)}", err=True)
        raise typer.Exit(code=1) from error
    for table, count in counts.items():
        typer.echo(f"{table}: {count:,} {'files' if table == SCAN_REPORTS else 'rows'}")
    typer.echo(f"raw data written to {out}")
    if scan_reports is not None:
        typer.echo(
            f"scan reports written to {scan_reports}: ingest them with"
            f" `registry-insights ingest-scan {scan_reports}/*.json --raw-path {out}`"
        )


@app.command()
def export(
    database: Annotated[
        Path, typer.Option(envvar="REGISTRY_INSIGHTS_DUCKDB_PATH", help="The built warehouse.")
    ] = DEFAULT_WAREHOUSE,
    out: Annotated[Path, typer.Option(help="Folder for the CSV files.")] = Path("reports"),
    report: Annotated[
        list[str] | None, typer.Option(help="Report to export (repeatable); default: all.")
    ] = None,
    dataview: Annotated[
        list[str] | None,
        typer.Option(help="Export dataview (repeatable, e.g. raw, summary); default: all."),
    ] = None,
    max_file_bytes: Annotated[
        int, typer.Option(min=1, help="Largest uncompressed size of one export file.")
    ] = DEFAULT_MAX_FILE_BYTES,
    granularity: Annotated[
        Granularity | None,
        typer.Option(help="Only this period: its granularity (with --period)."),
    ] = None,
    period: Annotated[
        datetime.datetime | None,
        typer.Option(
            formats=["%Y-%m-%d"],
            help="Only this period: its first day, a Monday or the 1st (with --granularity).",
        ),
    ] = None,
) -> None:
    """Write each report as CSV files with the published header, one per period, and each
    export dataview as gzip-compressed CSV parts in <out>/exports/<dataview>/."""
    from registry_insights.publishing.export import (
        DATAVIEWS_FOLDER,
        export_warehouse,
        why_not_exported,
    )
    from registry_insights.publishing.rows import ExportError

    if (granularity is None) != (period is None):
        typer.echo("error: --granularity and --period go together", err=True)
        raise typer.Exit(code=2)
    only = None
    if granularity is not None and period is not None:
        only = {(granularity.value, period.date())}
    try:
        written = export_warehouse(database, out, report, dataview, max_file_bytes, only)
    except ExportError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(code=2) from error
    by_report: dict[str, int] = {}
    for item in written.reports:
        by_report[item.report] = by_report.get(item.report, 0) + 1
    for name, files in sorted(by_report.items()):
        typer.echo(f"{name}: {files} file(s) in {out / name}")
    by_view: dict[str, int] = {}
    for period_written in written.dataviews:
        name = period_written.dataview
        by_view[name] = by_view.get(name, 0) + len(period_written.parts)
    for name, files in sorted(by_view.items()):
        typer.echo(f"export {name}: {files} file(s) in {out / DATAVIEWS_FOLDER / name}")
    if not written.reports and not written.dataviews:
        if granularity is not None and period is not None:
            typer.echo(
                f"error: the warehouse has no {granularity} period starting {period:%Y-%m-%d} "
                f"to publish: {why_not_exported(database, granularity.value, period.date())}",
                err=True,
            )
            raise typer.Exit(code=1)
        typer.echo("no complete period to export yet")


@app.command("load-reference")
def load_reference(
    out: Annotated[
        Path,
        typer.Option(
            envvar="REGISTRY_INSIGHTS_REFERENCE_PATH",
            help="Folder for the reference tables (<out>/<table>/data.parquet).",
        ),
    ] = Path("data/reference"),
    progress: Annotated[bool, typer.Option(help="Show a progress bar.")] = True,
) -> None:
    """Export the offline reference data (IP ranges, excluded email domains) as Parquet."""
    from registry_insights.reference_data import export_reference_data

    counts = export_reference_data(out, progress=progress)
    for table, count in counts.items():
        typer.echo(f"{table}: {count:,} rows")
    typer.echo(f"reference data written to {out}")


@app.command("validate-raw")
def validate_raw(
    raw_path: Annotated[
        Path, typer.Argument(help="Folder of the raw-data contract (<raw_path>/<table>/date=.../).")
    ],
    sample_rows: Annotated[
        int, typer.Option(min=1, help="Rows per table checked by the expectation suite.")
    ] = 1_000_000,
) -> None:
    """Check raw files against the raw-data contract (Great Expectations) before a build."""
    from registry_insights.raw_validation import main

    raise typer.Exit(code=main(raw_path, sample_rows))


@app.command("validate-marts")
def validate_marts(
    database: Annotated[
        Path,
        typer.Option(
            envvar="REGISTRY_INSIGHTS_DUCKDB_PATH", help="The built warehouse; opened read-only."
        ),
    ] = DEFAULT_WAREHOUSE,
) -> None:
    """Check the built marts with Great Expectations, after `dbt build`."""
    from registry_insights.mart_validation import main

    raise typer.Exit(code=main(database))


@app.command()
def serve(
    config: Annotated[
        Path,
        typer.Option(
            envvar=CONFIG_ENV,
            help="The access configuration (TOML): accounts, token hashes, organizations.",
        ),
    ] = Path("api.toml"),
    database: Annotated[
        Path | None,
        typer.Option(help="The built warehouse (default: [server].database of the config)."),
    ] = None,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port.")] = 8000,
) -> None:
    """Serve the DVP-compatible Data API over the warehouse (read-only)."""
    import uvicorn

    from registry_insights.api.app import create_app
    from registry_insights.api.config import ConfigError, load_config

    try:
        settings = load_config(config, database, host=host, port=port)
    except ConfigError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(code=2) from error
    if not settings.database.exists():
        typer.echo(f"error: no warehouse at {settings.database}: run `make demo`", err=True)
        raise typer.Exit(code=2)
    uvicorn.run(create_app(settings), host=host, port=port)


@app.command("api-token")
def api_token() -> None:
    """Make a new API token and print it with the SHA-256 line for the config file."""
    import secrets

    from registry_insights.access import token_hash

    token = secrets.token_urlsafe(32)
    typer.echo(f"token (give it to the account holder, store it nowhere else): {token}")
    typer.echo(f'config line for the account: token_sha256 = ["{token_hash(token)}"]')


#: Options shared by the ingestion commands.
RawPathOption = Annotated[Path, typer.Option(help="Raw-data folder to append to.")]
StoreOption = Annotated[Path, typer.Option(help="Folder of the collector's event database.")]
ProgressOption = Annotated[bool, typer.Option(help="Show a progress bar.")]


@app.command("ingest")
def ingest(
    inputs: Annotated[
        list[str], typer.Argument(help="Log files of one source (gzip or plain); - = stdin.")
    ],
    raw_path: RawPathOption,
    source: Annotated[
        str | None,
        typer.Option(
            help="distribution, nginx, gitlab, harbor or gar; detected from the input if omitted."
        ),
    ] = None,
    notifications: Annotated[
        str | None,
        typer.Option(help="Notifications: NDJSON/JSON envelopes or events, or a collector store."),
    ] = None,
    access_log: Annotated[
        list[str] | None,
        typer.Option(
            help="distribution: an access log of the same requests (a proxy's or the"
            " registry's own), whose HEAD manifest requests a 3.0.x log lacks; repeatable."
        ),
    ] = None,
    progress: ProgressOption = True,
) -> None:
    """Append a registry's or a reverse proxy's requests to raw_registry_requests, once."""
    from registry_insights.ingest.command import report_or_exit
    from registry_insights.ingest.sources.ingest import ingest as ingest_sources

    report_or_exit(
        lambda: ingest_sources(
            inputs, raw_path, source, notifications, progress=progress, access_logs=access_log
        )
    )


@app.command("ingest-registry-log")
def ingest_registry_log(
    log: Annotated[str, typer.Option(help="Registry log (json or text formatter); - = stdin.")],
    raw_path: RawPathOption,
    notifications: Annotated[
        str | None,
        typer.Option(help="Notifications: NDJSON/JSON envelopes or events, or a collector store."),
    ] = None,
    progress: ProgressOption = True,
) -> None:
    """Alias of `ingest --source distribution`: a registry log (and its notifications)."""
    from registry_insights.ingest.command import report_or_exit
    from registry_insights.ingest.ingest_log import ingest_registry_log as ingest

    report_or_exit(lambda: ingest(log, notifications, raw_path, progress=progress))


@app.command("ingest-scan")
def ingest_scan(
    reports: Annotated[
        list[str],
        typer.Argument(
            help="Trivy JSON, Grype JSON or CycloneDX JSON reports (.json or .json.gz); a"
            " folder = its *.json and *.json.gz files; - = stdin."
        ),
    ],
    raw_path: RawPathOption,
    image: Annotated[
        str | None,
        typer.Option(
            help="The scanned image, REPOSITORY@sha256:<digest> (wins over the report's)."
        ),
    ] = None,
) -> None:
    """Append scanner reports to raw_image_scans / raw_image_vulnerabilities (exactly once)."""
    from registry_insights.ingest.scans.ingest import expand_reports
    from registry_insights.ingest.scans.ingest import ingest_scan as ingest
    from registry_insights.ingest.scans.model import parse_image_option

    try:
        scanned = parse_image_option(image) if image is not None else None
    except ValueError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(code=2) from error
    from registry_insights.ingest.command import fail_write
    from registry_insights.ingest.raw_output import RawWriteError

    try:
        summary = ingest(expand_reports(reports), raw_path, scanned)
    except RawWriteError as error:
        fail_write(error)
    typer.echo(summary.report())
    if not summary.ok:
        raise typer.Exit(code=1)


@app.command()
def collect(
    store: StoreOption,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 5080,
    token: Annotated[
        str | None,
        typer.Option(envvar="REGISTRY_INSIGHTS_COLLECTOR_TOKEN", help="Required bearer token."),
    ] = None,
    scan_command: Annotated[
        str | None,
        typer.Option(
            help="Scan on push: command template run per new manifest push, printing a Trivy,"
            " Grype or CycloneDX JSON report; {registry}, {repository}, {digest} are filled in."
        ),
    ] = None,
    scan_raw_path: Annotated[
        Path | None, typer.Option(help="Raw-data folder the scan reports are ingested into.")
    ] = None,
    scan_registry: Annotated[
        str | None,
        typer.Option(help="{registry} for the scanner (default: the host the push was sent to)."),
    ] = None,
    scan_workers: Annotated[int, typer.Option(min=1, help="Scans run at once.")] = 2,
    scan_attempts: Annotated[int, typer.Option(min=1, help="Tries per scan before failed.")] = 3,
    scan_backoff: Annotated[
        float, typer.Option(min=0, help="Seconds before the first retry (doubling).")
    ] = 30.0,
    scan_timeout: Annotated[float, typer.Option(min=1, help="Seconds one scan may run.")] = 900.0,
) -> None:
    """Receive a registry's notifications (POST /events) and store them durably."""
    import uvicorn

    from registry_insights.ingest.collector import create_app
    from registry_insights.ingest.scans.on_push import ScanQueue, ScanRunner, ScanSettings
    from registry_insights.ingest.store import EventStore

    runner = None
    if scan_command is not None:
        if scan_raw_path is None:
            typer.echo("error: --scan-command needs --scan-raw-path", err=True)
            raise typer.Exit(code=2)
        event_store = EventStore(store, scan_on_push=True)
        settings = ScanSettings(
            command=scan_command,
            raw_path=scan_raw_path,
            workers=scan_workers,
            attempts=scan_attempts,
            backoff_seconds=scan_backoff,
            timeout_seconds=scan_timeout,
            registry=scan_registry,
        )
        runner = ScanRunner(ScanQueue(event_store.path), settings)
    else:
        event_store = EventStore(store)
    uvicorn.run(create_app(event_store, token, runner), host=host, port=port, log_level="warning")


@app.command("collector-scans")
def collector_scans(
    store: StoreOption,
    state: Annotated[
        str | None, typer.Option(help="Only scans in this state (pending, running, done, failed).")
    ] = None,
) -> None:
    """The collector's scans on push: state, attempts and the last error of each."""
    from registry_insights.ingest.scans.on_push import ScanQueue
    from registry_insights.ingest.store import EventStore

    scans = ScanQueue(EventStore(store).path).all()
    counts: dict[str, int] = {}
    for scan in scans:
        counts[scan.state] = counts.get(scan.state, 0) + 1
        if state is None or scan.state == state:
            error = f"  error: {scan.last_error}" if scan.last_error else ""
            typer.echo(
                f"{scan.state}\t{scan.repository}@{scan.digest}\tattempts {scan.attempts}{error}"
            )
    summary = ", ".join(f"{name} {count}" for name, count in sorted(counts.items()))
    typer.echo(f"scans: {summary or 'none'}")


@app.command("collector-export")
def collector_export(
    store: StoreOption,
    raw_path: RawPathOption,
    log: Annotated[
        str | None, typer.Option(help="The registry's log, joined by request id; - = stdin.")
    ] = None,
    batch_requests: Annotated[int, typer.Option(min=1, help="Requests per batch.")] = 100_000,
    progress: ProgressOption = True,
) -> None:
    """Write the stored pull events to raw_registry_requests, exactly once."""
    from registry_insights.ingest.collector_export import export_events
    from registry_insights.ingest.command import report_or_exit
    from registry_insights.ingest.store import EventStore

    report_or_exit(
        lambda: export_events(EventStore(store), raw_path, log, batch_requests, progress)
    )


@app.command("collector-dump")
def collector_dump(
    store: StoreOption,
    out: Annotated[str, typer.Option(help="NDJSON file to write; - = stdout.")] = "-",
) -> None:
    """Every stored event as one JSON line (usable as --notifications)."""
    import sys

    from registry_insights.ingest.store import EventStore

    bodies = EventStore(store).bodies()
    if out == "-":
        sys.stdout.writelines(body + "\n" for body in bodies)
        return
    with open(out, "w") as stream:
        stream.writelines(body + "\n" for body in bodies)


@app.command("prune-raw")
def prune_raw(
    raw_path: Annotated[
        Path, typer.Option(envvar="REGISTRY_INSIGHTS_RAW_PATH", help="The raw-data folder.")
    ],
    older_than: Annotated[
        int,
        typer.Option(
            min=1,
            envvar="REGISTRY_INSIGHTS_RAW_RETENTION_DAYS",
            help="Remove files whose day partition is more than this many days old.",
        ),
    ],
    database: Annotated[
        Path, typer.Option(envvar="REGISTRY_INSIGHTS_DUCKDB_PATH", help="The built warehouse.")
    ] = DEFAULT_WAREHOUSE,
    late_arrival_days: Annotated[
        int | None,
        typer.Option(
            min=0,
            help="Override the dbt var late_arrival_days of the daily runs "
            "(default: its value in dbt_project.yml).",
        ),
    ] = None,
    today: Annotated[
        datetime.datetime | None,
        typer.Option(
            formats=["%Y-%m-%d"], help="Count the age from this day (default: today, UTC)."
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option(help="Report what would be removed; remove nothing.")
    ] = False,
    progress: ProgressOption = True,
) -> None:
    """Remove raw request and extension-event files past the retention that the warehouse
    has taken in (per its ledgers), recording them in <raw-path>/_retention/pruned_files.csv."""
    from registry_insights.retention import PruneError
    from registry_insights.retention import prune_raw as prune

    try:
        report = prune(
            raw_path,
            database,
            older_than,
            today=today.date() if today else None,
            late_arrival_days=late_arrival_days,
            dry_run=dry_run,
            progress=progress,
        )
    except PruneError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(code=2) from error
    for line in report.lines():
        typer.echo(line)


@app.command("declare-day")
def declare_day(
    day: Annotated[datetime.datetime, typer.Argument(formats=["%Y-%m-%d"], help="The UTC day.")],
    empty: Annotated[
        bool, typer.Option("--empty", help="Declare that the day has no raw request file.")
    ] = False,
    withdraw: Annotated[bool, typer.Option(help="Withdraw an earlier declaration.")] = False,
    note: Annotated[str | None, typer.Option(help="Why (kept with the declaration).")] = None,
    database: Annotated[
        Path, typer.Option(envvar="REGISTRY_INSIGHTS_DUCKDB_PATH", help="The built warehouse.")
    ] = DEFAULT_WAREHOUSE,
) -> None:
    """Declare a day empty, so the periods that end on or after it can be published
    (a day is complete once its raw files are taken in, or once declared empty)."""
    import duckdb

    from registry_insights.publishing.completeness import (
        data_complete_through,
        declare_day_empty,
        withdraw_declaration,
    )

    if empty == withdraw:
        typer.echo("error: give exactly one of --empty and --withdraw", err=True)
        raise typer.Exit(code=2)
    if not database.is_file():
        typer.echo(f"error: no warehouse at {database}: build it first", err=True)
        raise typer.Exit(code=2)
    try:
        with duckdb.connect(str(database)) as connection:
            if empty:
                changed = declare_day_empty(connection, day.date(), note)
                said = "declared empty" if changed else "was already declared empty"
            else:
                changed = withdraw_declaration(connection, day.date())
                said = "declaration withdrawn" if changed else "was not declared"
            through = data_complete_through(connection)
    except duckdb.IOException as error:
        typer.echo(f"error: cannot write {database} (is a dbt run holding it?): {error}", err=True)
        raise typer.Exit(code=2) from error
    typer.echo(f"{day:%Y-%m-%d}: {said}")
    typer.echo(f"data complete through: {through.isoformat() if through else 'no day yet'}")


class OrchestratedJob(enum.StrEnum):
    full_build = "full_build"
    daily = "daily"
    weekly_exports = "weekly_exports"
    monthly_exports = "monthly_exports"
    prune_raw_job = "prune_raw_job"


@app.command()
def orchestrate(
    run: Annotated[
        OrchestratedJob | None,
        typer.Option(help="Run this job once now instead of starting the scheduler."),
    ] = None,
    date: Annotated[
        datetime.datetime | None,
        typer.Option(
            formats=["%Y-%m-%d"],
            help="With --run: the day (daily, full_build) or the period's first day (exports).",
        ),
    ] = None,
) -> None:
    """Scheduled runs under Dagster (telemetry off, DAGSTER_HOME=build/dagster-home unless
    set): the scheduler daemon (daily run of yesterday, weekly and monthly exports), or one
    job run now with --run."""
    import os
    import sys

    from registry_insights.orchestration.home import prepare_home
    from registry_insights.orchestration.settings import PROJECT_DIR

    home = prepare_home()
    typer.echo(f"DAGSTER_HOME={home}")
    if run is None:
        # The daemon replaces this process, so that signals (Ctrl+C, a service stop) reach it.
        daemon = str(Path(sys.executable).parent / "dagster-daemon")
        os.chdir(PROJECT_DIR)
        os.execv(daemon, [daemon, "run", "-m", "registry_insights.orchestration"])

    from registry_insights.orchestration import defs
    from registry_insights.orchestration.jobs import daily_run_config, export_run_config

    config: dict[str, object] = {}
    if run in (OrchestratedJob.weekly_exports, OrchestratedJob.monthly_exports):
        if date is None:
            typer.echo("error: --date (the period's first day) is required", err=True)
            raise typer.Exit(code=2)
        config = export_run_config(run.value.removesuffix("_exports"), date.date())
    elif date is not None and run is not OrchestratedJob.prune_raw_job:
        config = daily_run_config(date.date())
    from dagster import DagsterInstance

    with DagsterInstance.get() as instance:
        result = defs.resolve_job_def(run.value).execute_in_process(
            run_config=config, instance=instance, raise_on_error=False
        )
    typer.echo(f"{run.value}: {'success' if result.success else 'failed'} (run {result.run_id})")
    raise typer.Exit(code=0 if result.success else 1)


@app.command()
def dashboard(
    database: Annotated[
        Path,
        typer.Option(
            envvar="REGISTRY_INSIGHTS_DUCKDB_PATH", help="The built warehouse; opened read-only."
        ),
    ] = DEFAULT_WAREHOUSE,
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to serve on.")] = 8501,
    address: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    access_file: Annotated[
        Path | None,
        typer.Option(
            envvar=list(ACCESS_FILE_ENVS),
            help="Token mode: the Data API's configuration file (its accounts and "
            "organizations). Default: the first of the env vars below that is set; "
            "none: local single-user mode, every namespace visible.",
        ),
    ] = None,
) -> None:
    """Serve the Insights dashboard (Streamlit) on the built warehouse."""
    import subprocess

    from registry_insights.access import ConfigError
    from registry_insights.dashboard.access import load_access
    from registry_insights.dashboard.server import streamlit_command, streamlit_environment

    if not database.exists():
        typer.echo(f"error: no warehouse at {database}: run `make demo` first", err=True)
        raise typer.Exit(code=2)
    try:
        mode = load_access(access_file).mode
    except ConfigError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(code=2) from error
    typer.echo(f"dashboard ({mode} mode) on http://{address}:{port}/ ; Ctrl+C stops it")
    completed = subprocess.run(
        streamlit_command(port, address),
        env=streamlit_environment(database, access_file),
        check=False,
    )
    raise typer.Exit(code=completed.returncode)


if __name__ == "__main__":
    app()
