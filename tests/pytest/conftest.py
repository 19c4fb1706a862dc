from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from classification_harness import SqlClassifier, sql_classifier


@pytest.fixture(scope="session")
def classifier_60s(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SqlClassifier]:
    """The compiled classification model with the default 60 s window."""
    with sql_classifier(tmp_path_factory.mktemp("classify_60s"), 60) as classifier:
        yield classifier


@pytest.fixture(scope="session")
def classifier_2_5s(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SqlClassifier]:
    """The same model compiled with a fractional window, to exercise the var."""
    with sql_classifier(tmp_path_factory.mktemp("classify_2_5s"), 2.5) as classifier:
        yield classifier
