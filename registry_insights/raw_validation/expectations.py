"""Great Expectations: the checks planned from the contract's rules, the expectations that
run them in an ephemeral in-memory context (`registry_insights.gx_context`), and their
outcomes as expectation results."""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from registry_insights.gx_context import (
    CHECK_KEY,
    ephemeral_context,
    exception_message,
    run_expectations,
)
from registry_insights.raw_validation.contract import (
    Between,
    Column,
    DoesNotMatch,
    InSet,
    Matches,
    Rule,
    Table,
    Unique,
    anchored,
)
from registry_insights.raw_validation.limits import MAX_EXAMPLE_CHARS, MAX_EXAMPLES
from registry_insights.raw_validation.report import ExpectationResult

if TYPE_CHECKING:
    from great_expectations.data_context.data_context.ephemeral_data_context import (
        EphemeralDataContext,
    )
    from great_expectations.datasource.fluent.pandas_datasource import PandasDatasource


@dataclass(frozen=True)
class NotNullRule:
    """The rule of a required column (not part of the contract's rule list)."""

    def describe(self) -> str:
        return "not null"


@dataclass(frozen=True)
class Check:
    """One rule to check on one contract column."""

    column: Column
    rule: Rule | NotNullRule

    @property
    def condition_column(self) -> str | None:
        """The column a conditional rule looks at to select its rows."""
        if isinstance(self.rule, Matches) and self.rule.when is not None:
            return self.rule.when[0]
        return None


def planned_checks(table: Table) -> list[Check]:
    checks: list[Check] = []
    for column in table.columns:
        if column.required:
            checks.append(Check(column, NotNullRule()))
        checks.extend(Check(column, rule) for rule in column.rules)
    return checks


class GreatExpectationsRunner:
    """An ephemeral Great Expectations context (`registry_insights.gx_context`), created
    on first use, with one pandas data source for the raw tables."""

    def __init__(self) -> None:
        self._context: EphemeralDataContext | None = None
        self._source: PandasDatasource | None = None

    def __enter__(self) -> GreatExpectationsRunner:
        return self

    def __exit__(self, *_: object) -> None:
        self._context = None
        self._source = None

    def _start(self) -> tuple[EphemeralDataContext, PandasDatasource]:
        if self._context is None or self._source is None:
            self._context = ephemeral_context()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                self._source = self._context.data_sources.add_pandas(name="raw_parquet")
        return self._context, self._source

    def validate(
        self, table_name: str, frame: pd.DataFrame, checks: Sequence[Check]
    ) -> list[ExpectationResult]:
        context, source = self._start()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import great_expectations as gx

            expectations = [_expectation(gx, check, index) for index, check in enumerate(checks)]
        outcomes = run_expectations(
            context,
            source,
            table_name,
            f"raw_contract_{table_name}",
            frame,
            expectations,
            partial_unexpected_count=4 * MAX_EXAMPLES,
        )
        return [
            _expectation_result(check, outcomes[index])
            if index in outcomes
            else ExpectationResult(
                expectation="(no result)",
                column=check.column.name,
                rule=check.rule.describe(),
                success=False,
                unexpected_count=0,
                unexpected_percent=0.0,
                personal=check.column.personal,
                error="Great Expectations returned no result for this check",
            )
            for index, check in enumerate(checks)
        ]


def _expectation(gx: Any, check: Check, index: int) -> Any:
    expectations = gx.expectations
    column = check.column.name
    meta = {CHECK_KEY: index}
    rule = check.rule
    if isinstance(rule, NotNullRule):
        return expectations.ExpectColumnValuesToNotBeNull(column=column, meta=meta)
    if isinstance(rule, InSet):
        return expectations.ExpectColumnValuesToBeInSet(
            column=column, value_set=list(rule.values), meta=meta
        )
    if isinstance(rule, Matches):
        if rule.when is None:
            return expectations.ExpectColumnValuesToMatchRegex(
                column=column, regex=anchored(rule.pattern), meta=meta
            )
        from great_expectations.expectations.row_conditions import Column as Where

        when_column, when_value = rule.when
        return expectations.ExpectColumnValuesToMatchRegex(
            column=column,
            regex=anchored(rule.pattern),
            row_condition=Where(when_column) == when_value,
            meta=meta,
        )
    if isinstance(rule, DoesNotMatch):
        return expectations.ExpectColumnValuesToNotMatchRegex(
            column=column, regex=rule.pattern, meta=meta
        )
    if isinstance(rule, Between):
        return expectations.ExpectColumnValuesToBeBetween(
            column=column, min_value=rule.min_value, max_value=rule.max_value, meta=meta
        )
    if isinstance(rule, Unique):
        return expectations.ExpectColumnValuesToBeUnique(column=column, meta=meta)
    raise TypeError(f"no expectation for {rule!r}")


def _expectation_result(check: Check, outcome: Any) -> ExpectationResult:
    details: Mapping[str, Any] = outcome.result or {}
    error = exception_message(outcome.exception_info)
    examples: tuple[str, ...] = ()
    if not check.column.personal:
        examples = _examples(details.get("partial_unexpected_list") or (), check.column)
    return ExpectationResult(
        expectation=str(outcome.expectation_config.type),
        column=check.column.name,
        rule=check.rule.describe(),
        success=bool(outcome.success) and error is None,
        unexpected_count=int(details.get("unexpected_count") or 0),
        unexpected_percent=float(details.get("unexpected_percent") or 0.0),
        examples=examples,
        personal=check.column.personal,
        error=error,
    )


def _examples(values: Iterable[object], column: Column) -> tuple[str, ...]:
    shown: list[str] = []
    for value in values:
        if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
            continue
        text = _example_text(value, column)
        if text not in shown:
            shown.append(text)
        if len(shown) == MAX_EXAMPLES:
            break
    return tuple(shown)


def _example_text(value: object, column: Column) -> str:
    if isinstance(value, str):
        if column.masked_examples and "@" in value:
            value = "…@" + value.rsplit("@", 1)[1]
        text = repr(value)
    elif isinstance(value, float) and value.is_integer():
        text = str(int(value))
    else:
        text = str(value)
    if len(text) > MAX_EXAMPLE_CHARS:
        text = text[: MAX_EXAMPLE_CHARS - 1] + "…"
    return text
