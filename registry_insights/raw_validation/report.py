"""The raw-data validation report: findings, expectation results, and its text rendering."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from registry_insights.raw_validation.limits import SAMPLE_SEED

_PERSONAL = "(personal data: counts only)"

Severity = Literal["error", "note"]
Scope = Literal["sample", "all rows"]


@dataclass(frozen=True)
class Finding:
    """A layout or schema finding: an ``error`` fails validation, a ``note`` does not."""

    kind: Literal["layout", "schema", "data"]
    severity: Severity
    message: str


@dataclass(frozen=True)
class ExpectationResult:
    """The outcome of one expectation on one table.

    ``unexpected_percent`` is relative to the non-null values checked (for
    ``expect_column_values_to_not_be_null``, to all rows checked). ``scope`` says whether
    it ran on the (possibly sampled) rows loaded for Great Expectations or, in DuckDB,
    on all rows. ``examples`` is always empty for personal columns.
    """

    expectation: str
    column: str | None
    rule: str
    success: bool
    unexpected_count: int
    unexpected_percent: float
    examples: tuple[str, ...] = ()
    personal: bool = False
    scope: Scope = "sample"
    error: str | None = None


@dataclass
class TableReport:
    """What was found for one contract table."""

    table: str
    files: int = 0
    rows: int = 0
    rows_validated: int = 0
    findings: list[Finding] = field(default_factory=list)
    results: list[ExpectationResult] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """Absent, or without a single row: the warehouse builds it as an empty table."""
        return self.rows == 0

    @property
    def sampled(self) -> bool:
        return self.rows_validated < self.rows

    @property
    def errors(self) -> list[Finding]:
        return [finding for finding in self.findings if finding.severity == "error"]

    @property
    def notes(self) -> list[Finding]:
        return [finding for finding in self.findings if finding.severity == "note"]

    @property
    def failed(self) -> list[ExpectationResult]:
        return [result for result in self.results if not result.success]

    @property
    def ok(self) -> bool:
        return not self.errors and not self.failed

    def result(self, expectation: str, column: str | None = None) -> ExpectationResult:
        """The single result of ``expectation`` (on ``column``); KeyError if none or many."""
        found = [
            result
            for result in self.results
            if result.expectation == expectation and (column is None or result.column == column)
        ]
        if len(found) != 1:
            raise KeyError(f"{len(found)} results of {expectation} on {column} in {self.table}")
        return found[0]


@dataclass
class RawValidationReport:
    """The validation of a whole ``raw_path``: one :class:`TableReport` per contract table."""

    raw_path: Path
    sample_rows: int | None
    tables: list[TableReport]
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """False if any layout/schema error or any failed expectation."""
        return all(table.ok for table in self.tables)

    def table(self, name: str) -> TableReport:
        for table in self.tables:
            if table.table == name:
                return table
        raise KeyError(name)

    def to_text(self) -> str:
        return _render(self)


# --- text rendering -------------------------------------------------------------------


def _render(report: RawValidationReport) -> str:
    lines = [f"Raw-data validation of {report.raw_path}"]
    for table in report.tables:
        if table.empty and table.ok:
            state = "absent/empty: builds as empty"
        elif table.ok:
            state = "ok"
        else:
            state = (
                f"FAILED ({len(table.errors)} layout/schema error(s), "
                f"{len(table.failed)} failed expectation(s))"
            )
        lines.append(f"  {table.table:<24} {state}")
    for note in report.notes:
        lines.append(f"  note: {note}")
    for table in report.tables:
        lines.append("")
        lines.extend(_render_table(table))
    lines.append("")
    if report.ok:
        lines.append("RESULT: OK, the raw data meets the contract")
    else:
        lines.append(
            "RESULT: VIOLATIONS FOUND (the warehouse quarantines rows that break the rules; "
            "layout and schema errors can hide data from it)"
        )
    return "\n".join(lines)


def _percent_text(percent: float) -> str:
    if percent == 0:
        return "0"
    if percent < 0.01:
        return "<0.01"
    return f"{percent:.2f}"


def _render_table(table: TableReport) -> list[str]:
    if table.empty:
        lines = [f"{table.table}: absent/empty: builds as empty ({table.files} parquet file(s))"]
    else:
        lines = [f"{table.table}: {table.files} parquet file(s), {table.rows:,} row(s)"]
        if table.sampled:
            lines.append(
                f"  expectations marked 'sample' ran on a reservoir sample of "
                f"{table.rows_validated:,} rows (seed {SAMPLE_SEED}): their counts are of the "
                "sample;\n  those marked 'all' ran on all rows"
            )
    for finding in table.findings:
        label = "ERROR" if finding.severity == "error" else "note"
        lines.append(f"  {label} ({finding.kind}): {finding.message}")
    if not table.results:
        return lines
    header = ("", "column", "expectation", "rule", "failing", "% fail", "rows", "examples")
    rows = [header]
    for result in table.results:
        if result.error is not None:
            examples = f"error: {result.error}"
        elif result.personal:
            shows_values = result.expectation != "expect_column_values_to_not_be_null"
            examples = _PERSONAL if result.unexpected_count and shows_values else ""
        else:
            examples = ", ".join(result.examples)
        rows.append(
            (
                "ok" if result.success else "FAIL",
                result.column or "",
                result.expectation,
                result.rule,
                f"{result.unexpected_count:,}",
                _percent_text(result.unexpected_percent),
                "sample" if result.scope == "sample" and table.sampled else "all",
                examples,
            )
        )
    widths = [max(len(row[index]) for row in rows) for index in range(len(header) - 1)]
    right = {4, 5}
    for row in rows:
        cells = [
            cell.rjust(width) if index in right else cell.ljust(width)
            for index, (cell, width) in enumerate(zip(row, widths, strict=False))
        ]
        lines.append(("  " + "  ".join(cells) + "  " + row[-1]).rstrip())
    return lines
