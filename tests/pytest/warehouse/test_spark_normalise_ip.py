"""`normalise_ip` on Spark: the macro's Spark SQL, compiled by dbt for the `spark` target
exactly as staging uses it, run in a local Spark session, equals Python's `ipaddress`
(registry_insights.pseudonyms.ip_text.canonical_ip) on random addresses in every spelling,
as tests/pytest/privacy/test_ip_normalisation.py proves the DuckDB variant.

Needs PySpark and Java (the `spark` extra): skipped without them, unless
REGISTRY_INSIGHTS_REQUIRE_SPARK=1 (`make test`), where that fails. dbt only compiles here
(no cache population, no introspection): it opens no Spark connection of its own."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.ip_texts import CANONICAL_EXAMPLES, ip_texts
from support.spark_session import local_spark_session
from support.warehouse_build import dbt_compiled_code

from registry_insights.pseudonyms.ip_text import canonical_ip

INLINE_SQL = "select ip, {{ normalise_ip('ip') }} as canonical from ips"


class SparkNormaliser:
    """The compiled Spark SQL of normalise_ip over a temporary view `ips(ip string)`."""

    def __init__(self, session: Any, compiled_sql: str) -> None:
        self.session = session
        self.compiled_sql = compiled_sql

    def normalise(self, texts: Sequence[str | None]) -> list[tuple[str | None, str | None]]:
        frame = self.session.createDataFrame([(text,) for text in texts], "ip string")
        frame.createOrReplaceTempView("ips")
        rows = self.session.sql(self.compiled_sql).collect()
        return [(row["ip"], row["canonical"]) for row in rows]

    def normalise_all(self, texts: Sequence[str]) -> list[str | None]:
        canonical = dict(self.normalise(texts))
        return [canonical[text] for text in texts]


@pytest.fixture(scope="module")
def spark_normaliser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SparkNormaliser]:
    work = tmp_path_factory.mktemp("spark_normalise_ip")
    with local_spark_session(work / "spark") as session:
        compiled = dbt_compiled_code(
            work,
            "compile",
            "--target",
            "spark",
            "--no-populate-cache",
            "--no-introspect",
            "--inline",
            INLINE_SQL,
        )
        assert "{{" not in compiled
        # the Spark variant, not another engine's: Spark's higher-order functions
        assert "transform(" in compiled and "list_transform" not in compiled
        yield SparkNormaliser(session, compiled)


# Each example is one Spark query (about 0.3 s, mostly fixed cost): fewer examples than
# the DuckDB test's, with more texts each.
@settings(max_examples=50)
@given(texts=st.lists(ip_texts(), min_size=1, max_size=100))
def test_spark_normalise_ip_equals_python_ipaddress(
    spark_normaliser: SparkNormaliser, texts: list[str]
) -> None:
    assert spark_normaliser.normalise_all(texts) == [canonical_ip(text) for text in texts]


def test_spark_normalise_ip_examples(spark_normaliser: SparkNormaliser) -> None:
    texts = [text for text, _ in CANONICAL_EXAMPLES]
    expected = [canonical for _, canonical in CANONICAL_EXAMPLES]
    assert [canonical_ip(text) for text in texts] == expected
    assert spark_normaliser.normalise_all(texts) == expected


def test_spark_normalise_ip_keeps_null(spark_normaliser: SparkNormaliser) -> None:
    assert spark_normaliser.normalise([None]) == [(None, None)]
