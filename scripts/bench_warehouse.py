#!/usr/bin/env python3
"""Benchmark the warehouse against a hand-written DuckDB query (`make bench`).

For each size (requests; `BENCH_SIZES`, default 1M, 10M, 100M) it generates 91 days of
raw data (kept under build/bench/data for the next run), then measures wall time and
peak memory (resident set of the process tree, sampled from /proc) of:

  a. scripts/bench/classify_raw.sql, one hand-written DuckDB statement that classifies
     the first 90 days of raw files exactly (tests/pytest/classification/test_bench_query.py
     proves it equal to the model): the lower bound;
  b. `dbt run` of everything up to the fact table over those 90 days (a full build);
  m. the classification model alone: the SQL dbt compiled for int_pull_actions_classified
     in (b) (an ephemeral model, part of the fact table's query there), written to a
     table of its own as (a) writes its result: the issue's "classification model against
     the hand query";
  c. `dbt run` of every report on top of it;
  d. one incremental day (the 91st) on top of the 90 days: the daily run of docs/operations.md.

It writes build/bench/results.json and build/bench/results.md with the ratios (m)/(a),
fct/(a) (the seconds of fct_pull_actions in (b), the one query that classifies,
pseudonymises, enriches and writes the actions, over (a)), (b)/(a) and (d)/(b), and each model's
seconds in (b), (c) and (d) (from dbt's run_results.json) to
build/bench/<size>/model_seconds_{full,reports,daily}.json (of the last round).

With `--rounds N` (`BENCH_ROUNDS`, default 1) each size is measured N times, one round
after the other: the table gives each step's median seconds, each ratio's median over the
rounds with its lowest and highest (a round's ratios pair steps run a minute apart, so a
machine that slows down between rounds moves them less than the seconds), and each step's
highest peak memory; results.json keeps every round.

    .venv/bin/python scripts/bench_warehouse.py --sizes 1000000
    .venv/bin/python scripts/bench_warehouse.py --sizes 10000000 --rounds 3
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

PROJECT_DIR = Path(__file__).resolve().parents[1]
BENCH_DIR = PROJECT_DIR / "build" / "bench"
HAND_QUERY = PROJECT_DIR / "scripts" / "bench" / "classify_raw.sql"
START = datetime.date(2026, 6, 1)
HISTORY_DAYS = 90
FULL_CHAIN = "+fct_pull_actions ops_request_files_ledger"
# The model whose query classifies (the classification and enrichment are ephemeral
# models compiled into it): the "model" against the hand query (a)
CLASSIFYING_MODEL = "fct_pull_actions"
# the classification itself, timed alone in (m) from the SQL dbt compiled for it in (b)
CLASSIFICATION_SQL = Path(
    "compiled", "registry_insights", "models", "intermediate", "pull_actions",
    "int_pull_actions_classified.sql",
)  # fmt: skip
# the reference staging tables, built before (b) with the seeds: no step of the bench
# rebuilds them (the daily run does not either: `--selector daily`)
REFERENCE_TABLES = "stg_reference__*"
# every report, with the models the security reports read that (b) does not build
REPORTS = "fct_pull_actions+ +int_tag_digest_history +int_image_scans_latest"
REPORTS_EXCLUDE = "+fct_pull_actions ops_request_files_ledger"
GIB = 1024**3
# the profile's default DuckDB memory_limit (profiles.yml), for the hand query too
DEFAULT_MEMORY_LIMIT = "7GB"


def profile_storage_version() -> str:
    """The storage format the profile creates the warehouse file in (profiles.yml), for
    the files the hand query and the classification alone write too."""
    import yaml  # type: ignore[import-untyped]  # no stubs pinned; dbt installs PyYAML

    profile = yaml.safe_load((PROJECT_DIR / "profiles.yml").read_text())
    version: str = profile["registry_insights"]["outputs"]["duckdb"]["config_options"][
        "storage_compatibility_version"
    ]
    return version


@dataclass(frozen=True)
class Measure:
    """One timed step: wall seconds and peak resident memory of its process tree."""

    seconds: float
    peak_rss_bytes: int


@dataclass(frozen=True)
class SizeResult:
    requests: int
    hand_query: Measure
    dbt_full_to_fact: Measure
    reports: Measure
    incremental_day: Measure
    # the seconds of the model that classifies in (b): fct_pull_actions, whose one query
    # reads the raw files, classifies (its ephemeral parents), enriches and writes
    model_seconds: float | None = None
    # (m): the classification model's compiled SQL alone, written to a table
    classification: Measure | None = None

    @property
    def full_over_hand(self) -> float:
        return self.dbt_full_to_fact.seconds / self.hand_query.seconds

    @property
    def model_over_hand(self) -> float | None:
        if self.model_seconds is None:
            return None
        return self.model_seconds / self.hand_query.seconds

    @property
    def classification_over_hand(self) -> float | None:
        if self.classification is None:
            return None
        return self.classification.seconds / self.hand_query.seconds

    @property
    def day_over_full(self) -> float:
        return self.incremental_day.seconds / self.dbt_full_to_fact.seconds


@dataclass(frozen=True)
class SizeRounds:
    """Every round measured for one size, in the order run."""

    requests: int
    rounds: tuple[SizeResult, ...]

    def median_step(self, step: Callable[[SizeResult], Measure | None]) -> Measure | None:
        """A step's median seconds over the rounds and its highest peak memory."""
        measures = [measure for measure in map(step, self.rounds) if measure is not None]
        if not measures:
            return None
        return Measure(
            seconds=statistics.median(measure.seconds for measure in measures),
            peak_rss_bytes=max(measure.peak_rss_bytes for measure in measures),
        )

    def ratio(self, of_round: Callable[[SizeResult], float | None]) -> RatioSpread | None:
        """A ratio's median over the rounds, with its lowest and highest."""
        values = [value for value in map(of_round, self.rounds) if value is not None]
        if not values:
            return None
        return RatioSpread(statistics.median(values), min(values), max(values))


@dataclass(frozen=True)
class RatioSpread:
    median: float
    lowest: float
    highest: float

    def cell(self, digits: int) -> str:
        """The median, and the lowest and highest when the rounds differ."""
        if self.lowest == self.highest:
            return f"{self.median:.{digits}f}"
        return f"{self.median:.{digits}f} ({self.lowest:.{digits}f}-{self.highest:.{digits}f})"


def _tree_rss(root: int) -> int:
    """Resident bytes of `root` and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, []))
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            continue
    return total


def measured(command: list[str], env: dict[str, str]) -> Measure:
    """Run `command`, sampling the memory of its process tree every 0.2 s."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=PROJECT_DIR, env=env)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss(process.pid))
            done.wait(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    code = process.wait()
    done.set()
    sampler.join()
    seconds = time.perf_counter() - started
    if code != 0:
        raise SystemExit(f"failed ({code}): {' '.join(command)}")
    return Measure(round(seconds, 2), peak)


def history_files(raw: Path) -> list[str]:
    """The request files of the first HISTORY_DAYS days."""
    last = START + datetime.timedelta(days=HISTORY_DAYS - 1)
    return [
        str(path)
        for path in sorted((raw / "raw_registry_requests").glob("date=*/*.parquet"))
        if path.parent.name[len("date=") :] <= last.isoformat()
    ]


def bench_connection(database: Path, memory_limit: str, temp_dir: Path) -> Any:
    """A DuckDB connection with the profile's settings, for the steps run outside dbt."""
    import duckdb

    # the storage format is fixed when the file is created: it goes in the connection's
    # config, as the profile's config_options give it to dbt's
    connection = duckdb.connect(
        str(database), config={"storage_compatibility_version": profile_storage_version()}
    )
    connection.execute("set TimeZone = 'UTC'")
    connection.execute(f"set memory_limit = '{memory_limit}'")
    connection.execute(f"set temp_directory = '{temp_dir}'")
    connection.execute("set preserve_insertion_order = false")
    return connection


def compiled_inline(env: dict[str, str], scratch: Path, jinja: str) -> str:
    """The SQL dbt compiles `jinja` to on DuckDB (against a scratch database, removed
    after): the bench's own statements come from the rules' one home, the project's
    macros."""
    dbt = Path(sys.executable).parent / "dbt"
    completed = subprocess.run(
        [str(dbt), "--quiet", "compile", "--inline", jinja, "--output", "json"],
        cwd=PROJECT_DIR, env={**env, "REGISTRY_INSIGHTS_DUCKDB_PATH": str(scratch)},
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    for leftover in scratch.parent.glob(f"{scratch.name}*"):
        leftover.unlink()
    compiled: str = json.loads(completed.stdout)["compiled"]
    return compiled


def compiled_normalise_ip(env: dict[str, str], scratch: Path) -> str:
    """The project's normalise_ip over the raw column `client_ip`, as dbt compiles it on
    DuckDB: the hand query keys clients as the model does."""
    return compiled_inline(env, scratch, "{{ normalise_ip('client_ip') }}")


def run_hand_query(
    raw: Path, normalised_client_ip: Path, database: Path, memory_limit: str, temp_dir: Path
) -> None:
    """Body of the (a) step, run in a child process by `measured`."""
    sql = HAND_QUERY.read_text().format(
        files=repr(history_files(raw)),
        window_us=60_000_000,
        table="bench_actions",
        normalised_client_ip=normalised_client_ip.read_text(),
    )
    connection = bench_connection(database, memory_limit, temp_dir)
    connection.execute(sql)
    connection.close()


def run_classification_model(
    compiled: Path, session_sql: Path, database: Path, memory_limit: str, temp_dir: Path
) -> None:
    """Body of the (m) step, run in a child process by `measured`: the SQL dbt compiled
    for the classification model, written to a table in a scratch database beside the
    warehouse (the warehouse's staging views are read as the fact table's query reads them,
    with the same HMAC pads and settings as the profile's, and the session setting the fact
    table's pre-hook makes: keep_join_build_sides, compiled)."""
    from registry_insights.pseudonyms.duckdb_pads import set_pad_variables

    scratch = database.parent / "classification-alone.duckdb"
    scratch.unlink(missing_ok=True)
    connection = bench_connection(database, memory_limit, temp_dir)
    set_pad_variables(connection)
    connection.execute(session_sql.read_text())
    connection.execute(f"attach '{scratch}' as scratch")
    connection.execute(f"create table scratch.classified as {compiled.read_text()}")
    connection.close()
    scratch.unlink()


def bench_size(rows: int, memory_limit: str) -> SizeResult:
    work = BENCH_DIR / f"{rows}"
    raw = BENCH_DIR / "data" / f"{rows}" / "raw"
    bin_dir = Path(sys.executable).parent
    if not (raw / "raw_registry_requests").exists():
        subprocess.run(
            [str(bin_dir / "registry-insights"), "generate", "--rows", str(rows), "--start-date",
             START.isoformat(), "--days", str(HISTORY_DAYS + 1), "--seed", "5", "--out", str(raw),
             "--no-progress"],
            cwd=PROJECT_DIR, check=True,
        )  # fmt: skip
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    env = dict(os.environ)
    env.update(
        {
            "DBT_PROFILES_DIR": str(PROJECT_DIR),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            "REGISTRY_INSIGHTS_RAW_PATH": str(raw),
            "REGISTRY_INSIGHTS_DUCKDB_PATH": str(work / "warehouse.duckdb"),
            "REGISTRY_INSIGHTS_DUCKDB_MEMORY_LIMIT": memory_limit,
            "REGISTRY_INSIGHTS_DUCKDB_TEMP_DIR": str(work / "duckdb_tmp"),
            "REGISTRY_INSIGHTS_REFERENCE_PATH": str(PROJECT_DIR / "data" / "reference"),
            # dbt's own files beside the warehouse: other dbt runs may share the project
            "DBT_TARGET_PATH": str(work / "target"),
            "DBT_LOG_PATH": str(work / "logs"),
        }
    )
    normalised_client_ip = work / "normalised_client_ip.sql"
    normalised_client_ip.write_text(compiled_normalise_ip(env, work / "compile.duckdb"))
    join_sides = work / "keep_join_build_sides.sql"
    join_sides.write_text(
        compiled_inline(env, work / "compile.duckdb", "{{ keep_join_build_sides() }}")
    )
    hand = measured(
        [sys.executable, __file__, "--hand-query", str(raw), str(normalised_client_ip),
         str(work / "hand.duckdb")],
        env,
    )  # fmt: skip
    dbt = [str(bin_dir / "dbt"), "--quiet"]
    day = START + datetime.timedelta(days=HISTORY_DAYS - 1)
    # The day and the report cut-off go in environment variables, not --vars: a changed
    # --vars makes dbt parse the whole project again (about 5 s), these do not.
    env.pop("REGISTRY_INSIGHTS_PROCESS_DATE", None)
    env["REGISTRY_INSIGHTS_REPORT_AS_OF_DATE"] = day.isoformat()
    subprocess.run([*dbt, "seed"], cwd=PROJECT_DIR, env=env, check=True)
    subprocess.run(
        [*dbt, "run", "--select", REFERENCE_TABLES], cwd=PROJECT_DIR, env=env, check=True
    )
    history_env = {**env, "REGISTRY_INSIGHTS_PROCESS_DATE": day.isoformat()}
    full = measured(
        [*dbt, "run", "--select", FULL_CHAIN, "--exclude", REFERENCE_TABLES], history_env
    )
    model_seconds = keep_model_timings(work, "full").get(CLASSIFYING_MODEL)
    classification = measured(
        [sys.executable, __file__, "--classification-model",
         str(work / "target" / CLASSIFICATION_SQL), str(join_sides),
         str(work / "warehouse.duckdb")],
        history_env,
    )  # fmt: skip
    reports = measured(
        [*dbt, "run", "--select", REPORTS, "--exclude", REPORTS_EXCLUDE], history_env
    )
    keep_model_timings(work, "reports")
    next_day = day + datetime.timedelta(days=1)
    daily_env = {**env, "REGISTRY_INSIGHTS_PROCESS_DATE": next_day.isoformat()}
    incremental = measured(
        [*dbt, "run", "--select", FULL_CHAIN, "--exclude", REFERENCE_TABLES], daily_env
    )
    keep_model_timings(work, "daily")
    return SizeResult(rows, hand, full, reports, incremental, model_seconds, classification)


def keep_model_timings(work: Path, step: str) -> dict[str, float]:
    """Each model's seconds in the dbt step just run (from dbt's run_results.json, which
    the next step overwrites), kept as build/bench/<size>/model_seconds_<step>.json: where
    the time goes."""
    run_results = json.loads((work / "target" / "run_results.json").read_text())
    seconds = {
        str(result["unique_id"]).rsplit(".", 1)[-1]: round(float(result["execution_time"]), 2)
        for result in run_results["results"]
    }
    ordered = dict(sorted(seconds.items(), key=lambda item: -item[1]))
    (work / f"model_seconds_{step}.json").write_text(json.dumps(ordered, indent=2) + "\n")
    return ordered


def result_row(result: SizeResult) -> dict[str, object]:
    return {
        **asdict(result),
        "full_over_hand": round(result.full_over_hand, 3),
        "model_over_hand": (
            None if result.model_over_hand is None else round(result.model_over_hand, 3)
        ),
        "classification_over_hand": (
            None
            if result.classification_over_hand is None
            else round(result.classification_over_hand, 3)
        ),
        "day_over_full": round(result.day_over_full, 4),
    }


# The ratios of a round, in the table's order: (name in results.json, digits in the table)
RATIOS = (
    ("classification_over_hand", 2),  # (m)/(a)
    ("model_over_hand", 2),  # fct/(a)
    ("full_over_hand", 2),  # (b)/(a)
    ("day_over_full", 3),  # (d)/(b)
)


def _ratio_spread(size: SizeRounds, name: str) -> RatioSpread | None:
    return size.ratio(lambda result: getattr(result, name))


def rounds_row(size: SizeRounds) -> dict[str, object]:
    """One size in results.json: every round, and the medians the table gives."""
    medians = {name: _ratio_spread(size, name) for name, _ in RATIOS}
    return {
        "requests": size.requests,
        "rounds": [result_row(result) for result in size.rounds],
        "median_ratios": {
            name: None if spread is None else round(spread.median, 4)
            for name, spread in medians.items()
        },
    }


def from_rounds_row(row: dict[str, object]) -> SizeRounds:
    """A size read back from results.json (a row saved before rounds is one round)."""
    rounds = row.get("rounds")
    if rounds is None:
        return SizeRounds(int(str(row["requests"])), (from_row(row),))
    if not isinstance(rounds, list) or not rounds:
        raise ValueError(f"no rounds for {row.get('requests')!r}: {rounds!r}")
    return SizeRounds(int(str(row["requests"])), tuple(from_row(result) for result in rounds))


def from_row(row: dict[str, object]) -> SizeResult:
    """A round read back from results.json."""
    steps = ("hand_query", "dbt_full_to_fact", "reports", "incremental_day")
    measures = {step: _measure(row[step]) for step in steps}
    model = row.get("model_seconds")
    classification = row.get("classification")
    return SizeResult(
        requests=int(str(row["requests"])),
        **measures,
        model_seconds=None if model is None else float(str(model)),
        classification=None if classification is None else _measure(classification),
    )


def _measure(value: object) -> Measure:
    """A Measure read back from its JSON object."""
    if not isinstance(value, dict):
        raise ValueError(f"not a measure: {value!r}")
    return Measure(seconds=float(value["seconds"]), peak_rss_bytes=int(value["peak_rss_bytes"]))


def markdown(sizes: list[SizeRounds], machine: str) -> str:
    """The table: each step's median seconds, each ratio's median (lowest-highest when
    there were rounds that differ), each step's highest peak memory."""
    lines = [
        f"Machine: {machine}",
        "",
        "| requests | rounds | (a) hand query | (b) dbt to fact | (m) classification "
        "| (c) reports | (d) one day | (m)/(a) | fct/(a) | (b)/(a) | (d)/(b) "
        "| peak memory (a / b / m / c / d) |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for size in sizes:
        steps = [
            size.median_step(lambda result: result.hand_query),
            size.median_step(lambda result: result.dbt_full_to_fact),
            size.median_step(lambda result: result.classification),
            size.median_step(lambda result: result.reports),
            size.median_step(lambda result: result.incremental_day),
        ]
        memory = " / ".join(
            "-" if step is None else f"{step.peak_rss_bytes / GIB:.1f}" for step in steps
        )
        times = " | ".join("" if step is None else f"{step.seconds:.1f} s" for step in steps)
        spreads = [(_ratio_spread(size, name), digits) for name, digits in RATIOS]
        cells = " | ".join(
            "" if spread is None else spread.cell(digits) for spread, digits in spreads
        )
        lines.append(
            f"| {size.requests:,} | {len(size.rounds)} | {times} | {cells} | {memory} GiB |"
        )
    return "\n".join(lines) + "\n"


def machine_description() -> str:
    memory = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            memory = int(line.split()[1]) * 1024
    return (
        f"{platform.machine()}, {os.cpu_count()} cores, {memory / GIB:.0f} GiB, "
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}"
    )


def bench_arguments(
    description: str, default_sizes: str, memory_help: str
) -> argparse.ArgumentParser:
    """The options of both benchmarks: --sizes (BENCH_SIZES) and DuckDB's --memory-limit."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--sizes",
        default=os.environ.get("BENCH_SIZES", default_sizes),
        help="comma-separated numbers of requests",
    )
    parser.add_argument(
        "--memory-limit",
        default=os.environ.get("REGISTRY_INSIGHTS_DUCKDB_MEMORY_LIMIT", DEFAULT_MEMORY_LIMIT),
        help=memory_help,
    )
    return parser


def positive_rounds(value: str) -> int:
    """--rounds: a whole number of at least 1."""
    try:
        rounds = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None
    if rounds < 1:
        raise argparse.ArgumentTypeError(f"at least 1 round, not {rounds}")
    return rounds


def saved_rows(saved: Path) -> list[dict[str, object]]:
    """The result rows an earlier run saved (they stay in the table), or none."""
    if not saved.exists():
        return []
    rows: list[dict[str, object]] = json.loads(saved.read_text())["results"]
    return rows


def save_results(saved: Path, table_path: Path, table: str, payload: dict[str, object]) -> None:
    """Write the table (Markdown) and the payload (JSON) after each size, and print the table."""
    table_path.write_text(table)
    saved.write_text(json.dumps(payload, indent=2) + "\n")
    print(table)


def main() -> int:
    parser = bench_arguments(
        __doc__.splitlines()[0], "1000000,10000000,100000000", "DuckDB memory_limit for every step"
    )
    parser.add_argument(
        "--rounds",
        type=positive_rounds,
        default=os.environ.get("BENCH_ROUNDS", "1"),
        help="measure each size this many times: the table gives medians (default 1)",
    )
    parser.add_argument(
        "--hand-query", nargs=3, metavar=("RAW", "NORMALISE_IP_SQL", "DATABASE"),
        help=argparse.SUPPRESS,
    )  # fmt: skip
    parser.add_argument(
        "--classification-model",
        nargs=3,
        metavar=("SQL", "SESSION_SQL", "DATABASE"),
        help=argparse.SUPPRESS,
    )
    arguments = parser.parse_args()
    if arguments.hand_query:
        raw, normalised_client_ip, database = (Path(value) for value in arguments.hand_query)
        run_hand_query(
            raw, normalised_client_ip, database, arguments.memory_limit,
            database.parent / "duckdb_tmp",
        )  # fmt: skip
        return 0
    if arguments.classification_model:
        compiled, session_sql, database = (Path(value) for value in arguments.classification_model)
        run_classification_model(
            compiled, session_sql, database, arguments.memory_limit, database.parent / "duckdb_tmp"
        )
        return 0
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    machine = machine_description()
    saved = BENCH_DIR / "results.json"
    # sizes measured before (by an earlier `make bench`) stay in the table
    results = {size.requests: size for size in map(from_rounds_row, saved_rows(saved))}
    for requests in (int(value) for value in arguments.sizes.split(",")):
        rounds: list[SizeResult] = []
        for number in range(1, arguments.rounds + 1):
            print(f"{requests:,} requests: round {number} of {arguments.rounds}", flush=True)
            rounds.append(bench_size(requests, arguments.memory_limit))
            # saved after each round: a long run cut short keeps the rounds it finished
            results[requests] = SizeRounds(requests, tuple(rounds))
            ordered = [results[key] for key in sorted(results)]
            payload = {
                "machine": machine,
                "memory_limit": arguments.memory_limit,
                "results": [rounds_row(size) for size in ordered],
            }
            save_results(saved, BENCH_DIR / "results.md", markdown(ordered, machine), payload)
    return 0


if __name__ == "__main__":
    sys.exit(main())
