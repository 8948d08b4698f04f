"""The search page in a real browser (Debian's chromium, headless, driven by selenium):
what a colleague does with it, step by step, on the seeds plus an article full of HTML.

Skips with the reason where chromium or its driver is missing; CI installs both.
``SEARCHKIT_SCREENSHOTS=DIR`` keeps the screenshots (the README's picture is one).
"""
from __future__ import annotations

import csv
import io
import os
import urllib.request
from pathlib import Path
from typing import Any, Callable

import pytest

from searchkit import SearchKit
from tests.support.web import chromium, running

WAIT = 20


@pytest.fixture(scope="module")
def site(web_config: Path):
    kit = SearchKit.open(web_config)
    try:
        with running(kit) as url:
            yield url
    finally:
        kit.close()


@pytest.fixture(scope="module")
def browser(site: str):
    driver = chromium()
    yield driver
    driver.quit()


def until(driver: Any, check: Callable[[Any], Any], what: str) -> Any:
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    def attempt(d: Any) -> Any:
        try:
            return check(d)
        except (IndexError, StaleElementReferenceException, ValueError):  # the page is still drawing
            return False

    return WebDriverWait(driver, WAIT).until(attempt, message=what)


def css(driver: Any, selector: str) -> list[Any]:
    from selenium.webdriver.common.by import By

    return driver.find_elements(By.CSS_SELECTOR, selector)


def total(driver: Any) -> int:
    # Read inside the wait: a render under way replaces the element (stale), and "0" is truthy.
    return int(until(driver, lambda d: css(d, "#total")[0].get_attribute("data-total"), "a total"))


def shot(driver: Any, name: str) -> None:
    folder = os.environ.get("SEARCHKIT_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(Path(folder) / name))


def search(driver: Any, site: str, query: str) -> int:
    from selenium.webdriver.common.keys import Keys

    driver.get(site + "/")
    box = until(driver, lambda d: css(d, 'input[type="search"][name="q"]')[0], "the search box")
    box.clear()
    box.send_keys(query, Keys.ENTER)
    # The page's title names the query once its answer is drawn (the old hits linger till then).
    until(driver, lambda d: d.title.startswith(query) and css(d, "article.hit"), "hits")
    return total(driver)


def test_type_a_query_see_marks_narrow_by_a_facet_and_go_back(browser: Any, site: str) -> None:
    search(browser, site, "Bagdad ambassade")
    shot(browser, "serve.png")  # the README's picture
    everything = search(browser, site, "roquettes")
    marks = css(browser, "article.hit .snippet mark")
    assert marks and all(m.text.lower().startswith("roquette") for m in marks)
    url_before = browser.current_url
    facet = until(browser, lambda d: css(d, 'button.facet[data-facet="person"][data-value="Joe Biden"]')[0], "the Joe Biden facet")
    expected = int(facet.find_element("css selector", ".count").text)
    facet.click()
    until(browser, lambda d: "person=Joe+Biden" in d.current_url, "the filter in the URL")
    until(browser, lambda d: total(d) == expected, "the count narrowed to the facet's")
    assert expected < everything
    assert css(browser, '.chip[data-chip="person"][data-value="Joe Biden"]')
    browser.back()
    until(browser, lambda d: d.current_url == url_before and total(d) == everything, "back to every article")
    browser.forward()
    until(browser, lambda d: "person=Joe+Biden" in d.current_url and total(d) == expected, "forward again")
    browser.refresh()
    until(browser, lambda d: total(d) == expected and css(d, ".chip"), "a reload shows the same search")
    css(browser, ".chip .remove")[0].click()
    until(browser, lambda d: "person=" not in d.current_url and total(d) == everything, "the chip removed")


def test_exclude_a_value_and_filter_by_a_month(browser: Any, site: str) -> None:
    everything = search(browser, site, "roquettes")
    css(browser, 'button.exclude[data-exclude="person"][data-value="Joe Biden"]')[0].click()
    until(browser, lambda d: "not_person=Joe+Biden" in d.current_url, "the exclusion in the URL")
    until(browser, lambda d: total(d) < everything, "fewer articles")
    assert css(browser, '.chip.excluded[data-value="Joe Biden"]')
    assert not [a for a in css(browser, "article.hit a.actor") if a.text == "Joe Biden"]
    browser.get(site + "/?q=roquettes")
    bar = until(browser, lambda d: [b for b in css(d, ".timeline .bar") if b.is_enabled()][0], "a month bar")
    period = bar.get_attribute("data-period")
    bar.click()
    until(browser, lambda d: f"published={period}" in d.current_url, "the month in the URL")
    assert all(h.text.startswith(period) for h in css(browser, "article.hit .date"))


def test_open_an_article_and_step_through_its_matches(browser: Any, site: str) -> None:
    from selenium.webdriver.common.keys import Keys

    search(browser, site, "ambassade")
    css(browser, "article.hit h2 a.title")[0].click()
    until(browser, lambda d: "doc=" in d.current_url and css(d, "#doc-body"), "the article")
    marks = css(browser, "#doc-body mark.match")
    assert len(marks) >= 2 and all("ambassade" in m.text.lower() for m in marks)
    position = css(browser, "#match-pos")[0]
    until(browser, lambda d: position.text == f"Occurrence 1 sur {len(marks)}", "at the first match")
    css(browser, "#next-match")[0].click()
    until(browser, lambda d: position.text == f"Occurrence 2 sur {len(marks)}", "the next match")
    assert "current" in marks[1].get_attribute("class")
    browser.find_element("css selector", "body").send_keys("p")
    until(browser, lambda d: position.text == f"Occurrence 1 sur {len(marks)}", "p: the previous match")
    css(browser, "#prev-match")[0].click()
    until(browser, lambda d: position.text == f"Occurrence {len(marks)} sur {len(marks)}", "wraps to the last")
    until(browser, lambda d: css(d, "#similar li a"), "similar articles")
    browser.find_element("css selector", "body").send_keys(Keys.ESCAPE)
    until(browser, lambda d: "doc=" not in d.current_url and css(d, "article.hit"), "Escape: back to the results")


def test_an_actor_page_merges_spellings(browser: Any, site: str) -> None:
    browser.get(site + "/?q=roquettes")
    link = until(browser, lambda d: [a for a in css(d, "article.hit a.actor") if a.text == "Moustafa al-Kazimi"][0], "an actor link")
    link.click()
    until(browser, lambda d: css(d, "#actor-name") and css(d, "#actor-name")[0].text == "Moustafa al-Kazimi", "the actor page")
    assert "Mustafa Kadhimi" in browser.find_element("css selector", "#view").text  # another spelling, merged
    assert css(browser, "table.assoc tbody tr")
    css(browser, "#actor-articles")[0].click()
    until(browser, lambda d: "person=Moustafa+al-Kazimi" in d.current_url and total(d) >= 1, "his articles")


def test_export_is_the_current_search(browser: Any, site: str) -> None:
    browser.get(site + "/?q=roquettes&place=Bagdad")
    count = total(browser)
    link = until(browser, lambda d: css(d, 'a.export[data-format="csv"]')[0], "the CSV link")
    with urllib.request.urlopen(link.get_attribute("href"), timeout=30) as response:
        rows = list(csv.DictReader(io.StringIO(response.read().decode("utf-8-sig"))))
    assert len(rows) == count
    assert [r["id"] for r in rows] == [a.get_attribute("data-id") for a in css(browser, "article.hit")]


def test_an_article_full_of_html_shows_as_text(browser: Any, site: str) -> None:
    search(browser, site, "balises")
    hit = css(browser, "article.hit")[0]
    assert "<script>" in hit.find_element("css selector", "h2").text
    assert not hit.find_elements("css selector", "script, img, b")
    hit.find_element("css selector", "a.title").click()
    body = until(browser, lambda d: css(d, "#doc-body")[0], "the article")
    assert '<img src=x onerror="window.__xss = 2">' in body.text and "<b>balises</b>" in body.text
    assert not body.find_elements("css selector", "img, b, script")
    assert browser.execute_script("return window.__xss === undefined")


def test_keyboard_and_phone(browser: Any, site: str) -> None:
    from selenium.webdriver.common.keys import Keys

    browser.get(site + "/?q=roquettes")
    until(browser, lambda d: css(d, "article.hit"), "hits")
    browser.find_element("css selector", "body").send_keys("/")
    assert browser.switch_to.active_element.get_attribute("id") == "q"
    # Tab reaches the facets, and Enter on a facet filters.
    facet = css(browser, "button.facet")[0]
    browser.execute_script("arguments[0].focus()", facet)
    browser.switch_to.active_element.send_keys(Keys.ENTER)
    until(browser, lambda d: css(d, ".chip"), "a facet chosen by keyboard")
    browser.set_window_size(390, 844)
    try:
        browser.get(site + "/?q=roquettes")
        until(browser, lambda d: css(d, "article.hit"), "hits on a phone")
        assert browser.execute_script("return document.documentElement.scrollWidth <= document.documentElement.clientWidth")  # no sideways scrolling
        shot(browser, "serve-phone.png")
    finally:
        browser.set_window_size(1280, 900)


def test_errors_and_related_have_their_place(browser: Any, site: str) -> None:
    browser.get(site + "/?q=titr:Bagdad")
    error = until(browser, lambda d: [e for e in css(d, "#error") if e.is_displayed()][0], "the error")
    assert "titr" in error.text
    browser.get(site + "/?q=zzzqqqxxw")
    until(browser, lambda d: total(d) == 0 and css(d, ".empty"), "nothing found, said so")


def test_related_by_meaning_under_its_own_heading(browser: Any, meaning_kit: SearchKit) -> None:
    """Hybrid mode, a question in English that no word of the articles answers: nothing
    counted, the article found by meaning listed apart under "Liés par le sens"."""
    with running(meaning_kit) as url:
        browser.get(url + "/?q=rockets+fired+at+the+US+embassy+in+Baghdad")
        section = until(browser, lambda d: css(d, "section#related")[0], "the related section")
        assert total(browser) == 0 and css(browser, ".empty")
        assert section.find_element("css selector", "h2").text == "Liés par le sens"
        assert [a.get_attribute("data-id") for a in section.find_elements("css selector", "article.hit")] == ["bagdad"]
        browser.get(url + "/?q=comment+renouveler+mon+passeport")  # off topic: nothing, and nothing related
        until(browser, lambda d: total(d) == 0 and css(d, ".empty"), "nothing found")
        assert not css(browser, "section#related")
