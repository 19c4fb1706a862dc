"""docs/registry-sources.md, the fidelity page: every test it names exists (each claim
of the page is backed by a named test), and the nginx log_format it recommends is the one
the end-to-end test runs Debian's nginx with."""

from __future__ import annotations

import re
from pathlib import Path

from support.nginx_proxy import RECOMMENDED_JSON_FORMAT

ROOT = Path(__file__).resolve().parents[3]
PAGE = ROOT / "docs" / "registry-sources.md"
TESTS = ROOT / "tests" / "pytest"


def defined_tests() -> set[str]:
    names: set[str] = set()
    for path in TESTS.rglob("test_*.py"):
        names |= set(re.findall(r"^def (test_\w+)\(", path.read_text(), flags=re.M))
    return names


def test_every_test_the_page_names_exists() -> None:
    named = set(re.findall(r"`(test_\w+)`", PAGE.read_text()))
    assert len(named) >= 20, sorted(named)
    assert sorted(named - defined_tests()) == []


def test_the_recommended_log_format_is_the_one_nginx_runs_in_the_end_to_end_test() -> None:
    block = re.search(r"log_format registry_insights (.*?);\n", PAGE.read_text(), flags=re.S)
    assert block is not None
    documented = re.sub(r"'\s*'", "", re.sub(r"\s*\n\s*", "", block[1]))
    assert documented == re.sub(r"'\s*'", "", RECOMMENDED_JSON_FORMAT)
