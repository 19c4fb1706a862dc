#!/usr/bin/env python3
"""Benchmark the full build on Spark beside DuckDB, on the same data (`make bench-spark`).

For each size (requests; `BENCH_SIZES`, default 1M) it takes the data of `make bench`
(build/bench/data/<size>/raw, generated here the same way when missing) and builds its
first 90 days twice, with the steps (b) and (c) of scripts/bench_warehouse.py:

  b. `dbt run` of everything up to the fact table (a full build);
  c. `dbt run` of every mart on top of it, with the models only the marts need (the
     security and extension intermediates, which bench_warehouse.py's (c) leaves out);

once on DuckDB and once on Spark (the profile's `spark` target: dbt-spark's session
method, a local PySpark inside the dbt process, `local[2]`, docs/spark.md). Each step's
wall time and peak memory (resident set of the process tree, the JVM included, sampled as
bench_warehouse.py does) are measured. Spark has no file ledger and reads every raw file
of the folder, so both engines read a folder holding the 90 days only (hard links to the
generated files). Then every mart of the two builds is compared row for row
(registry_insights.spark_marts, as tests/pytest/warehouse/test_spark_matches_duckdb.py).

Writes build/bench/spark-results.json and build/bench/spark-results.md; exits 1 when a
mart differs.

    .venv/bin/python -m scripts.bench_spark --sizes 1000000
"""

from __future__ import annotations

import datetime
import os
import shutil
import subprocess
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

from registry_insights.spark_marts import MartComparison, compare_marts
from scripts.bench_warehouse import (
    BENCH_DIR,
    FULL_CHAIN,
    GIB,
    HISTORY_DAYS,
    PROJECT_DIR,
    REFERENCE_TABLES,
    START,
    Measure,
    bench_arguments,
    machine_description,
    measured,
    save_results,
    saved_rows,
)

SPARK_BENCH_DIR = BENCH_DIR / "spark"
# (c): every mart on top of (b), with the models that only marts need (the security and
# extension intermediates): `@` adds the parents of the reports that (b) does not build.
# (b) and (c) together run every model of the project but three quarantine views.
EVERY_MART = "@int_pull_actions_enriched"
# The benchmark's own pseudonym secret: both engines must key the pseudonyms alike.
SECRET_FILE = BENCH_DIR / "secret" / "pseudonym-secret"
REQUESTS_TABLE = "raw_registry_requests"


@dataclass(frozen=True)
class EngineResult:
    """Steps (b) and (c) on one engine."""

    full_to_fact: Measure
    reports: Measure
    # the machine's load average over the last 5 minutes, when the step (c) ended: the
    # machine may be shared
    load_average: float | None = None

    @property
    def seconds(self) -> float:
        return self.full_to_fact.seconds + self.reports.seconds


@dataclass(frozen=True)
class SizeResult:
    requests: int
    duckdb: EngineResult
    spark: EngineResult
    marts: int
    marts_equal: int
    differences: list[str]

    @property
    def spark_over_duckdb(self) -> float:
        return self.spark.seconds / self.duckdb.seconds


def raw_data(rows: int) -> Path:
    """The raw folder of `make bench` for this size, generated as it does when missing."""
    raw = BENCH_DIR / "data" / f"{rows}" / "raw"
    if not (raw / REQUESTS_TABLE).exists():
        subprocess.run(
            [str(Path(sys.executable).parent / "registry-insights"), "generate", "--rows",
             str(rows), "--start-date", START.isoformat(), "--days", str(HISTORY_DAYS + 1),
             "--seed", "5", "--out", str(raw), "--no-progress"],
            cwd=PROJECT_DIR, check=True,
        )  # fmt: skip
    return raw


def history_folder(raw: Path, folder: Path) -> Path:
    """A raw folder of hard links: the request files of the first HISTORY_DAYS days (what
    `make bench`'s step (b) takes in) and every file of the other raw tables."""
    last = (START + datetime.timedelta(days=HISTORY_DAYS - 1)).isoformat()
    for path in sorted(raw.rglob("*.parquet")):
        relative = path.relative_to(raw)
        table, partition = relative.parts[0], relative.parts[1]
        if table == REQUESTS_TABLE and partition.removeprefix("date=") > last:
            continue
        target = folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        os.link(path, target)
    return folder


def dbt_paths(folder: Path) -> dict[str, str]:
    """dbt's own files in the engine's folder: other dbt runs may share the project."""
    return {"DBT_TARGET_PATH": str(folder / "target"), "DBT_LOG_PATH": str(folder / "logs")}


def build(env: dict[str, str], wrapper: list[str]) -> EngineResult:
    """Seeds and reference tables (not timed), then the timed steps (b) and (c)."""
    dbt = [*wrapper, str(Path(sys.executable).parent / "dbt"), "--quiet"]
    subprocess.run([*dbt, "seed"], cwd=PROJECT_DIR, env=env, check=True)
    subprocess.run(
        [*dbt, "run", "--select", REFERENCE_TABLES], cwd=PROJECT_DIR, env=env, check=True
    )
    full = measured([*dbt, "run", "--select", FULL_CHAIN, "--exclude", REFERENCE_TABLES], env)
    reports = measured([*dbt, "run", "--select", EVERY_MART, "--exclude", FULL_CHAIN], env)
    return EngineResult(full, reports, round(os.getloadavg()[1], 1))


def bench_size(rows: int, memory_limit: str) -> tuple[SizeResult, list[MartComparison]]:
    work = SPARK_BENCH_DIR / f"{rows}"
    shutil.rmtree(work, ignore_errors=True)
    raw = history_folder(raw_data(rows), work / "raw")
    day = START + datetime.timedelta(days=HISTORY_DAYS - 1)
    env = dict(os.environ)
    env.update(
        {
            "DBT_PROFILES_DIR": str(PROJECT_DIR),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            "REGISTRY_INSIGHTS_RAW_PATH": str(raw),
            "REGISTRY_INSIGHTS_REFERENCE_PATH": str(PROJECT_DIR / "data" / "reference"),
            "REGISTRY_INSIGHTS_SECRET_FILE": str(SECRET_FILE),
            # as bench_warehouse.py's steps (b) and (c)
            "REGISTRY_INSIGHTS_PROCESS_DATE": day.isoformat(),
            "REGISTRY_INSIGHTS_REPORT_AS_OF_DATE": day.isoformat(),
        }
    )
    env.pop("REGISTRY_INSIGHTS_TARGET", None)
    duck_dir = work / "duckdb"
    duck_env = {
        **env,
        "REGISTRY_INSIGHTS_DUCKDB_PATH": str(duck_dir / "warehouse.duckdb"),
        "REGISTRY_INSIGHTS_DUCKDB_MEMORY_LIMIT": memory_limit,
        "REGISTRY_INSIGHTS_DUCKDB_TEMP_DIR": str(duck_dir / "duckdb_tmp"),
        **dbt_paths(duck_dir),
    }
    duckdb_result = build(duck_env, [])
    spark_dir = work / "spark"
    spark_env = {
        **env,
        # the Makefile's SPARK_ENV
        "REGISTRY_INSIGHTS_TARGET": "spark",
        "SPARK_LOCAL_IP": "127.0.0.1",
        "REGISTRY_INSIGHTS_SPARK_DIR": str(spark_dir),
        **dbt_paths(spark_dir),
    }
    # dbt on Spark gets the HMAC pads of the secret from this wrapper (docs/privacy.md);
    # it replaces itself with dbt, so the measured process tree is dbt's and the JVM's.
    wrapper = [sys.executable, "-m", "registry_insights.pseudonyms", "exec", "--"]
    spark_result = build(spark_env, wrapper)
    comparisons = compare_marts(duck_dir / "warehouse.duckdb", spark_dir / "warehouse")
    result = SizeResult(
        requests=rows,
        duckdb=duckdb_result,
        spark=spark_result,
        marts=len(comparisons),
        marts_equal=sum(comparison.equal for comparison in comparisons),
        differences=[comparison.describe() for comparison in comparisons if not comparison.equal],
    )
    return result, comparisons


def result_row(result: SizeResult) -> dict[str, object]:
    return {**asdict(result), "spark_over_duckdb": round(result.spark_over_duckdb, 3)}


def from_row(row: dict[str, object]) -> SizeResult:
    """A result read back from spark-results.json."""

    def measure(value: object) -> Measure:
        if not isinstance(value, dict):
            raise ValueError(f"not a measure: {value!r}")
        return Measure(float(value["seconds"]), int(value["peak_rss_bytes"]))

    def engine(value: object) -> EngineResult:
        if not isinstance(value, dict):
            raise ValueError(f"not an engine result: {value!r}")
        load = value.get("load_average")
        return EngineResult(
            measure(value["full_to_fact"]),
            measure(value["reports"]),
            None if load is None else float(load),
        )

    differences = row["differences"]
    return SizeResult(
        requests=int(str(row["requests"])),
        duckdb=engine(row["duckdb"]),
        spark=engine(row["spark"]),
        marts=int(str(row["marts"])),
        marts_equal=int(str(row["marts_equal"])),
        differences=[str(item) for item in differences] if isinstance(differences, list) else [],
    )


def markdown(results: list[SizeResult], machine: str) -> str:
    lines = [
        f"Machine: {machine}",
        "",
        "| requests | DuckDB (b) to fact | DuckDB (c) reports | Spark (b) to fact "
        "| Spark (c) reports | Spark / DuckDB (b + c) | peak memory DuckDB (b / c) "
        "| peak memory Spark (b / c) | marts equal | load average (DuckDB / Spark) |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | --- | --- | --- | --- |",
    ]
    for result in results:
        cells = [f"{result.requests:,}"]
        for engine in (result.duckdb, result.spark):
            cells += [f"{engine.full_to_fact.seconds:.1f} s", f"{engine.reports.seconds:.1f} s"]
        cells.append(f"{result.spark_over_duckdb:.2f}")
        for engine in (result.duckdb, result.spark):
            steps = (engine.full_to_fact, engine.reports)
            cells.append(" / ".join(f"{step.peak_rss_bytes / GIB:.1f}" for step in steps) + " GiB")
        cells.append(f"{result.marts_equal} of {result.marts}")
        loads = (result.duckdb.load_average, result.spark.load_average)
        cells.append(" / ".join("?" if load is None else f"{load:.1f}" for load in loads))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = bench_arguments(
        __doc__.splitlines()[0], "1000000", "DuckDB memory_limit of the DuckDB build"
    )
    arguments = parser.parse_args()
    SPARK_BENCH_DIR.mkdir(parents=True, exist_ok=True)
    machine = machine_description()
    saved = BENCH_DIR / "spark-results.json"
    # sizes measured before (by an earlier `make bench-spark`) stay in the table
    results = {int(str(row["requests"])): from_row(row) for row in saved_rows(saved)}
    failed = False
    for size in (int(value) for value in arguments.sizes.split(",")):
        result, comparisons = bench_size(size, arguments.memory_limit)
        for comparison in comparisons:
            print(comparison.describe())
        failed = failed or result.marts_equal != result.marts
        results[size] = result
        ordered = [results[key] for key in sorted(results)]
        table = markdown(ordered, machine)
        payload = {
            "machine": machine,
            "memory_limit": arguments.memory_limit,
            "spark_driver_memory": os.environ.get("REGISTRY_INSIGHTS_SPARK_DRIVER_MEMORY", "3g"),
            "results": [result_row(result) for result in ordered],
        }
        save_results(saved, BENCH_DIR / "spark-results.md", table, payload)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
