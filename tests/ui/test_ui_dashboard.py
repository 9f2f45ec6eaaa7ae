"""The dashboard and the classroom in a real browser."""

import re

import pytest
from playwright.sync_api import expect

from dashboard.price_chart import COLOURS, VWAP

pytestmark = pytest.mark.slow  # training, evaluation, sweeps or a browser: make test

TIMEOUT = 30_000  # ms: the first page load compiles the page's scripts


def open_page(page, url):
    page.goto(url)
    page.get_by_text("Allowance price").first.wait_for(timeout=TIMEOUT)


def test_page_loads_and_steps_without_error_or_console_warning(page_session, app_url, screenshot):
    errors, warnings = [], []
    page_session.on("pageerror", lambda err: errors.append(str(err)))
    page_session.on(
        "console", lambda msg: warnings.append(msg.text) if msg.type == "warning" else None
    )
    open_page(page_session, app_url)
    for title in ("Order book", "Emissions and the cap", "Firms", "Allocation per firm and year"):
        expect(page_session.get_by_text(title).first).to_be_visible()
    expect(page_session.get_by_text("round 0 of 500")).to_be_visible()
    step_to(page_session, 5)
    expect(page_session.get_by_text(re.compile(r"\d+ trades so far"))).to_be_visible()
    expect(page_session.get_by_text("Traceback")).to_have_count(0)
    screenshot(page_session)
    assert errors == []
    # Vega's own warnings (a Vega-Lite version mismatch, an empty extent) name Vega or WARN.
    assert [w for w in warnings if "Vega" in w or "WARN" in w] == []


def choose(page, label, option):
    page.get_by_label(label).click(force=True)
    page.get_by_role("option", name=option, exact=True).click()


def press_until_shown(control, key, shown, attempts=10):
    """Press `key` on `control` until `shown` is visible.

    A re-render that the server sends after the control unlocks (on a loaded machine it can
    come seconds later) replaces the element and drops a key pressed before it; pressing again
    is harmless for keys that go to a fixed end (Home, End).
    """
    for _ in range(attempts - 1):
        control.focus()
        control.press(key)
        try:
            expect(shown).to_be_visible(timeout=TIMEOUT // attempts)
            return
        except AssertionError:
            continue
    control.focus()
    control.press(key)
    expect(shown).to_be_visible()


def price_chart(page):
    return page.locator(".v-card", has_text="Allowance price").first


def step_to(page, rounds):
    step = page.get_by_role("button", name="Step")
    for done in range(1, rounds + 1):
        step.click()
        expect(page.get_by_text(re.compile(rf"round {done} of \d+"))).to_be_visible()


# Pixels of the VWAP's own colour in the price chart's canvas, above its legend (whose VWAP
# symbol has the same colour): the VWAP's points and line where they are not hidden.
VWAP_PIXELS = f"""canvas => {{
    const [r, g, b] = [1, 3, 5].map(i => parseInt("{COLOURS[VWAP]}".slice(i, i + 2), 16));
    const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height - 40);
    let count = 0;
    for (let i = 0; i < data.data.length; i += 4) {{
        if (data.data[i] === r && data.data[i + 1] === g && data.data[i + 2] === b) count++;
    }}
    return count;
}}"""
# The price chart (the card titled "Allowance price") shows its VWAP: more than a legend's worth.
VWAP_DRAWN = f"""() => {{
    const card = [...document.querySelectorAll(".v-card")]
        .find(c => c.textContent.includes("Allowance price"));
    const canvas = card && card.querySelector("canvas");
    return Boolean(canvas) && ({VWAP_PIXELS})(canvas) > 30;
}}"""


def test_step_advances_the_round_and_draws_the_vwap(page_session, app_url, screenshot):
    open_page(page_session, app_url)
    choose(page_session, "government policy", "decreasing-size")  # trades in rounds 3 to 5
    page_session.get_by_role("button", name="Reset").click()
    expect(page_session.get_by_text("policy: decreasing-size")).to_be_visible()
    step_to(page_session, 15)
    page_session.wait_for_function(VWAP_DRAWN, timeout=TIMEOUT)
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
        step_to(a, 3)
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


def test_a_rejected_reset_disables_play_and_step_at_once(page_session, app_url, screenshot):
    open_page(page_session, app_url)
    choose(page_session, "government policy", "flat-benchmarking")
    page_session.get_by_role("button", name="Reset").click()
    expect(page_session.get_by_text("policy: flat-benchmarking")).to_be_visible()
    page_session.get_by_label("apply the sliders below").check(force=True)
    budget = page_session.locator(".v-input", has_text="budget:").get_by_role("slider")
    expect(budget).to_be_enabled()  # the tick reaches the server before the slider unlocks
    press_until_shown(budget, "Home", page_session.get_by_text("budget: 0 allowances"))
    page_session.get_by_role("button", name="Reset").click()
    expect(page_session.get_by_text(re.compile(r"not applied: market\.budget"))).to_be_visible()
    expect(page_session.get_by_role("button", name="Step")).to_be_disabled()  # without a click
    expect(page_session.get_by_role("button", name="Play")).to_be_disabled()
    expect(page_session.get_by_text("round 0 of 500")).to_be_visible()
    expect(page_session.get_by_text("Traceback")).to_have_count(0)
    screenshot(page_session)


def test_every_table_fits_inside_its_card(page_session, app_url, screenshot):
    page_session.set_viewport_size({"width": 1280, "height": 900})
    open_page(page_session, app_url)
    step_to(page_session, 5)  # trades on the tape
    expect(page_session.get_by_text("emission rate (t/unit)")).to_be_visible()
    for title in ("Order book", "Firms"):
        card = page_session.locator(".v-card", has_text=title).last
        table = card.locator("table").first
        expect(table).to_be_visible()
        table.scroll_into_view_if_needed()
        inner, outer = table.bounding_box(), card.bounding_box()
        assert (
            outer["x"] <= inner["x"] and inner["x"] + inner["width"] <= outer["x"] + outer["width"]
        )
        assert inner["y"] + inner["height"] <= outer["y"] + outer["height"]
        last_header = table.locator("th").last
        box = last_header.bounding_box()
        assert box["x"] + box["width"] <= outer["x"] + outer["width"]  # no column cut off
    screenshot(page_session)
