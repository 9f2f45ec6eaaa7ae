"""The dashboard and the classroom in a real browser."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.slow  # training, evaluation, sweeps or a browser: make test

TIMEOUT = 30_000  # ms: the first page load compiles the page's scripts


def open_page(page, url):
    page.goto(url)
    page.get_by_text("Allowance price").first.wait_for(timeout=TIMEOUT)


def test_page_loads_without_error(page_session, app_url, screenshot):
    errors = []
    page_session.on("pageerror", lambda err: errors.append(str(err)))
    open_page(page_session, app_url)
    for title in ("Order book", "Emissions and the cap", "Firms", "Allocation per firm and year"):
        expect(page_session.get_by_text(title).first).to_be_visible()
    expect(page_session.get_by_text("round 0 of 500")).to_be_visible()
    expect(page_session.get_by_text("Traceback")).to_have_count(0)
    screenshot(page_session)
    assert errors == []


def choose(page, label, option):
    page.get_by_label(label).click(force=True)
    page.get_by_role("option", name=option, exact=True).click()


def price_chart(page):
    return page.locator(".v-card", has_text="Allowance price").first


def test_step_advances_the_round_and_redraws_the_price_chart(page_session, app_url, screenshot):
    open_page(page_session, app_url)
    # A baseline that allocates in year 1 (the learned regulator may release nothing then).
    choose(page_session, "government policy", "decreasing-size")
    page_session.get_by_role("button", name="Reset").click()
    expect(page_session.get_by_text("policy: decreasing-size")).to_be_visible()
    before = price_chart(page_session).screenshot()
    step = page_session.get_by_role("button", name="Step")
    for rounds in range(1, 16):
        step.click()
        expect(page_session.get_by_text(f"round {rounds} of 500")).to_be_visible()
    page_session.wait_for_timeout(500)  # the chart draws after the text updates
    assert price_chart(page_session).screenshot() != before
    screenshot(page_session)


def classroom(page, url):
    page.goto(url + "/classroom")
    page.get_by_role("button", name="Next 10 rounds").wait_for(timeout=TIMEOUT)


def place(page, side, price):
    page.get_by_role("button", name=side).click()
    field = page.get_by_label("price")
    field.fill(str(price))
    page.get_by_role("button", name="Place order").click()


def test_classroom_orders_rest_in_the_book_and_crossing_ones_trade(
    page_session, app_url, screenshot
):
    classroom(page_session, app_url)
    page_session.get_by_role("button", name="Next round").click()  # the first offers arrive
    expect(page_session.get_by_text("round 1 of 500")).to_be_visible()
    expect(page_session.get_by_text(re.compile(r"best ask \d+"))).to_be_visible()
    place(page_session, "buy", 0)
    expect(page_session.get_by_text(re.compile(r"buy 1 at 0: order \d+ rests"))).to_be_visible()
    expect(page_session.get_by_text(re.compile(r"order \d+: buy 1 at 0"))).to_be_visible()
    screenshot(page_session, "resting")
    place(page_session, "buy", 20)  # the ceiling crosses the best ask
    expect(page_session.get_by_text(re.compile(r"buy 1 at 20: traded 1 allowance"))).to_be_visible()
    screenshot(page_session, "traded")


def test_two_browsers_do_not_share_a_model(browser, app_url, screenshot):
    first, second = browser.new_context(), browser.new_context()
    try:
        a, b = first.new_page(), second.new_page()
        open_page(a, app_url)
        open_page(b, app_url)
        for _ in range(3):
            a.get_by_role("button", name="Step").click()
        expect(a.get_by_text("round 3 of 500")).to_be_visible()
        b.reload()
        b.get_by_text("Allowance price").first.wait_for(timeout=TIMEOUT)
        expect(b.get_by_text("round 0 of 500")).to_be_visible()
        classroom(a, app_url)
        classroom(b, app_url)
        a.get_by_role("button", name="Next round").click()
        expect(a.get_by_text("round 1 of 500")).to_be_visible()
        expect(b.get_by_text("round 0 of 500")).to_be_visible()
        screenshot(a, "first")
        screenshot(b, "second")
    finally:
        first.close()
        second.close()


def test_reset_rebuilds_the_market_or_shows_why_not(page_session, app_url, screenshot):
    open_page(page_session, app_url)
    choose(page_session, "government policy", "flat-benchmarking")
    page_session.get_by_role("button", name="Reset").click()
    expect(page_session.get_by_text("policy: flat-benchmarking")).to_be_visible()
    choose(page_session, "government policy", "scenario")  # impossible with the paper's firms
    page_session.get_by_role("button", name="Reset").click()
    expect(page_session.get_by_text(re.compile(r"not applied: government\.policy"))).to_be_visible()
    page_session.get_by_role("button", name="Step").click()  # the rejected market does not play
    expect(page_session.get_by_role("button", name="Step")).to_be_disabled()
    expect(page_session.get_by_text("round 0 of 500")).to_be_visible()
    expect(page_session.get_by_text("Traceback")).to_have_count(0)
    screenshot(page_session)
