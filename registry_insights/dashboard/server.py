"""How `registry-insights dashboard` (and the browser test) start the Streamlit server."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from registry_insights.dashboard import settings

APP = Path(__file__).resolve().parent / "app.py"


def streamlit_command(port: int, address: str) -> list[str]:
    """`streamlit run` on the app: headless, no usage statistics, no file watcher, no
    error details in the browser."""
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP),
        "--server.port",
        str(port),
        "--server.address",
        address,
        "--server.headless",
        "true",
        "--server.fileWatcherType",
        "none",
        "--browser.gatherUsageStats",
        "false",
        "--global.developmentMode",
        "false",
        "--client.toolbarMode",
        "viewer",
        # Never a traceback in the browser (the app logs it on the server).
        "--client.showErrorDetails",
        "none",
    ]


def streamlit_environment(database: Path, access_file: Path | None) -> dict[str, str]:
    """This process's environment plus the warehouse and access file for the app."""
    env = dict(os.environ)
    env[settings.DATABASE_ENV] = str(database.resolve())
    if access_file is None:  # local mode: no variable may name an access file
        for name in settings.ACCESS_FILE_ENVS:
            env.pop(name, None)
    else:
        env[settings.ACCESS_FILE_ENV] = str(access_file.resolve())
    return env
