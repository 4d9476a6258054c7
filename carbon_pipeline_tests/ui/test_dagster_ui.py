"""The real Dagster webserver over a materialized demo, opened in a real headless Chromium (Debian's
package, driven by Playwright): the asset graph shows the project's assets, and a mart's latest
materialization and its checks are visible."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import dagster as dg
import pytest

from carbon_pipeline.runner import failure_messages
from carbon_pipeline_tests.conftest import copy_deployment, materialize_assets

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def webserver(tmp_path_factory, built):
    root = tmp_path_factory.mktemp("ui")
    deployment = copy_deployment(built, root / "deployment")
    home = root / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "CARBON_SOURCES": str(deployment.settings.sources_file),
        "CARBON_WAREHOUSE": str(deployment.settings.warehouse),
        "CARBON_SERVING": str(deployment.settings.serving),
        "DAGSTER_DISABLE_TELEMETRY": "true",
    }
    previous_home = os.environ.get("DAGSTER_HOME")
    os.environ["DAGSTER_HOME"] = str(home)
    try:
        with dg.DagsterInstance.get() as instance:
            # the warehouse is the built demo's: only the mart the pages show is materialized in this
            # instance, with its checks, so that its latest materialization and check results exist
            result = materialize_assets(deployment.settings, ["marts/scope_summary"], *_months(), instance=instance)
            assert result.success, failure_messages(result)
    finally:
        if previous_home is None:
            del os.environ["DAGSTER_HOME"]
        else:
            os.environ["DAGSTER_HOME"] = previous_home
    server, url = _start_webserver(env)
    try:
        yield url, root
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=600)


def _start_webserver(env: dict[str, str]) -> tuple[subprocess.Popen, str]:
    """The webserver and its URL. Its CLI cannot bind port 0 and say which port it got, so a free port is
    picked first, and another process may take it before the webserver binds it: then the webserver exits
    and is started again on another port. A unique path prefix makes sure the server that answers is ours,
    not another engineer's on the same port. No deadline: on a loaded machine starting takes longer."""
    for _ in range(5):
        port = _free_port()
        prefix = f"/carbon-{uuid.uuid4().hex[:12]}"
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "dagster_webserver",
                "-w",
                str(REPO / "workspace.yaml"),
                "-h",
                "127.0.0.1",
                "-p",
                str(port),
                "--path-prefix",
                prefix,
            ],
            cwd=REPO,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        url = f"http://127.0.0.1:{port}{prefix}"
        while server.poll() is None:
            try:
                urllib.request.urlopen(f"{url}/server_info", timeout=30)
                return server, url
            except OSError:
                time.sleep(1)  # not up yet: ask again (how long it takes is not what this test is about)
    raise RuntimeError("the Dagster webserver exited on start five times (ports taken in between?)")


def _months():
    from datetime import date

    return date(2024, 1, 1), date(2025, 12, 1)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "Debian's chromium is required (.ci/run installs it: apt-get install chromium)"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


PAGE_TIMEOUT_MS = 600_000  # a hang guard, not a speed expectation: a loaded machine renders slowly


def _new_page(browser, height: int):
    page = browser.new_page(viewport={"width": 1600, "height": height})
    page.set_default_timeout(PAGE_TIMEOUT_MS)
    page.set_default_navigation_timeout(PAGE_TIMEOUT_MS)
    return page


def _dismiss_welcome(page) -> None:
    """A fresh Dagster instance greets the first visit with a community modal."""
    skip = page.get_by_role("button", name="Skip")
    if skip.count():
        skip.first.click()


def test_the_asset_graph_shows_every_stage_of_the_pipeline(webserver, browser):
    url, root = webserver
    page = _new_page(browser, 2400)  # tall enough that the catalogue's virtual list renders every asset row
    page.goto(f"{url}/assets", wait_until="networkidle")
    _dismiss_welcome(page)
    page.get_by_text("scope_summary").first.wait_for()
    text = page.inner_text("body")
    for asset in (
        "scope_summary",
        "cloud_emissions",
        "cloud_reconciliation",
        "activity_emissions",
        "aws_cur_line_items",
        "aws_carbon_emissions",
        "emission_factors",
        "serving_database",
    ):
        assert asset in text, asset
    page.screenshot(path=str(root / "assets.png"), full_page=True)
    page.close()


def test_a_marts_latest_materialization_and_its_checks_are_visible(webserver, browser):
    url, root = webserver
    page = _new_page(browser, 1200)
    page.goto(f"{url}/assets/marts/scope_summary?view=checks", wait_until="networkidle")
    page.get_by_text("inventory_adds_up").first.wait_for()
    assert "inventory_adds_up" in page.inner_text("body")
    page.goto(f"{url}/assets/marts/scope_summary?view=events", wait_until="networkidle")
    _dismiss_welcome(page)
    # each month's own figures (partition-scoped); the whole-inventory tables are the serving asset's
    page.get_by_text("by_scope_basis").first.wait_for()
    body = page.inner_text("body")
    assert "by_scope_basis" in body and "total_tco2e_location" in body and "by_year_scope" not in body
    page.screenshot(path=str(root / "scope_summary.png"), full_page=True)
    if os.environ.get("UI_SCREENSHOT_DIR"):  # to look at it by hand
        shutil.copy(root / "scope_summary.png", Path(os.environ["UI_SCREENSHOT_DIR"]) / "scope_summary.png")
    page.close()


def test_the_column_schema_of_the_scope_summary_and_a_checks_metadata_are_visible(webserver, browser):
    """dagster/column_schema comes from the data dictionary's comments; a check's evaluation shows its metadata."""
    url, root = webserver
    page = browser.new_page(viewport={"width": 1600, "height": 1200})
    page.goto(f"{url}/assets/marts/scope_summary", wait_until="networkidle")  # the overview lists the columns
    _dismiss_welcome(page)
    page.get_by_text("scope3_category").first.wait_for(timeout=60_000)
    # the columns' descriptions can render after their names (seen once on a fresh clone): wait for the comment
    # asserted below too, not only for a column name, before reading the page
    page.get_by_text("Metric tons CO2e.").first.wait_for(timeout=60_000)
    body = page.inner_text("body")
    for column in ("period_month", "scope3_category", "method", "basis", "tco2e"):
        assert column in body, column
    assert "Metric tons CO2e." in body  # the column's comment in dbt_like_sql/serving/data_dictionary.sql
    page.screenshot(path=str(root / "scope_summary_columns.png"), full_page=True)
    page.goto(f"{url}/assets/marts/scope_summary?view=checks", wait_until="networkidle")
    page.get_by_text("inventory_adds_up").first.click()
    page.get_by_text("offending_rows").first.wait_for(timeout=60_000)
    assert "offending_rows" in page.inner_text("body")
    page.screenshot(path=str(root / "check_metadata.png"), full_page=True)
    page.close()
