"""The warehouse file is created in DuckDB 1.3's storage format (the profile's
`storage_compatibility_version`): strings in DICT_FSST, and the fact table written about
8 % faster than in the 1.0 format DuckDB otherwise creates files in (docs/benchmark.md).
The format is fixed when the file is created, so the test reads it from the test
warehouse `make build-test` creates."""

from __future__ import annotations

import duckdb
from support.warehouse_build import BuiltWarehouse


def test_the_warehouse_file_is_in_the_1_3_storage_format(
    built_warehouse: BuiltWarehouse,
) -> None:
    with duckdb.connect(str(built_warehouse.database), read_only=True) as connection:
        tags = connection.execute(
            "select tags from duckdb_databases() where database_name = ?",
            [built_warehouse.database.stem],
        ).fetchone()
        compressions = {
            row[0]
            for row in connection.execute(
                "select distinct compression from pragma_storage_info('marts.fct_pull_actions')"
            ).fetchall()
        }
    assert tags is not None and tags[0] == {"storage_version": "v1.3.0+"}
    # the 1.0 format compresses strings as Dictionary or FSST, the 1.3 one as DICT_FSST
    assert "DICT_FSST" in compressions
    assert not compressions & {"Dictionary", "FSST"}
