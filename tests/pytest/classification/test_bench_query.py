"""The benchmark's hand-written lower bound (scripts/bench/classify_raw.sql) classifies
the raw files exactly as the warehouse does, so comparing their speed is fair."""

from __future__ import annotations

from pathlib import Path

import duckdb
from support.warehouse_build import PROJECT_DIR, BuiltWarehouse

COLUMNS = "action_id, action, action_at, repository, tag, digest, platform_digest, request_count"


def test_hand_written_query_equals_the_model(
    built_warehouse: BuiltWarehouse, tmp_path: Path
) -> None:
    files = sorted(
        str(path)
        for path in (built_warehouse.raw_path / "raw_registry_requests").glob("*/*.parquet")
    )
    sql = (PROJECT_DIR / "scripts" / "bench" / "classify_raw.sql").read_text()
    connection = duckdb.connect(str(tmp_path / "hand.duckdb"))
    try:
        connection.execute("set TimeZone = 'UTC'")
        connection.execute(
            sql.format(files=repr(files), window_us=60_000_000, table="hand_actions")
        )
        connection.execute(f"attach '{built_warehouse.database}' as warehouse (read_only)")
        model = "warehouse.marts.fct_pull_actions"
        differences = [
            connection.execute(
                f"select count(*) from (select {COLUMNS} from {left} "
                f"except all select {COLUMNS} from {right})"
            ).fetchone()
            for left, right in [("hand_actions", model), (model, "hand_actions")]
        ]
        count = connection.execute("select count(*) from hand_actions").fetchone()
    finally:
        connection.close()
    assert count is not None and count[0] > 10_000
    assert differences == [(0,), (0,)]
