"""A rep and a manager at work in a real browser (headless Chromium), with a screenshot of each main page.

The screenshots land in test-artifacts/screenshots/ for a person to look at. These tests run in the PostgreSQL pass
of `make test`: the live server needs a database that test teardown can empty despite the history's guards."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as seen
from selenium.webdriver.support.ui import Select, WebDriverWait

from leadpact.handoff.tests.helpers import ny

pytestmark = [pytest.mark.django_db(transaction=True),
              pytest.mark.skipif("postgres" not in os.environ.get("LEADPACT_DATABASE_URL", ""),
                                 reason="live server: the PostgreSQL pass runs it")]
SHOTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "screenshots"
PASSWORD = "correct-horse-1"


@pytest.fixture(scope="module")
def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=1280,1000"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    SHOTS.mkdir(parents=True, exist_ok=True)
    yield driver
    driver.quit()


@pytest.fixture
def app(live_server, browser, arrive, clock_at):
    """Ann, a lead handed to Cy on Monday 9:00 New York, and Bob, handed to Dee; the browser signed out (passwords:
    the `people` fixture)."""
    clock_at(ny(2026, 12, 7, 9, 20))
    leads = [arrive(ny(2026, 12, 7, 9), first_name=name, last_name="Lee") for name in ("Ann", "Bob")]
    browser.delete_all_cookies()
    return live_server.url, leads


def sign_in(browser, url: str, email: str) -> None:
    browser.get(url + "/login")
    browser.find_element(By.ID, "id_username").send_keys(email)
    browser.find_element(By.ID, "id_password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    WebDriverWait(browser, 10).until(lambda b: not b.current_url.endswith("/login"))  # the login page has an h1 too
    WebDriverWait(browser, 10).until(seen.presence_of_element_located((By.CSS_SELECTOR, "main h1")))


def shot(browser, name: str) -> None:
    browser.save_screenshot(str(SHOTS / f"{name}.png"))


def row(browser, lead) -> object:
    return browser.find_element(By.ID, f"lead-{lead.pk}")


def wait_for(browser, condition, seconds: float = 10):
    return WebDriverWait(browser, seconds).until(condition)


def test_a_rep_accepts_logs_an_attempt_and_hands_a_lead_back_without_leaving_the_inbox(browser, app):
    url, (ann, bob) = app
    sign_in(browser, url, "cy@acme.example")
    assert browser.current_url.endswith("/inbox")
    shot(browser, "inbox")
    countdown = row(browser, ann).find_element(By.CSS_SELECTOR, ".clock .clock-left").text
    assert countdown.endswith("of business time left")

    row(browser, ann).find_element(By.XPATH, ".//button[text()='Accept']").click()
    wait_for(browser, lambda b: "Convert" in row(b, ann).text)
    assert browser.current_url.endswith("/inbox")

    row(browser, ann).find_element(By.XPATH, ".//summary[text()='Log attempt']").click()
    form = row(browser, ann).find_element(By.CSS_SELECTOR, "form[action$='/attempt']")
    Select(form.find_element(By.NAME, "channel")).select_by_value("phone")
    Select(form.find_element(By.NAME, "outcome")).select_by_value("connected")
    form.find_element(By.NAME, "note").send_keys("wants a call in spring")
    form.find_element(By.CSS_SELECTOR, "button").click()
    wait_for(browser, lambda b: "Log attempt 2" in row(b, ann).get_attribute("textContent"))

    row(browser, ann).find_element(By.XPATH, ".//summary[text()='Hand back']").click()
    back = row(browser, ann).find_element(By.CSS_SELECTOR, "form[action$='/recycle']")
    Select(back.find_element(By.NAME, "reason")).select_by_value("not_ready_yet")
    back.find_element(By.CSS_SELECTOR, "button").click()
    wait_for(browser, lambda b: "off your list" in row(b, ann).text)
    shot(browser, "inbox-after-actions")

    browser.get(f"{url}/leads/{ann.pk}")
    shot(browser, "lead")
    assert "recycle" in browser.page_source and "wants a call in spring" in browser.page_source
    browser.get(url + "/inbox")
    assert "Ann Lee" not in browser.page_source and "Bob Lee" not in browser.page_source  # back with marketing; Dee's


def test_a_manager_reassigns_a_breached_lead_from_the_board(browser, app, clock_at):
    url, (ann, _) = app
    clock_at(ny(2026, 12, 7, 13, 30))  # Cy has not called Ann: the 4-hour response SLA ran out at 13:00
    sign_in(browser, url, "raj@acme.example")
    assert browser.current_url.endswith("/board")
    shot(browser, "board")
    breached = browser.find_element(By.XPATH, "//section[.//h2[starts-with(., 'Breached now')]]")
    entry = breached.find_element(By.XPATH, f".//li[.//a[contains(@href, '/leads/{ann.pk}')]]")
    entry.find_element(By.TAG_NAME, "summary").click()
    Select(entry.find_element(By.NAME, "owner")).select_by_value("dee@acme.example")
    entry.find_element(By.NAME, "reason").send_keys("Cy is out sick")
    entry.find_element(By.CSS_SELECTOR, "form button").click()
    wait_for(browser, seen.presence_of_element_located((By.CSS_SELECTOR, ".notice")))
    assert "Given to dee@acme.example" in browser.page_source
    ann.refresh_from_db()
    assert ann.owner.email == "dee@acme.example"


def test_screenshots_of_the_other_main_pages(browser, app):
    url, _ = app
    sign_in(browser, url, "admin@acme.example")
    for path, name in (("/leads", "leads"), ("/marketing", "marketing"), ("/pact", "agreement"),
                       ("/pact/propose", "propose"), ("/admin", "admin"), ("/reports/funnel", "report-funnel"),
                       ("/reports/sla", "report-sla"), ("/reports/definition", "report-definition"),
                       ("/advice", "advice")):
        browser.get(url + path)
        assert browser.find_element(By.CSS_SELECTOR, "main h1").text
        shot(browser, name)
    assert len(list(SHOTS.glob("*.png"))) >= 5


def test_the_inbox_on_a_phone(browser, app):
    url, _ = app
    browser.set_window_size(390, 844)
    try:
        sign_in(browser, url, "cy@acme.example")
        shot(browser, "inbox-phone")
        width = browser.execute_script("return document.documentElement.scrollWidth")
        assert width <= 400, "the page must not scroll sideways on a phone"
    finally:
        browser.set_window_size(1280, 1000)
