"""Helpers shared by the test suites (imported as `support.<module>`; pytest puts
tests/pytest on the path through `pythonpath` in pyproject.toml). No tests here."""

from __future__ import annotations

from pathlib import Path

#: This folder, for the data files kept beside the helpers.
SUPPORT_DIR = Path(__file__).resolve().parent
