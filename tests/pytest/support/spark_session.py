"""A local Spark session for tests that run the project's Spark SQL, and the rule for
when Spark is missing: skip, unless REGISTRY_INSIGHTS_REQUIRE_SPARK=1 (`make test`),
where a missing Spark fails."""

from __future__ import annotations

import importlib.util
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

REQUIRE_SPARK_ENV = "REGISTRY_INSIGHTS_REQUIRE_SPARK"


def skip_or_fail(problem: str) -> None:
    """Skip the test for `problem`, or fail it where Spark is required."""
    if os.environ.get(REQUIRE_SPARK_ENV) == "1":
        pytest.fail(f"Spark is required ({REQUIRE_SPARK_ENV}=1) but {problem}")
    pytest.skip(f"Spark: {problem}")


def missing_spark() -> str | None:
    """Why no local Spark session can start here, or None."""
    if importlib.util.find_spec("pyspark") is None:
        return "pyspark is not installed (the `spark` extra)"
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        return "no Java (PySpark needs Java 17)"
    return None


@contextmanager
def local_spark_session(work_dir: Path) -> Iterator[Any]:
    """A one-core local SparkSession configured as dbt-spark's session target runs SQL
    (profiles.yml): ANSI mode off (dbt-spark forces it), session time zone UTC. Its
    catalog is in memory and its files stay in work_dir."""
    problem = missing_spark()
    if problem is not None:
        skip_or_fail(problem)
    from pyspark.sql import SparkSession

    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    session = (
        SparkSession.builder.master("local[1]")
        .appName("registry-insights-tests")
        .config("spark.driver.memory", "1g")
        .config("spark.sql.ansi.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", "1")
        .config("spark.sql.catalogImplementation", "in-memory")
        .config("spark.sql.warehouse.dir", str(work_dir / "warehouse"))
        .config("spark.local.dir", str(work_dir / "tmp"))
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    try:
        yield session
    finally:
        session.stop()
