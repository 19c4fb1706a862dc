"""The dashboard in a real headless browser (Debian's chromium): load the page, change
the selection, follow the share link, check the restored view, save a screenshot and
check that it is not blank. CI sets REGISTRY_INSIGHTS_REQUIRE_BROWSER=1: there a
missing browser fails instead of skipping."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from support.warehouse_build import PROJECT_DIR, BuiltWarehouse

from registry_insights.dashboard.server import streamlit_command, streamlit_environment

SCREENSHOT = PROJECT_DIR / "build" / "dashboard-browser.png"
INSTALL = "apt-get install -y --no-install-recommends chromium"
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1400,1100",
)
STARTUP_SECONDS = 90


def _chromium() -> str:
    """The browser executable, or skip (fail when the browser is required)."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    problem = None
    if path is None:
        problem = f"chromium is not installed (install it with `{INSTALL}`)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            problem = "the playwright package is missing (`make venv` installs it)"
    if problem is not None:
        if os.environ.get("REGISTRY_INSIGHTS_REQUIRE_BROWSER") == "1":
            pytest.fail(f"browser test required but {problem}")
        pytest.skip(problem)
    assert path is not None
    return path


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Terminate a process this test started (its own process group), then kill it."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=15)


def _wait_until(check: Any, what: str, seconds: float = STARTUP_SECONDS) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.25)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def server(built_warehouse: BuiltWarehouse, tmp_path: Path) -> Iterator[str]:
    """`streamlit run` on the test warehouse, on a free local port."""
    _chromium()
    port = _free_port()
    log = (tmp_path / "streamlit.log").open("wb")
    process = subprocess.Popen(
        streamlit_command(port, "127.0.0.1"),
        env=streamlit_environment(built_warehouse.database, None),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}/"

    def healthy() -> bool:
        if process.poll() is not None:
            raise AssertionError(f"streamlit exited: {(tmp_path / 'streamlit.log').read_text()}")
        try:
            with urllib.request.urlopen(url + "_stcore/health", timeout=2) as response:
                return bool(response.status == 200)
        except OSError:
            return False

    try:
        _wait_until(healthy, "the streamlit server")
        yield url
    finally:
        _stop(process)
        log.close()


@pytest.fixture
def browser_endpoint(tmp_path: Path) -> Iterator[str]:
    """Headless chromium with a fresh profile; yields its DevTools endpoint."""
    executable = _chromium()
    profile = Path(tempfile.mkdtemp(prefix="chromium-profile-", dir=tmp_path))
    process = subprocess.Popen(
        [
            executable,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            "--remote-debugging-address=127.0.0.1",
            "--remote-debugging-port=0",
            "about:blank",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    port_file = profile / "DevToolsActivePort"
    try:
        _wait_until(lambda: port_file.exists() and port_file.read_text().strip(), "chromium")
        port = port_file.read_text().splitlines()[0]
        yield f"http://127.0.0.1:{port}"
    finally:
        _stop(process)


def _selection_in(page: Any) -> dict[str, Any]:
    """What the sidebar shows as selected."""
    sidebar = page.locator("[data-testid='stSidebar']")
    return {
        "monthly": sidebar.get_by_role("radio", name="Monthly").is_checked(),
        "12 months": sidebar.get_by_role("radio", name="12 months").is_checked(),
        "repositories": [
            tag.get_attribute("title")
            for tag in sidebar.locator(
                "[data-testid='stMultiSelect'] [data-tag] > span[title]"
            ).all()
        ],
    }


def _wait_for_chart(page: Any) -> None:
    """Wait for the chart; fail at once with the app's message if the page raised."""
    page.wait_for_selector(
        "[data-testid='stVegaLiteChart'] canvas, .vega-embed, [data-testid='stException']"
    )
    errors = page.locator("[data-testid='stException']")
    assert errors.count() == 0, errors.first.inner_text()


def _share_link(page: Any, expected_fragment: str) -> str:
    code = page.locator("[data-testid='stCode'] code").filter(has_text="granularity=")
    _wait_until(
        lambda: expected_fragment in "".join(code.first.text_content().split()),
        f"the share link to contain {expected_fragment}",
        30,
    )
    return "".join(code.first.text_content().split())


def _not_blank(png: Path) -> None:
    from PIL import Image, ImageStat

    with Image.open(png) as image:
        rgb = image.convert("RGB")
        colours = rgb.getcolors(maxcolors=1_000_000) or []
        spread = ImageStat.Stat(rgb.convert("L")).stddev[0]
        assert rgb.size[0] >= 800 and rgb.size[1] >= 600
    assert len(colours) >= 50, f"only {len(colours)} colours: blank page?"
    assert spread > 10, f"pixel standard deviation {spread:.1f}: blank page?"


def test_dashboard_in_a_real_browser(server: str, browser_endpoint: str) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.connect_over_cdp(browser_endpoint)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1100})
            page.set_default_timeout(60_000)
            page.goto(server)
            _wait_for_chart(page)
            initial = _share_link(page, "granularity=weekly")
            assert "months=3" in initial
            default_repositories = parse_qs(urlsplit(initial).query)["repo"]
            assert len(default_repositories) == 3

            # Change the selection: monthly, 12 months, and one repository fewer.
            sidebar = page.locator("[data-testid='stSidebar']")
            sidebar.get_by_text("Monthly", exact=True).click()
            _share_link(page, "granularity=monthly")
            sidebar.get_by_text("12 months", exact=True).click()
            _share_link(page, "months=12")
            sidebar.get_by_role("button", name=f"Remove {default_repositories[0]}").click()
            _wait_until(
                lambda: len(parse_qs(urlsplit(_share_link(page, "months=12")).query)["repo"]) == 2,
                "the link to drop the removed repository",
                30,
            )
            link = _share_link(page, "months=12")
            params = parse_qs(urlsplit(link).query)
            assert params["granularity"] == ["monthly"]
            assert params["repo"] == default_repositories[1:]
            _wait_until(lambda: "granularity=monthly" in page.url, "the address bar to follow")
            changed = _selection_in(page)
            assert changed["monthly"] and changed["12 months"]

            # Follow the share link in a new tab: the same view comes back.
            shared = browser.new_page(viewport={"width": 1400, "height": 1100})
            shared.set_default_timeout(60_000)
            shared.goto(link)
            _wait_for_chart(shared)
            assert _share_link(shared, "granularity=monthly").split("?")[1] == link.split("?")[1]
            restored = _selection_in(shared)
            assert restored["monthly"] and restored["12 months"]
            assert changed["repositories"] == default_repositories[1:]
            assert restored["repositories"] == changed["repositories"]
            shared.wait_for_timeout(1500)  # let the chart finish drawing

            SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
            shared.screenshot(path=str(SCREENSHOT), full_page=True)
        finally:
            browser.close()
    _not_blank(SCREENSHOT)
