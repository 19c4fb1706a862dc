"""`make bench --rounds N` (scripts/bench_warehouse.py): the table gives each step's
median seconds and highest peak memory, and each ratio's median over the rounds with its
lowest and highest; results.json keeps every round, and a results.json saved before
rounds reads back as one round."""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "bench_warehouse.py"


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_warehouse_under_test", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # dataclasses resolve their annotations through the module's entry in sys.modules
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _round(bench: ModuleType, hand: float, full: float, peak_gib: float) -> object:
    gib = bench.GIB

    def measure(seconds: float) -> object:
        return bench.Measure(seconds=seconds, peak_rss_bytes=int(peak_gib * gib))

    return bench.SizeResult(
        requests=1000,
        hand_query=measure(hand),
        dbt_full_to_fact=measure(full),
        reports=measure(30.0),
        incremental_day=measure(full / 10),
        model_seconds=hand,
        classification=measure(hand * 1.5),
    )


def _cells(table: str) -> list[str]:
    row = next(line for line in table.splitlines() if line.startswith("| 1,000 "))
    return [cell.strip() for cell in row.strip("|").split("|")]


def test_the_table_gives_medians_and_the_spread_of_each_ratio(bench: ModuleType) -> None:
    # (b)/(a) of the rounds: 1.5, 1.2, 2.0; the seconds' medians are 10 and 15
    rounds = (
        _round(bench, 10.0, 15.0, 2.0),
        _round(bench, 20.0, 24.0, 3.0),
        _round(bench, 8.0, 16.0, 2.5),
    )
    cells = _cells(bench.markdown([bench.SizeRounds(1000, rounds)], "test machine"))
    assert cells[1] == "3"
    assert cells[2] == "10.0 s"  # (a): median of 10, 20, 8
    assert cells[3] == "16.0 s"  # (b): median of 15, 24, 16
    assert cells[4] == "15.0 s"  # (m): median of 15, 30, 12
    assert cells[7] == "1.50"  # (m)/(a) is 1.5 in every round: no spread
    assert cells[9] == "1.50 (1.20-2.00)"  # (b)/(a): the median of the rounds' ratios
    assert cells[11] == "3.0 / 3.0 / 3.0 / 3.0 / 3.0 GiB"  # the highest peak of each step


def test_one_round_has_no_spread(bench: ModuleType) -> None:
    size = bench.SizeRounds(1000, (_round(bench, 10.0, 15.0, 2.0),))
    cells = _cells(bench.markdown([size], "test machine"))
    assert cells[1] == "1"
    assert cells[9] == "1.50"


def test_results_json_keeps_every_round(bench: ModuleType) -> None:
    size = bench.SizeRounds(1000, (_round(bench, 10.0, 15.0, 2.0), _round(bench, 20.0, 24.0, 3.0)))
    row = json.loads(json.dumps(bench.rounds_row(size)))
    assert len(row["rounds"]) == 2
    assert row["median_ratios"]["full_over_hand"] == pytest.approx((1.5 + 1.2) / 2)
    assert bench.from_rounds_row(row) == size


def test_a_row_saved_before_rounds_reads_as_one_round(bench: ModuleType) -> None:
    single = _round(bench, 10.0, 15.0, 2.0)
    row = json.loads(json.dumps(bench.result_row(single)))
    assert bench.from_rounds_row(row) == bench.SizeRounds(1000, (single,))


@pytest.mark.parametrize("value", ["0", "-2", "three"])
def test_rounds_must_be_a_whole_number_of_at_least_one(bench: ModuleType, value: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError):
        bench.positive_rounds(value)
