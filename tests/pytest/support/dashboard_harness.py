"""Helpers for the dashboard tests: the app under Streamlit's AppTest harness, the data
behind its charts, and the bytes behind its download buttons."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pandas as pd
import pyarrow as pa
import pytest
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from registry_insights.dashboard import settings
from registry_insights.dashboard.server import APP
from support.access_fixture import access_toml

TIMEOUT_SECONDS = 120
ALICE_TOKEN = "alice-token-for-tests"
BOB_TOKEN = "bob-token"
CAROL_TOKEN = "carol-token"


def write_access_file(path: Path) -> Path:
    """The Data API's configuration file, access part only (the dashboard needs no
    `[server]`): alice is a member of the organization owning `westbrook`, bob of one
    that owns no namespace, carol of none."""
    text = access_toml(
        {"alice": [ALICE_TOKEN], "bob": [BOB_TOKEN], "carol": [CAROL_TOKEN]},
        {"westbrook-org": (["westbrook"], ["alice"]), "empty-org": ([], ["bob"])},
    )
    path.write_text(text, encoding="utf-8")
    return path


def dashboard(
    monkeypatch: pytest.MonkeyPatch,
    database: Path,
    access_file: Path | None = None,
    query_params: Mapping[str, str | list[str]] | None = None,
) -> AppTest:
    """The app, not yet run, on `database` (local mode unless `access_file`)."""
    monkeypatch.setenv(settings.DATABASE_ENV, str(database))
    monkeypatch.setenv(settings.DEBUG_ENV, "1")  # a failing page raises: app.exception
    for name in settings.ACCESS_FILE_ENVS:  # e.g. the Data API's $REGISTRY_INSIGHTS_API_CONFIG
        monkeypatch.delenv(name, raising=False)
    if access_file is not None:
        monkeypatch.setenv(settings.ACCESS_FILE_ENV, str(access_file))
    app = AppTest.from_file(str(APP), default_timeout=TIMEOUT_SECONDS)
    app.query_params.update(query_params or {})
    return app


def charts(app: AppTest) -> list[tuple[dict[str, Any], pd.DataFrame]]:
    """Each Vega-Lite chart on the page: its spec and the data it draws."""
    found = []
    for element in app.get("vega_lite_chart"):
        proto = element.proto
        spec = json.loads(proto.spec)
        datasets = {d.name: d.data.data for d in proto.datasets}
        data = datasets[spec["data"]["name"]]
        found.append((spec, pa.ipc.open_stream(data).read_pandas()))
    return found


def share_link_params(app: AppTest) -> dict[str, list[str]]:
    """The query parameters of the share link shown on the Pulls page."""
    (link,) = [code.value for code in app.code if "granularity=" in code.value]
    return parse_qs(urlsplit(link).query)


@contextmanager
def captured_downloads(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, bytes]]:
    """Records the bytes Streamlit stores for each media file (download buttons), by
    file id, which ends each download button's URL."""
    stored: dict[str, bytes] = {}
    original = MemoryMediaFileStorage.load_and_get_id

    def recording(
        self: MemoryMediaFileStorage, path_or_data: str | bytes, *args: Any, **kwargs: Any
    ) -> str:
        file_id = original(self, path_or_data, *args, **kwargs)
        if isinstance(path_or_data, bytes):
            stored[file_id] = path_or_data
        return file_id

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", recording)
    yield stored


def download(app: AppTest, key: str, stored: dict[str, bytes]) -> bytes:
    """The bytes behind the download button `key`."""
    (button,) = [b for b in app.get("download_button") if b.proto.id.endswith(key)]
    file_id = Path(urlsplit(button.proto.url).path).stem
    return stored[file_id]


def sign_in(app: AppTest, token: str) -> AppTest:
    """Enter `token` in the sidebar's sign-in form and submit it."""
    app.text_input(key="access_token").input(token)
    app.button(key="sign_in").click().run()
    return app
