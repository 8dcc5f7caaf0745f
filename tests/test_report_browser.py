"""The HTML report in a real browser: Debian's headless Chromium opens the report of the bundled
fixtures (``fixtures/report/hostile-diagnostic.eml`` carries ``<script>``, ``<img onerror>`` and
``javascript:`` in its diagnostic, subject and campaign header). Every chart must render with
marks, the console must stay free of errors (a CSP refusal is one), no request may leave the page,
and none of the hostile text may run. A screenshot is kept as a build artefact
(``$CI_ARTIFACTS/report.png``, else ``build/report.png``)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from dsnparse.cli import main

from .conftest import FIXTURES

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
ROOT = FIXTURES.parent

pytestmark = pytest.mark.skipif(
    not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)),
    reason="needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver; .ci/run does)",
)


def _artefacts() -> Path:
    folder = Path(os.environ.get("CI_ARTIFACTS") or ROOT / "build")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The fixtures' report loaded in headless Chromium; yields (driver, page URL)."""
    pytest.importorskip("plotly")
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    report = tmp_path_factory.mktemp("report") / "report.html"
    assert main(["report", str(FIXTURES), "-j", "1", "--header", "X-Campaign", "--format", "html",
                 "-o", str(report)]) == 0
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=1200,900"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    with pytest.MonkeyPatch.context() as env:
        env.setenv("SE_OFFLINE", "true")  # Selenium Manager must never download a driver or a browser
        driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
        try:
            url = report.as_uri()
            driver.get(url)
            yield driver, url
        finally:
            driver.quit()


def _charts(driver: Any) -> list[dict[str, Any]]:
    return list(driver.execute_script(
        "return Array.from(document.querySelectorAll('div.chart')).map(function (el) {"
        "  return {id: el.id, svg: el.querySelectorAll('svg.main-svg').length,"
        "          marks: el.querySelectorAll('g.point path').length}; });"
    ))


def test_every_chart_renders_with_marks(page: Any) -> None:
    driver, _ = page
    expected = json.loads(driver.execute_script("return document.getElementById('chart-data').textContent"))
    charts = _charts(driver)
    assert [c["id"] for c in charts] == [c["id"] for c in expected]
    assert len(charts) >= 6
    for chart, data in zip(charts, expected, strict=True):
        assert chart["svg"] >= 1, chart
        assert chart["marks"] == len(data["values"]), chart


def test_the_console_has_no_errors(page: Any) -> None:
    driver, _ = page
    errors = [e for e in driver.get_log("browser") if e["level"] in ("SEVERE", "ERROR")]
    assert errors == []


def test_no_request_leaves_the_page(page: Any) -> None:
    driver, url = page
    requested = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            requested.append(message["params"]["request"]["url"])
    assert [u for u in requested if u != url] == []
    assert driver.execute_script("return performance.getEntriesByType('resource').length") == 0


def test_hostile_text_is_shown_and_never_runs(page: Any) -> None:
    driver, _ = page
    assert driver.execute_script("return typeof window.pwned") == "undefined"
    assert driver.execute_script("return document.querySelectorAll('main img, main script').length") == 0
    assert driver.execute_script("return document.querySelectorAll('a[href^=\"javascript\"], [onerror]').length") == 0
    text = driver.execute_script("return document.querySelector('main').textContent")
    assert "<img src=x onerror=\"window.pwned='campaign'\">march-news" in text
    assert "<script>window.pwned='script'</script>" in text  # the incident's representative reply
    labels = driver.execute_script(
        "return Array.from(document.querySelectorAll('div.chart text')).map(function (t) { return t.textContent; })"
    )
    assert any("onerror" in t for t in labels)  # the campaign chart shows the header as text


def test_only_packaged_urls_are_links(page: Any) -> None:
    from dsnparse.io.report_html import trusted_urls

    driver, _ = page
    links = driver.execute_script("return Array.from(document.links).map(function (a) { return a.href; })")
    assert links, "the incidents link their catalogue help pages"
    assert all(link.startswith("https://") for link in links)
    assert set(links) <= {u for u in trusted_urls()} | {u + "/" for u in trusted_urls()}


def test_a_full_page_screenshot_is_kept(page: Any) -> None:
    driver, _ = page
    height = int(driver.execute_script("return document.documentElement.scrollHeight"))
    driver.set_window_size(1200, min(height + 40, 12000))
    target = _artefacts() / "report.png"
    assert driver.save_screenshot(str(target))
    assert target.stat().st_size > 10_000
