"""The compiled classification model, loaded into scratch databases
(support.classification_harness), for the exactness tests of this folder."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from support.classification_harness import SqlClassifier, sql_classifier


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
