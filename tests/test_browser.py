"""End to end in a real browser: headless Chromium drives `newsindex serve` on a loopback port.

Skips where Selenium, Chromium or chromedriver is missing (`.ci/run` installs
Debian's `chromium` and `chromium-driver`). The driver path is passed
explicitly, so Selenium Manager never downloads anything. Screenshots of each
step are saved in the test's tmp folder.
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers import newsroom

from newsindex import Index

pytest.importorskip("starlette")
pytest.importorskip("uvicorn")
pytest.importorskip("selenium")

import uvicorn
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from newsindex._serve import create_app

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
FLAGS = (
    "--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking "
    "--disable-component-update --disable-sync --window-size=1280,1000"
).split()

pytestmark = pytest.mark.skipif(not (CHROMIUM and CHROMEDRIVER), reason="no chromium + chromedriver installed")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    path = tmp_path_factory.mktemp("browser") / "index"
    with Index(path, procs=1) as ix:
        ix.add(newsroom(300))
    app = create_app(path)
    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(10)
    app.state.pool.close()


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Any]:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path / 'profile'}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


def _count(driver: Any) -> int:
    el = WebDriverWait(driver, 10).until(ec.presence_of_element_located((By.CSS_SELECTOR, ".count-number")))
    return int(el.get_attribute("data-total"))


def _no_console_errors(driver: Any) -> None:
    """Nothing refused by the Content-Security-Policy, no script errors."""
    severe = [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    assert severe == []


def test_search_facet_timeline_article(server: str, browser: Any, tmp_path: Path):
    d = browser
    d.get(server + "/")
    assert "Search the news" in d.find_element(By.TAG_NAME, "h1").text
    d.save_screenshot(str(tmp_path / "0-home.png"))

    # "/" focuses the query box (JavaScript); type a query and press Enter.
    d.find_element(By.TAG_NAME, "body").send_keys("/")
    box = d.switch_to.active_element
    assert box.get_attribute("id") == "q"
    box.send_keys('"ballistic missiles" OR wheat OR putin', Keys.ENTER)
    total = _count(d)
    assert total == 302  # the seed, the follow-up (putin) and 300 wheat stories
    d.save_screenshot(str(tmp_path / "1-results.png"))
    _no_console_errors(d)

    # Click a person in the facets: a removable filter appears and the count drops.
    d.find_element(By.XPATH, "//a[contains(@class,'facet-person')][.//span[text()='Kim Jong Un']]").click()
    narrowed = _count(d)
    assert narrowed == 2
    filters = [el.text for el in d.find_elements(By.CSS_SELECTOR, ".filter-text")]
    assert filters == ['person:"Kim Jong Un"']
    d.save_screenshot(str(tmp_path / "2-person-filter.png"))

    # Keyboard: a timeline bar is a link that takes focus and opens with Enter.
    bar = d.find_elements(By.CSS_SELECTOR, "a.bar-link")[-1]
    d.execute_script("arguments[0].focus()", bar)
    assert d.switch_to.active_element == bar
    d.switch_to.active_element.send_keys(Keys.ENTER)
    assert _count(d) == 1
    assert [el.text for el in d.find_elements(By.CSS_SELECTOR, ".filter-text")][-1] == "published:2023-09-17"
    d.back()
    assert _count(d) == 2

    # Click the first bar of the timeline (by day: 13 to 17 September 2023).
    bars = d.find_elements(By.CSS_SELECTOR, "a.bar-link")
    assert len(bars) == 2
    first = bars[0].get_attribute("aria-label")
    assert first.startswith("13 Sep 2023: 1 article")
    d.execute_script("arguments[0].scrollIntoView({block: 'center'})", bars[0])
    bars[0].find_element(By.CSS_SELECTOR, "rect.bar").click()
    assert _count(d) == 1
    filters = [el.text for el in d.find_elements(By.CSS_SELECTOR, ".filter-text")]
    assert filters == ['person:"Kim Jong Un"', "published:2023-09-13"]
    d.save_screenshot(str(tmp_path / "3-timeline-day.png"))

    # Open the article: its people are marked.
    d.find_element(By.CSS_SELECTOR, ".hit-title a").click()
    WebDriverWait(d, 10).until(ec.presence_of_element_located((By.CSS_SELECTOR, ".article-body")))
    # Each mark reads "Putin (person)" to a screen reader: the label is visually hidden text.
    marks = [el.text.split("\n") for el in d.find_elements(By.CSS_SELECTOR, ".article a.ent-person")]
    assert all(label == "(person)" for _, label in marks)
    people = {name for name, _ in marks}
    assert {"Kim Jong Un", "Putin"} <= people
    assert d.find_elements(By.CSS_SELECTOR, ".article a.ent-location")
    d.save_screenshot(str(tmp_path / "4-article.png"))
    _no_console_errors(d)

    # A person mark searches for that person.
    d.find_element(By.XPATH, "//article//a[contains(@class,'ent-person')][text()='Putin']").click()
    assert _count(d) == 2
    assert d.find_element(By.ID, "q").get_attribute("value") == 'person:"Vladimir Putin"'


def test_bad_query_and_phone_width(server: str, browser: Any, tmp_path: Path):
    d = browser
    d.get(server + "/?q=kim+%22ballistic")
    assert "could not be read" in d.find_element(By.TAG_NAME, "h1").text
    assert d.find_element(By.CSS_SELECTOR, ".error-at").text == '"'
    d.save_screenshot(str(tmp_path / "5-error.png"))
    d.set_window_size(390, 844)
    d.get(server + "/?q=wheat")
    assert _count(d) == 300
    width = d.execute_script("return document.documentElement.scrollWidth")
    assert width <= 390, "the page scrolls sideways on a phone"
    d.save_screenshot(str(tmp_path / "6-phone.png"))


def test_works_without_javascript(server: str, tmp_path: Path):
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path / 'nojs'}")
    options.add_experimental_option("prefs", {"profile.managed_default_content_settings.javascript": 2})
    d = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    try:
        d.get(server + "/")
        d.find_element(By.ID, "q").send_keys("wheat", Keys.ENTER)
        assert _count(d) == 300
        d.find_element(By.XPATH, "//a[contains(@class,'facet-person')][.//span[text()='Trader 1']]").click()
        assert _count(d) == 60
        d.find_element(By.CSS_SELECTOR, ".filter-remove").click()
        assert _count(d) == 300
    finally:
        d.quit()
