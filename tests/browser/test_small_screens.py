"""No page of any role scrolls sideways, at 320 px (a small phone, or 1280 px at 400 % zoom), at
640 px (200 % zoom) and at 1280 px: wide tables scroll inside their own box. The menu on a phone
is behind GOV.UK's "Menu" button. Each page's links are followed from the pages the person
reaches, so detail pages are checked too."""

import pytest

from tests.browser.test_pages import JOURNEYS, _sign_in, demo_force  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (320, 640, 1280)
SIDEWAYS = "document.documentElement.scrollWidth - document.documentElement.clientWidth"
# Detail pages: the first link on a list page to each of these.
DETAILS = ("/cases/", "/register/", "/handovers/", "/incidents/")


def _detail_links(page) -> list[str]:
    hrefs = page.eval_on_selector_all("main a[href]", "els => els.map(a => a.getAttribute('href'))")
    found = {}
    for href in hrefs:
        for prefix in DETAILS:
            rest = href[len(prefix) :] if href.startswith(prefix) else ""
            if rest[:1].isdigit() and prefix not in found:
                found[prefix] = href
    return list(found.values())


@pytest.mark.parametrize("username", ["officer", "supervisor", "press", "auditor"])
def test_no_page_scrolls_sideways(browser, live_server, demo_force, username):  # noqa: F811
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    _sign_in(page, live_server.url, username)
    paths = [*JOURNEYS[username], "/me/", "/verify/"]
    seen = set(paths)
    for path in list(paths):
        page.goto(f"{live_server.url}{path}")
        for href in _detail_links(page):
            if href not in seen:
                seen.add(href)
                paths.append(href)
    problems = {}
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        for path in paths:
            page.goto(f"{live_server.url}{path}")
            overflow = page.evaluate(SIDEWAYS)
            if overflow > 0:
                problems[f"{width}px {path}"] = overflow
    context.close()
    assert problems == {}, problems


def test_the_phone_menu_is_a_button(browser, live_server, demo_force):  # noqa: F811
    context = browser.new_context(viewport={"width": 320, "height": 700})
    page = context.new_page()
    _sign_in(page, live_server.url, "officer")
    toggle = page.get_by_role("button", name="Menu")
    assert toggle.is_visible()
    assert toggle.get_attribute("aria-expanded") == "false"
    assert not page.get_by_role("link", name="Your account").is_visible()
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    page.get_by_role("link", name="Your account").click()
    page.wait_for_url(f"{live_server.url}/me/")
    page.set_viewport_size({"width": 1280, "height": 800})
    assert not page.get_by_role("button", name="Menu").is_visible()
    top = page.eval_on_selector_all(
        ".govuk-service-navigation__item", "els => new Set(els.map(e => e.offsetTop)).size"
    )
    assert top == 1, "the menu wraps onto a second row at 1280 px"
    context.close()
