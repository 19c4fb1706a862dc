"""The dashboard in a real headless browser (Debian's chromium): load the page, change
the selection, follow the share link, check the restored view, save a screenshot and
check that it is not blank. CI sets REGISTRY_INSIGHTS_REQUIRE_BROWSER=1: there a
missing browser fails instead of skipping."""

from __future__ import annotations

import datetime
import gzip
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import duckdb
import pytest
from support.dashboard_harness import ALICE_TOKEN, CAROL_TOKEN, write_access_file
from support.warehouse_build import PROJECT_DIR, BuiltWarehouse

from registry_insights.dashboard.access import SIGN_IN_MESSAGES
from registry_insights.dashboard.server import streamlit_command, streamlit_environment
from registry_insights.publishing.catalog import DATAVIEWS, REPORTS
from registry_insights.publishing.completeness import data_complete_through, published_condition
from registry_insights.publishing.dataview_files import ExportPeriod, write_period
from registry_insights.publishing.export import export_warehouse
from registry_insights.publishing.report_files import report_csv_bytes

LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}

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
    # Offline: no host name resolves but loopback's, so nothing can leave the machine.
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1, EXCLUDE localhost",
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


@contextmanager
def _serving(database: Path, access_file: Path | None, log_path: Path) -> Iterator[str]:
    """`streamlit run` on `database` (token mode with `access_file`), on a free local port."""
    _chromium()
    port = _free_port()
    log = log_path.open("wb")
    process = subprocess.Popen(
        streamlit_command(port, "127.0.0.1"),
        env=streamlit_environment(database, access_file),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}/"

    def healthy() -> bool:
        if process.poll() is not None:
            raise AssertionError(f"streamlit exited: {log_path.read_text()}")
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
def server(built_warehouse: BuiltWarehouse, tmp_path: Path) -> Iterator[str]:
    """The dashboard on the test warehouse, local mode."""
    with _serving(built_warehouse.database, None, tmp_path / "streamlit.log") as url:
        yield url


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


def _cpu_seconds() -> dict[str, float]:
    """CPU time (user and system) so far of the processes this test started in sessions
    of their own, with their children: the Streamlit servers and the browser."""
    stats = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                command = (entry / "cmdline").read_bytes()
            except OSError:  # ended meanwhile
                continue
            # after the command: state, ppid, pgrp, ..., utime, stime and the same of
            # the children it waited for (12th to 15th: a closed tab's renderer counts)
            stats[int(entry.name)] = (int(fields[1]), int(fields[2]), fields, command)
    leaders = {
        pid: b"streamlit" in command
        for pid, (ppid, group, _, command) in stats.items()
        if group == pid and ppid == os.getpid()
    }
    totals = {"server": 0.0, "browser": 0.0}
    for _, group, fields, _ in stats.values():
        if group in leaders:
            seconds = sum(int(value) for value in fields[11:15]) / os.sysconf("SC_CLK_TCK")
            totals["server" if leaders[group] else "browser"] += seconds
    return totals


class Timings:
    """Seconds from an action to its visible result, printed with the test's output as
    FIGURE lines: the wall time, the CPU time the server and the browser spent on it
    (what a quiet machine would need at the least) and the machine's load average
    (1 minute) when it was taken."""

    def __init__(self, warehouse: str) -> None:
        self.warehouse = warehouse
        self.rows: list[tuple[str, float, dict[str, float], float]] = []

    @contextmanager
    def measure(self, what: str) -> Iterator[None]:
        start, cpu = time.monotonic(), _cpu_seconds()
        yield
        spent = {name: seconds - cpu[name] for name, seconds in _cpu_seconds().items()}
        self.rows.append((what, time.monotonic() - start, spent, os.getloadavg()[0]))

    def report(self, capsys: pytest.CaptureFixture[str]) -> None:
        with capsys.disabled():
            print(
                f"\ndashboard page timings on {self.warehouse} "
                f"({os.cpu_count()} cores, shared with other processes):"
            )
            for what, seconds, cpu, load in self.rows:
                print(
                    f"FIGURE dashboard {what}: {seconds:.2f} s (CPU: server {cpu['server']:.2f} s,"
                    f" browser {cpu['browser']:.2f} s; load average {load:.1f})"
                )


def _offline(page: Any, external: list[str]) -> None:
    """Record every request to a host that is not loopback (page icon, fonts, telemetry,
    ...): the dashboard must work offline. (Chromium cannot resolve such hosts anyway:
    CHROMIUM_FLAGS.)"""

    def is_local(url: str) -> bool:
        parts = urlsplit(url)
        return parts.scheme in {"data", "blob", "about"} or parts.hostname in LOOPBACK

    page.on("request", lambda r: None if is_local(r.url) else external.append(r.url))
    page.on("websocket", lambda w: None if is_local(w.url) else external.append(w.url))


def _new_page(browser: Any, external: list[str], width: int = 1400) -> Any:
    page = browser.new_page(viewport={"width": width, "height": 1100}, accept_downloads=True)
    page.set_default_timeout(60_000)
    _offline(page, external)
    return page


def _download(page: Any, key: str) -> tuple[str, bytes]:
    """Click the download button of widget `key`: the file's name and bytes."""
    button = page.locator(f".st-key-{key} button")
    button.scroll_into_view_if_needed()
    with page.expect_download() as info:
        button.click()
    path = info.value.path()
    return str(info.value.suggested_filename), Path(path).read_bytes()


def _pick(page: Any, key: str, option: str) -> None:
    """Choose `option` in the select box of widget `key` (type to filter, then click)."""
    field = page.locator(f".st-key-{key} input")
    field.click()
    field.fill(option)
    page.get_by_role("option", name=option, exact=True).click()


def _metric(page: Any, label: str) -> str:
    metric = page.locator("[data-testid='stMetric']").filter(
        has=page.locator("[data-testid='stMetricLabel']", has_text=label)
    )
    for index in range(metric.count()):
        item = metric.nth(index)
        if item.locator("[data-testid='stMetricLabel']").inner_text().strip() == label:
            return str(item.locator("[data-testid='stMetricValue']").inner_text().strip())
    raise AssertionError(f"no metric {label!r}")


def _no_overflow(page: Any, width: int) -> None:
    """Nothing wider than the window: no horizontal scroll, and no chart reaching past
    the right edge of the page (a chart's container would cut it off)."""
    page.set_viewport_size({"width": width, "height": 1100})
    page.wait_for_timeout(1500)
    overflow = page.evaluate(
        """() => {
        const main = document.querySelector('[data-testid="stMain"]');
        const right = main.getBoundingClientRect().right;
        const charts = Array.from(document.querySelectorAll(
            '[data-testid="stVegaLiteChart"] canvas, [data-testid="stVegaLiteChart"] svg'));
        const past = charts.map(c => c.getBoundingClientRect().right - right);
        return Math.max(main.scrollWidth - main.clientWidth, 0, ...past);
    }"""
    )
    assert overflow <= 1, f"{overflow}px cut at width {width}"


def test_dashboard_in_a_real_browser(
    server: str,
    browser_endpoint: str,
    built_warehouse: BuiltWarehouse,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from playwright.sync_api import sync_playwright

    timings = Timings("the test warehouse")
    external: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.connect_over_cdp(browser_endpoint)
        try:
            page = _new_page(browser, external)
            with timings.measure("first chart (cold server)"):
                page.goto(server)
                _wait_for_chart(page)
            initial = _share_link(page, "granularity=weekly")
            assert "months=3" in initial
            params = parse_qs(urlsplit(initial).query)
            organization = params["org"][0]
            default_repositories = params["repo"]
            assert 1 <= len(default_repositories) <= 5
            assert all(r.startswith(f"{organization}/") for r in default_repositories)
            assert page.get_by_text(f"Organization {organization}").count() >= 1

            warm = _new_page(browser, external)
            with timings.measure("first chart (warm server, new tab)"):
                warm.goto(server)
                _wait_for_chart(warm)
            warm.close()

            # Change the selection: monthly, 12 months, and one repository fewer.
            sidebar = page.locator("[data-testid='stSidebar']")
            with timings.measure("granularity -> monthly"):
                sidebar.get_by_text("Monthly", exact=True).click()
                _share_link(page, "granularity=monthly")
                _wait_for_chart(page)
            with timings.measure("interval -> 12 months"):
                sidebar.get_by_text("12 months", exact=True).click()
                _share_link(page, "months=12")
                _wait_for_chart(page)
            with timings.measure("remove a repository"):
                sidebar.get_by_role("button", name=f"Remove {default_repositories[0]}").click()
                _wait_until(
                    lambda: (
                        parse_qs(urlsplit(_share_link(page, "months=12")).query)["repo"]
                        == default_repositories[1:]
                    ),
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
            shared = _new_page(browser, external)
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
            shared.close()

            # Another organization: the address carries it, its own repositories are drawn.
            with timings.measure("organization -> westbrook"):
                _pick(page, "organization", "westbrook")
                page.wait_for_url(lambda url: "org=westbrook" in url)
                _wait_for_chart(page)
            params = parse_qs(urlsplit(_share_link(page, "org=westbrook")).query)
            assert params["repo"] and all(r.startswith("westbrook/") for r in params["repo"])
            assert page.get_by_text("Organization westbrook").count() >= 1
            for width in (1280, 1440):
                _no_overflow(page, width)

            # Downloads: the export's bytes for the organization.
            period = datetime.date.fromisoformat(params["period"][0])
            with duckdb.connect(str(built_warehouse.database), read_only=True) as connection:
                summary = report_csv_bytes(
                    connection, REPORTS["summary"], "monthly", period, {"westbrook"}
                )
                weekly = max(
                    row[0]
                    for row in connection.execute(
                        "select distinct date_reference from marts.rpt_summary "
                        "where date_granularity = 'weekly'"
                    ).fetchall()
                )
                weekly_trends = report_csv_bytes(
                    connection, REPORTS["summary"], "weekly", weekly, {"westbrook"}
                )
                exported = tmp_path / "exported"
                export_part = write_period(
                    connection,
                    ExportPeriod(DATAVIEWS["namespace-summary"], "monthly", period, "westbrook"),
                    exported,
                    100_000_000,
                )[0]
            whole = export_warehouse(
                built_warehouse.database, tmp_path / "all", reports=["summary"], dataviews=[]
            )
            whole_lines = next(
                f.path
                for f in whole.reports
                if (f.date_granularity, f.date_reference) == ("monthly", period)
            ).read_bytes()
            with timings.measure("download: Summary report of the period"):
                assert _download(page, "download_summary") == (
                    f"summary_monthly_{period.isoformat()}.csv",
                    summary,
                )
            assert set(summary.splitlines()) <= set(whole_lines.splitlines())
            with timings.measure("the year's weekly list (tab)"):
                page.get_by_role("tab", name="Weekly").click()
                page.locator(f".st-key-year_summary_weekly_{weekly.isoformat()}").wait_for()
            with timings.measure("download: a weekly report from the year's list"):
                year = _download(page, f"year_summary_weekly_{weekly.isoformat()}")
            assert year == (f"summary_weekly_{weekly.isoformat()}.csv", weekly_trends)
            page.locator(".st-key-pull_exports_period_monthly").scroll_into_view_if_needed()
            with timings.measure("download: namespace summary export"):
                name, data = _download(page, "pull_exports_namespace-summary_westbrook")
            assert name == export_part.path.name
            assert data == export_part.path.read_bytes()
            assert gzip.decompress(data).startswith(b"Namespace,")

            # The Extensions page: headline numbers equal the marts over the interval's
            # published (complete) periods.
            with duckdb.connect(str(built_warehouse.database), read_only=True) as connection:
                published, parameters = published_condition(data_complete_through(connection))
                busiest = connection.execute(
                    "select namespace, sum(installs), sum(uninstalls) "
                    "from marts.exp_extensions_summary where date_granularity = 'monthly' "
                    f"and {published} group by namespace order by sum(installs) desc limit 1",
                    parameters,
                ).fetchone()
            assert busiest is not None
            namespace, installs, uninstalls = busiest
            with timings.measure("Extensions page (link)"):
                page.goto(f"{server}extensions?org={namespace}&granularity=monthly&months=12")
                _wait_for_chart(page)
            assert _metric(page, "Installs") == f"{int(installs):,}"
            assert _metric(page, "Uninstalls") == f"{int(uninstalls):,}"
            assert page.get_by_text(f"Organization {namespace}").count() >= 1
            for width in (1280, 1440):
                _no_overflow(page, width)
            with duckdb.connect(str(built_warehouse.database), read_only=True) as connection:
                latest_month = connection.execute(
                    "select max(date_reference) from marts.exp_extensions_summary "
                    f"where date_granularity = 'monthly' and {published}",
                    parameters,
                ).fetchone()
                assert latest_month is not None
                extension_part = write_period(
                    connection,
                    ExportPeriod(DATAVIEWS["ext-summary"], "monthly", latest_month[0], namespace),
                    tmp_path / "extensions",
                    100_000_000,
                )[0]
            page.locator(".st-key-extension_exports_period_monthly").scroll_into_view_if_needed()
            with timings.measure("download: extensions summary export"):
                name, data = _download(page, f"extension_exports_ext-summary_{namespace}")
            assert (name, data) == (extension_part.path.name, extension_part.path.read_bytes())
            assert gzip.decompress(data).count(b"\n") > 1

            with timings.measure("Security page (link)"):
                page.goto(f"{server}security?org=westbrook&granularity=monthly")
                page.get_by_text("Reports for the year").wait_for()
            assert page.locator("[data-testid='stException']").count() == 0
            with duckdb.connect(str(built_warehouse.database), read_only=True) as connection:
                by_tag = report_csv_bytes(
                    connection, REPORTS["vulnerabilities-by-tag"], "monthly", period, {"westbrook"}
                )
            key = f"year_vulnerabilities-by-tag_monthly_{period.isoformat()}"
            page.get_by_role("tab", name="Monthly").click()
            with timings.measure("download: a security report from the year's list"):
                assert _download(page, key) == (
                    f"vulnerabilities-by-tag_monthly_{period.isoformat()}.csv",
                    by_tag,
                )
            assert by_tag.count(b"\n") > 1
            page.wait_for_timeout(500)  # deliver the last request events
        finally:
            browser.close()
    timings.report(capsys)
    assert external == [], f"requests left the machine: {external}"
    _not_blank(SCREENSHOT)


def test_sign_in_and_missing_warehouse_in_a_real_browser(
    built_warehouse: BuiltWarehouse,
    browser_endpoint: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from playwright.sync_api import sync_playwright

    timings = Timings("the test warehouse, token mode")
    external: list[str] = []
    access_file = write_access_file(tmp_path / "api.toml")
    with (
        _serving(built_warehouse.database, access_file, tmp_path / "token.log") as token_server,
        _serving(tmp_path / "nowhere" / "w.duckdb", None, tmp_path / "none.log") as no_warehouse,
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.connect_over_cdp(browser_endpoint)
        try:
            page = _new_page(browser, external)
            page.goto(token_server)
            page.get_by_text(SIGN_IN_MESSAGES["no_token"]).wait_for()

            def sign_in(token: str, expected: str) -> None:
                field = page.get_by_label("Access token")
                field.fill(token)
                with timings.measure(f"sign in ({expected[:30]}...)"):
                    page.get_by_role("button", name="Sign in").click()
                    page.get_by_text(expected).first.wait_for()
                assert token not in page.url

            sign_in("not-a-token", SIGN_IN_MESSAGES["unknown_token"])
            sign_in(CAROL_TOKEN, SIGN_IN_MESSAGES["no_organization"].format(account="carol"))
            page.get_by_role("button", name="Sign out").click()
            page.get_by_text(SIGN_IN_MESSAGES["no_token"]).wait_for()
            sign_in(ALICE_TOKEN, "Signed in as alice, organization westbrook-org")
            _wait_for_chart(page)
            assert "org=westbrook-org" in page.url and ALICE_TOKEN not in page.url
            # A reload of the tab stays signed in (the tab's sessionStorage), never via the URL.
            with timings.measure("reload while signed in, first chart"):
                page.reload()
                page.get_by_text("Signed in as alice").first.wait_for()
                _wait_for_chart(page)
            assert ALICE_TOKEN not in page.url
            # Another page of the same tab: still signed in.
            page.get_by_role("link", name="Trends").click()
            page.get_by_text("Signed in as alice").first.wait_for()
            with timings.measure("sign out"):
                page.get_by_role("button", name="Sign out").click()
                page.get_by_text(SIGN_IN_MESSAGES["no_token"]).wait_for()
            assert page.locator("[data-testid='stVegaLiteChart']").count() == 0
            page.reload()  # signed out stays signed out
            page.get_by_text(SIGN_IN_MESSAGES["no_token"]).wait_for()
            page.wait_for_timeout(1500)
            assert page.get_by_text("Signed in as").count() == 0

            # No warehouse: a page that says what to run, no traceback, no server path.
            page.goto(no_warehouse)
            page.get_by_text("There is no warehouse yet").wait_for()
            body = page.locator("body").inner_text()
            assert "make demo" in body and "dbt build" in body
            assert "nowhere" not in body and "Traceback" not in body
            assert str(tmp_path) not in body
            page.wait_for_timeout(500)  # deliver the last request events
        finally:
            browser.close()
    timings.report(capsys)
    assert external == [], f"requests left the machine: {external}"


#: The dates each interval's chart draws on the generated year (`generated_year`: data
#: from 2025-07-01 to Sunday 2026-07-05), counted back from the end of the latest
#: complete period (the week of 2026-06-29, June 2026): first and last period, and how many.
YEAR_SPANS = {
    ("weekly", 3): ("2026-04-06", "2026-06-29", 13),
    ("weekly", 6): ("2026-01-12", "2026-06-29", 25),
    ("weekly", 12): ("2025-07-07", "2026-06-29", 52),
    ("monthly", 12): ("2025-07-01", "2026-06-01", 12),
    ("monthly", 6): ("2026-01-01", "2026-06-01", 6),
    ("monthly", 3): ("2026-04-01", "2026-06-01", 3),
}
#: What the test clicks in the sidebar, in turn, and the view that follows.
YEAR_STEPS = (
    ("6 months", ("weekly", 6)),
    ("12 months", ("weekly", 12)),
    ("Monthly", ("monthly", 12)),
    ("6 months", ("monthly", 6)),
    ("3 months", ("monthly", 3)),
)
#: The period labels the chart's x axis draws (SVG text: `charts.DRAWN_AS_SVG`), from
#: left to right as they are on the screen (the SVG's order is the order they were added).
DRAWN_DATES = """chart => Array.from(chart.querySelectorAll('.role-axis-label text'))
    .filter(text => /^\\d{4}-\\d{2}-\\d{2}$/.test(text.textContent))
    .map(text => [text.getBoundingClientRect().left, text.textContent])
    .sort((a, b) => a[0] - b[0]).map(pair => pair[1])"""


def _drawn_span(page: Any, expected: tuple[str, str, int], seconds: float = 60) -> list[str]:
    """Wait until the chart's x axis draws `expected` (first date, last date, count):
    the dates drawn. Fails with what was drawn last."""
    chart = page.locator("[data-testid='stVegaLiteChart']")
    drawn: list[str] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        errors = page.locator("[data-testid='stException']")
        assert errors.count() == 0, errors.first.inner_text()
        if chart.count() == 1:
            drawn = list(chart.first.evaluate(DRAWN_DATES))
            if drawn and (drawn[0], drawn[-1], len(drawn)) == expected:
                return drawn
        time.sleep(0.05)
    raise AssertionError(f"the chart draws {drawn}, not {expected}")


@pytest.fixture(scope="session")
def chromium_present() -> str:
    """The browser, or skip: asked before `generated_year`, so that a machine without
    a browser skips without building the year first."""
    return _chromium()


def test_each_interval_draws_its_own_span_in_a_real_browser(
    chromium_present: str,
    generated_year: BuiltWarehouse,
    browser_endpoint: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """On a generated year, the Pulls chart of each interval, weekly and monthly, draws
    its own span: the dates on its x axis, read in the browser."""
    from playwright.sync_api import sync_playwright

    timings = Timings("a generated year (40,000 requests, 13 months)")
    external: list[str] = []
    spans: dict[tuple[str, int], list[str]] = {}
    with (
        _serving(generated_year.database, None, tmp_path / "year.log") as server,
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.connect_over_cdp(browser_endpoint)
        try:
            page = _new_page(browser, external)
            with timings.measure("first chart (cold server)"):
                page.goto(server)
                spans["weekly", 3] = _drawn_span(page, YEAR_SPANS["weekly", 3])
            warm = _new_page(browser, external)
            with timings.measure("first chart (warm server, new tab)"):
                warm.goto(server)
                _drawn_span(warm, YEAR_SPANS["weekly", 3])
            warm.close()
            sidebar = page.locator("[data-testid='stSidebar']")
            for choice, shown in YEAR_STEPS:
                with timings.measure(
                    f"{choice} clicked, chart drawn ({shown[0]}, {shown[1]} months)"
                ):
                    sidebar.get_by_text(choice, exact=True).click()
                    spans[shown] = _drawn_span(page, YEAR_SPANS[shown])
            page.wait_for_timeout(500)  # deliver the last request events
        finally:
            browser.close()
    timings.report(capsys)
    for granularity in ("weekly", "monthly"):
        drawn = [spans[granularity, months] for months in (3, 6, 12)]
        assert drawn[0] != drawn[1] != drawn[2] != drawn[0]
        assert set(drawn[0]) < set(drawn[1]) < set(drawn[2])
        assert all(span == sorted(span) for span in drawn)  # left to right, oldest first
    assert external == [], f"requests left the machine: {external}"
