"""`registry-insights generate`'s dates: --end-date (default yesterday, UTC) and --months
(default 13), or --start-date / --days; conflicting options are an error; the same seed
and the same dates give the same data whatever day it runs."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from registry_insights.cli import app
from registry_insights.generator import dataset as dataset_module
from registry_insights.generator.config import GeneratorConfig
from registry_insights.generator.period import (
    Period,
    PeriodError,
    months_back,
    resolve_period,
    yesterday,
)

TODAY = datetime.date(2026, 12, 6)
D = datetime.date


def test_default_is_thirteen_months_ending_yesterday() -> None:
    period = resolve_period(today=TODAY)
    # twelve complete months (2025-12 .. 2026-11) and the current one up to yesterday
    assert (period.start_date, period.end_date) == (D(2025, 12, 1), D(2026, 12, 5))
    assert period.days == 370
    assert yesterday(TODAY) == D(2026, 12, 5)


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"end_date": D(2026, 7, 5), "days": 35}, Period(D(2026, 6, 1), 35)),
        ({"start_date": D(2026, 6, 1), "days": 35}, Period(D(2026, 6, 1), 35)),
        ({"start_date": D(2026, 6, 1), "end_date": D(2026, 7, 5)}, Period(D(2026, 6, 1), 35)),
        ({"end_date": D(2026, 3, 31), "months": 3}, Period(D(2026, 1, 1), 90)),
        ({"end_date": D(2026, 1, 1), "months": 1}, Period(D(2026, 1, 1), 1)),
        ({"end_date": D(2024, 2, 29), "months": 14}, Period(D(2023, 1, 1), 425)),
        ({"days": 7}, Period(D(2026, 11, 29), 7)),
        ({"start_date": D(2026, 12, 1)}, Period(D(2026, 12, 1), 5)),
    ],
)
def test_the_options_fix_one_period(options: dict[str, object], expected: Period) -> None:
    assert resolve_period(today=TODAY, **options) == expected  # type: ignore[arg-type]


def test_months_back_crosses_years() -> None:
    assert months_back(D(2026, 1, 15), 13) == D(2025, 1, 1)
    assert months_back(D(2026, 12, 31), 12) == D(2026, 1, 1)


@pytest.mark.parametrize(
    ("options", "reason"),
    [
        ({"months": 3, "days": 30}, "--months goes with --end-date only"),
        ({"months": 3, "start_date": D(2026, 1, 1)}, "--months goes with --end-date only"),
        (
            {"start_date": D(2026, 1, 1), "days": 3, "end_date": D(2026, 1, 3)},
            "not all three",
        ),
        ({"start_date": D(2026, 12, 9)}, "is after the end date"),
        ({"end_date": D(2026, 1, 1), "months": 40}, "at most 1000 are generated"),
        ({"months": 0}, "at least 1"),
    ],
)
def test_conflicting_options_are_an_error(options: dict[str, object], reason: str) -> None:
    with pytest.raises(PeriodError, match=reason):
        resolve_period(today=TODAY, **options)  # type: ignore[arg-type]


def test_command_rejects_conflicts_before_generating(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["generate", "--out", str(tmp_path), "--months", "2", "--days", "10"]
    )
    assert result.exit_code == 2
    assert "--months goes with --end-date only" in result.output
    assert not list(tmp_path.iterdir())


def test_command_passes_the_period_to_the_generator(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[GeneratorConfig] = []

    def fake(config: GeneratorConfig, out: Path, **_: object) -> dict[str, int]:
        seen.append(config)
        return {}

    monkeypatch.setattr(dataset_module, "generate_dataset", fake)
    monkeypatch.setattr("registry_insights.generator.generate_dataset", fake)
    runner = CliRunner()
    result = runner.invoke(
        app, ["generate", "--out", str(tmp_path), "--end-date", "2026-07-05", "--days", "35"]
    )
    assert result.exit_code == 0, result.output
    assert "period: 2026-06-01 to 2026-07-05 (35 days)" in result.output
    result = runner.invoke(
        app, ["generate", "--out", str(tmp_path), "--end-date", "2026-12-05", "--seed", "3"]
    )
    assert result.exit_code == 0, result.output
    assert (seen[0].start_date, seen[0].days) == (D(2026, 6, 1), 35)
    assert (seen[1].start_date, seen[1].end_date, seen[1].seed) == (
        D(2025, 12, 1),
        D(2026, 12, 5),
        3,
    )
    # without --end-date the period ends yesterday (UTC)
    result = runner.invoke(app, ["generate", "--out", str(tmp_path), "--months", "2"])
    assert result.exit_code == 0, result.output
    assert seen[2].end_date == yesterday()


def test_same_seed_and_end_date_give_byte_identical_data(tmp_path: Path) -> None:
    """Through the command, twice, with the dates pinned: the same files."""
    outputs = []
    for run in ("a", "b"):
        out = tmp_path / run
        result = CliRunner().invoke(
            app,
            [
                "generate", "--out", str(out), "--rows", "2000", "--end-date", "2026-03-10",
                "--days", "3", "--seed", "5", "--no-progress",
                "--scan-reports", str(tmp_path / f"{run}-reports"),
            ],
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        outputs.append(
            {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*.parquet"))}
            | {p.name: p.read_bytes() for p in sorted((tmp_path / f"{run}-reports").iterdir())}
        )
    assert outputs[0] == outputs[1]
    assert any(name.startswith("raw_registry_requests/date=2026-03-08") for name in outputs[0])
