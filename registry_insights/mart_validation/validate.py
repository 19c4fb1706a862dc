"""Check the built marts with Great Expectations, after `dbt build`.

Each mart's checked columns (some derived in DuckDB, see
:mod:`registry_insights.mart_validation.checks`) are read from the warehouse, opened
read-only (:func:`registry_insights.warehouse.open_read_only`), into a pandas dataframe
and validated with built-in expectations; Great Expectations' SQL datasource does not
work with DuckDB. The volume bounds compare the
fact table with the successful manifest requests of ``staging.stg_registry__requests``.

Great Expectations runs with the ephemeral, in-memory context of
:mod:`registry_insights.gx_context`, as raw validation does: nothing written to disk, no
analytics, no progress bars.
"""

from __future__ import annotations

import math
import numbers
import sys
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import pandas as pd

from registry_insights.gx_context import (
    CHECK_KEY,
    ephemeral_context,
    exception_message,
    run_expectations,
)
from registry_insights.mart_validation.checks import (
    MARTS,
    SCHEMA,
    VOLUME_SQL,
    Check,
    MartFrame,
    Volume,
    mart_frames,
)
from registry_insights.raw_validation.limits import MAX_EXAMPLE_CHARS, MAX_EXAMPLES
from registry_insights.warehouse import WarehouseUnavailable, open_read_only

if TYPE_CHECKING:
    from great_expectations.data_context.data_context.ephemeral_data_context import (
        EphemeralDataContext,
    )


class MartInputError(Exception):
    """The warehouse cannot be validated: missing or unreadable file, missing mart/column."""


@dataclass(frozen=True)
class MartExpectationResult:
    """The outcome of one expectation on one mart. ``observed`` is the value an aggregate
    expectation (row count, column sum) saw; ``examples`` a few failing values."""

    table: str
    check: str
    expectation: str
    column: str | None
    rule: str
    success: bool
    unexpected_count: int = 0
    observed: str | None = None
    examples: tuple[str, ...] = ()
    error: str | None = None


@dataclass(frozen=True)
class MartValidationReport:
    database: Path
    volume: Volume
    rows: Mapping[str, int]
    results: tuple[MartExpectationResult, ...]

    @property
    def ok(self) -> bool:
        return all(result.success for result in self.results)

    @property
    def failed(self) -> list[MartExpectationResult]:
        return [result for result in self.results if not result.success]

    def result(self, table: str, check: str) -> MartExpectationResult:
        for result in self.results:
            if result.table == table and result.check == check:
                return result
        raise KeyError(f"no check {check} on {table}")

    def to_text(self) -> str:
        requests = self.volume.successful_manifest_requests
        lines = [f"Mart validation of {self.database} ({requests:,} successful manifest requests)"]
        rows = [_row(result) for result in self.results]
        widths = [max(len(row[index]) for row in rows) for index in range(len(rows[0]) - 1)]
        for table, count in self.rows.items():
            lines += ["", f"{SCHEMA}.{table}: {count:,} row(s)"]
            for result, row in zip(self.results, rows, strict=True):
                if result.table == table:
                    cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
                    lines.append(("  " + "  ".join(cells) + "  " + row[-1]).rstrip())
        total = len(self.results)
        if self.ok:
            lines += ["", f"RESULT: OK, all {total} expectations met"]
        else:
            lines += ["", f"RESULT: FAILED, {len(self.failed)} of {total} expectations not met"]
        return "\n".join(lines)


def _row(result: MartExpectationResult) -> tuple[str, ...]:
    details = [f"observed {result.observed}"] if result.observed is not None else []
    if result.unexpected_count:
        details.append(f"{result.unexpected_count:,} failing: {', '.join(result.examples)}")
    if result.error:
        details.append(f"error: {result.error}")
    status = "ok" if result.success else "FAIL"
    columns = (result.check, result.expectation, result.column or "", result.rule)
    return (status, *columns, "; ".join(details))


def validate_marts(database: Path) -> MartValidationReport:
    """Validate the marts of the DuckDB file ``database`` (opened read-only, never changed).
    Raises :class:`MartInputError` when it cannot be read or lacks a mart or column."""
    database = Path(database)
    try:
        con = open_read_only(database)
    except WarehouseUnavailable as error:
        raise MartInputError(str(error)) from error
    try:
        present = {
            str(name)
            for (name,) in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = $1",
                [SCHEMA],
            ).fetchall()
        }
        missing = [name for name in MARTS if name not in present]
        if missing:
            raise MartInputError(
                f"{database} lacks mart(s) {', '.join(missing)}: run `dbt build` first"
            )
        volume = Volume(*(int(value) for value in _read(con, VOLUME_SQL, "the volumes").iloc[0]))
        frames = [(frame, _read(con, frame.query, frame.table)) for frame in mart_frames(volume)]
    finally:
        con.close()
    results: list[MartExpectationResult] = []
    context = ephemeral_context()
    for frame, data in frames:
        results.extend(_validate_frame(context, frame, data))
    rows = {frame.table: len(data) for frame, data in frames}
    return MartValidationReport(database, volume, rows, tuple(results))


def _read(con: duckdb.DuckDBPyConnection, query: str, what: str) -> pd.DataFrame:
    try:
        frame = con.execute(query).df()
    except duckdb.Error as error:
        raise MartInputError(f"cannot read {what}: {error}") from error
    # Nullable integers (DuckDB's choice when a column has nulls) as floats with NaN: pd.NA
    # breaks Great Expectations' pandas comparisons ("boolean value of NA is ambiguous").
    for name, dtype in frame.dtypes.items():
        if isinstance(dtype, pd.api.extensions.ExtensionDtype) and dtype.kind in "iuf":
            frame[name] = frame[name].to_numpy(dtype="float64", na_value=math.nan)
    return frame


def _validate_frame(
    context: EphemeralDataContext, frame: MartFrame, data: pd.DataFrame
) -> list[MartExpectationResult]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import great_expectations as gx

        source = context.data_sources.add_pandas(name=f"mart_{frame.table}")
        unmeetable = {index: _empty_bounds(check) for index, check in enumerate(frame.checks)}
        expectations = [
            _expectation(gx, check, index)
            for index, check in enumerate(frame.checks)
            if unmeetable[index] is None
        ]
    outcomes = run_expectations(
        context,
        source,
        frame.table,
        f"marts_{frame.table}",
        data,
        expectations,
        partial_unexpected_count=20,
    )
    missing = "Great Expectations returned no result for this check"
    return [
        _result(frame.table, check, outcomes[index])
        if index in outcomes
        else MartExpectationResult(
            frame.table,
            check.name,
            "(no result)",
            check.column,
            check.description,
            False,
            error=unmeetable[index] or missing,
        )
        for index, check in enumerate(frame.checks)
    ]


def _empty_bounds(check: Check) -> str | None:
    """Why no value can meet the check's bounds (its minimum above its maximum, as when
    staging holds no successful manifest request), or None. Such a check fails with this
    message: Great Expectations refuses to build it."""
    low = check.arguments.get("min_value")
    high = check.arguments.get("max_value")
    if low is not None and high is not None and low > high:
        return f"no value can pass: the minimum {low:,} is above the maximum {high:,}"
    return None


def _expectation(gx: Any, check: Check, index: int) -> Any:
    arguments: dict[str, Any] = {**check.arguments, "meta": {CHECK_KEY: index}}
    if check.where:
        from great_expectations.expectations.row_conditions import Column as Where

        condition: Any = None
        for column, value in check.where:
            term = Where(column) == value
            condition = term if condition is None else condition & term
        arguments["row_condition"] = condition
    return getattr(gx.expectations, check.expectation)(**arguments)


def _result(table: str, check: Check, outcome: Any) -> MartExpectationResult:
    details: Mapping[str, Any] = outcome.result or {}
    error = exception_message(outcome.exception_info)
    observed = details.get("observed_value")
    return MartExpectationResult(
        table=table,
        check=check.name,
        expectation=str(outcome.expectation_config.type),
        column=check.column,
        rule=check.description,
        success=bool(outcome.success) and error is None,
        unexpected_count=int(details.get("unexpected_count") or 0),
        observed=None if observed is None else _text(observed),
        examples=_examples(details.get("partial_unexpected_list") or ()),
        error=error,
    )


def _examples(values: Iterable[object]) -> tuple[str, ...]:
    shown: list[str] = []
    for value in values:
        text = _text(value)
        if text not in shown:
            shown.append(text)
        if len(shown) == MAX_EXAMPLES:
            break
    return tuple(shown)


def _text(value: object) -> str:
    if isinstance(value, float) and (value.is_integer() or math.isnan(value)):
        text = "null" if math.isnan(value) else f"{int(value):,}"
    elif isinstance(value, numbers.Integral) and not isinstance(value, bool):
        text = f"{int(value):,}"
    elif isinstance(value, list | tuple):
        text = "(" + ", ".join(_text(item) for item in value) + ")"
    else:
        text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= MAX_EXAMPLE_CHARS else text[: MAX_EXAMPLE_CHARS - 1] + "…"


def main(database: Path) -> int:
    """Print the report; exit code 0 when every expectation is met, 1 when some fail,
    2 when the input is unusable (missing or unreadable database, missing mart)."""
    try:
        report = validate_marts(Path(database))
    except MartInputError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(report.to_text())
    return 0 if report.ok else 1
