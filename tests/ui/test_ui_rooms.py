"""Classroom rooms in a real browser: students in separate browsers share one market."""

import csv
import io
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
import zipfile

import pytest
from playwright.sync_api import expect

from dashboard.rooms import registry as rooms_registry
from dashboard.rooms.registry import RoomRegistry
from dashboard.rooms.settings import RoomSettings
from dashboard.rooms.store import RoomStore
from tests.ui.conftest import ROOT

pytestmark = pytest.mark.slow  # a browser: make test

TIMEOUT = 30_000  # ms: the first page load compiles the page's scripts
# ms: a change reaches every connected page without a reload. The second the issue asks for
# is a speed target, so it is measured by benchmarks/rooms_load.py and printed by the trade
# test below, not asserted here: a browser on a loaded 2-core machine may take longer.
LIVE = 10_000


@pytest.fixture
def rooms(tmp_path, monkeypatch):
    """The server's rooms in a fresh database; yields the registry the pages use."""
    monkeypatch.setenv("CARBON_ROOMS_DB", str(tmp_path / "rooms.sqlite3"))
    monkeypatch.setattr(rooms_registry, "_shared", None)
    yield rooms_registry.shared_registry()
    monkeypatch.setattr(rooms_registry, "_shared", None)


def join(page, url, code, name):
    page.goto(f"{url}/join")
    page.get_by_label("room code").wait_for(timeout=TIMEOUT)
    page.get_by_label("room code").fill(code)
    page.get_by_label("your name").fill(name)
    page.get_by_role("button", name="Join").click()
    heading = re.compile(f"{name}: firm \\d+ · room {code.upper()}")
    expect(page.get_by_text(heading)).to_be_visible(timeout=TIMEOUT)


def order(page, side, price, quantity):
    page.get_by_role("button", name=side, exact=True).click()
    page.get_by_label("price").fill(str(price))
    page.get_by_label("quantity").fill(str(quantity))
    page.get_by_role("button", name="Place order").click()


@pytest.fixture
def two_students(browser):
    contexts = [browser.new_context(), browser.new_context()]
    yield [c.new_page() for c in contexts]
    for context in contexts:
        context.close()


def test_two_students_trade_with_each_other_and_every_page_shows_it(
    rooms, app_url, two_students, page_session, screenshot
):
    room, _ = rooms.create(RoomSettings(seats=2, round_seconds=0))  # no bots: only they trade
    ann, bob = two_students
    join(ann, app_url, room.code, "Ann")
    join(bob, app_url, room.code.lower(), "Bob")
    page_session.goto(f"{app_url}/screen?code={room.code}")
    expect(page_session.get_by_text("0 trades, 0 allowances so far")).to_be_visible(timeout=TIMEOUT)
    room.start()
    expect(ann.get_by_text(re.compile("trading · year 1 of 3, round 2 of 20"))).to_be_visible(
        timeout=LIVE
    )
    order(ann, "sell", 40, 5)
    expect(
        ann.get_by_text(re.compile(r"sell 5 at 40: order \d+ rests in the book"))
    ).to_be_visible()
    order(bob, "buy", 40, 5)
    clicked = time.monotonic()
    expect(bob.get_by_text("buy 5 at 40: traded 5 allowance(s) for 200 coins")).to_be_visible()
    expect(ann.get_by_text("round 2: sold 5 at 40 (Bob)")).to_be_visible(timeout=LIVE)
    expect(page_session.get_by_text("1 trades, 5 allowances so far")).to_be_visible(timeout=LIVE)
    print(f"order to the other pages: {time.monotonic() - clicked:.2f} s")
    expect(bob.get_by_text("round 2: bought 5 at 40 (Ann)")).to_be_visible()
    expect(page_session.get_by_role("cell", name="Ann")).to_be_visible()
    for page, label in ((ann, "ann"), (bob, "bob"), (page_session, "screen")):
        expect(page.get_by_text("Traceback")).to_have_count(0)
        screenshot(page, label)


def test_a_refresh_returns_to_the_same_firm_and_a_forged_link_acts_for_nobody(
    rooms, app_url, page_session, screenshot
):
    room, _ = rooms.create(RoomSettings(seats=3, round_seconds=0))
    join(page_session, app_url, room.code, "Ann")
    page_session.reload()
    expect(page_session.get_by_text(f"Ann: firm 0 · room {room.code}")).to_be_visible(
        timeout=TIMEOUT
    )
    url = page_session.url
    page_session.goto(re.sub(r"token=[^&]+", "token=forged", url))
    expect(page_session.get_by_text(re.compile("token: this link holds no seat"))).to_be_visible(
        timeout=TIMEOUT
    )
    page_session.goto(f"{app_url}/teacher?code={room.code}&key=guess")
    expect(page_session.get_by_text("key: this is not the room's teacher key")).to_be_visible(
        timeout=TIMEOUT
    )
    expect(page_session.get_by_role("button", name="Next round")).to_have_count(0)
    page_session.goto(f"{app_url}/screen?code=ZZZZZ")
    expect(page_session.get_by_text("code: no room has the code 'ZZZZZ'")).to_be_visible(
        timeout=TIMEOUT
    )
    screenshot(page_session)


@pytest.mark.parametrize(
    ("price", "quantity", "message"),
    [
        ("abc", "1", "price: 'abc' is not a whole number"),
        ("-5", "1", "price: -5 must be in [0, 120]"),
        ("40", "99999999", "quantity: 99999999 must be in [1, 10000]"),
    ],
)
def test_bad_input_on_the_student_page_shows_a_message_and_submits_nothing(
    rooms, app_url, page_session, price, quantity, message
):
    room, _ = rooms.create(RoomSettings(seats=2, round_seconds=0))
    room.start()
    join(page_session, app_url, room.code, "Ann")
    order(page_session, "buy", price, quantity)
    expect(page_session.get_by_text(message, exact=True)).to_be_visible()
    expect(page_session.get_by_text("Traceback")).to_have_count(0)
    assert room.market.book.open_orders(0) == []


def test_the_teacher_opens_a_room_the_countdown_plays_and_a_treatment_switch_shows(
    rooms, app_url, page_session, browser, screenshot
):
    teacher = page_session
    teacher.goto(f"{app_url}/teacher")
    teacher.get_by_label("seconds per round (0: by the button only)").wait_for(timeout=TIMEOUT)
    teacher.get_by_label("seconds per round (0: by the button only)").fill("3")
    teacher.get_by_label("rounds per year").fill("abc")
    teacher.get_by_role("button", name="Open room").click()
    expect(teacher.get_by_text("rounds_per_year: 'abc' is not a whole number")).to_be_visible()
    teacher.get_by_label("rounds per year").fill("3")
    teacher.get_by_role("button", name="Open room").click()
    expect(teacher.get_by_text(re.compile(r"^Room [A-Z0-9]{5}$"))).to_be_visible(timeout=TIMEOUT)
    (room,) = rooms.rooms()
    screen_context = browser.new_context()
    try:
        screen = screen_context.new_page()
        screen.goto(f"{app_url}/screen?code={room.code}")
        expect(screen.get_by_text(re.compile("lobby · not started"))).to_be_visible(timeout=TIMEOUT)
        teacher.get_by_role("button", name="Start / next year").click()
        expect(teacher.get_by_text("started", exact=True)).to_be_visible()
        expect(screen.get_by_text(re.compile("round 2 of 3"))).to_be_visible(timeout=LIVE)
        expect(screen.get_by_text(re.compile("next round in [123] s"))).to_be_visible()
        expect(screen.get_by_text(re.compile("round 3 of 3"))).to_be_visible(timeout=4_000)
        between = re.compile(r"between years · year 1 of 3 finished")
        expect(screen.get_by_text(between)).to_be_visible(timeout=4_000)
        teacher.get_by_label("treatment of the coming year").click(force=True)
        teacher.get_by_role("option", name="auction", exact=True).click()
        teacher.get_by_role("button", name="Set treatment").click()
        expect(screen.get_by_text(re.compile("treatment: auction"))).to_be_visible(timeout=LIVE)
        expect(screen.get_by_text(re.compile("The class realised"))).to_have_count(0)
        teacher.get_by_text("show theory on the screen").click()
        expect(screen.get_by_text(re.compile("The class realised"))).to_be_visible(timeout=3_000)
        screenshot(screen, "screen")
        screenshot(teacher, "console")
    finally:
        screen_context.close()


class Server:
    """``solara run app.py`` in a process of its own, on the given rooms database."""

    def __init__(self, database, port):
        self.database, self.port = database, port
        self.url = f"http://127.0.0.1:{port}"
        self.process = None

    def start(self):
        env = {**os.environ, "CARBON_ROOMS_DB": str(self.database), "PYTHONPATH": str(ROOT)}
        command = [sys.executable, "-m", "solara", "run", "app.py", "--production"]
        command += ["--host", "127.0.0.1", "--port", str(self.port), "--no-open"]
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url, timeout=2):
                    return
            except OSError:
                time.sleep(0.5)
        raise RuntimeError(f"the server at {self.url} did not start")

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)


@pytest.fixture
def server(tmp_path):
    running = Server(tmp_path / "rooms.sqlite3", int(os.environ.get("PORT", "18765")) + 7)
    yield running
    if running.process is not None and running.process.poll() is None:
        running.kill()


def open_after_restart(page, url, text):
    """Open `url` on a server just started and wait for `text`, loading the page once more
    if the first page's socket was reset while the server was still starting (seen under load).
    """
    page.goto(url)
    try:
        expect(page.get_by_text(text)).to_be_visible(timeout=TIMEOUT)
    except AssertionError:
        page.reload()
        expect(page.get_by_text(text)).to_be_visible(timeout=TIMEOUT)


def test_a_killed_server_restarts_with_every_order_and_trade(server, page_session, screenshot):
    registry = RoomRegistry(RoomStore(server.database))
    room, _ = registry.create(RoomSettings(seats=2, round_seconds=0))
    ann, bob = room.join("Ann"), room.join("Bob")
    room.start()
    room.submit(ann.token, "sell", 41, 4)
    room.submit(bob.token, "buy", 41, 3)
    registry.store.close()
    server.start()
    play = f"{server.url}/play?code={room.code}&token={bob.token}"
    open_after_restart(page_session, play, "round 2: bought 3 at 41 (Ann)")
    order(page_session, "buy", 12, 2)
    expect(page_session.get_by_text(re.compile(r"buy 2 at 12: order \d+ rests"))).to_be_visible()
    server.kill()
    server.start()
    open_after_restart(page_session, play, "round 2: bought 3 at 41 (Ann)")
    expect(page_session.get_by_text(re.compile(r"order \d+: buy 2 at 12"))).to_be_visible()
    expect(page_session.get_by_text(re.compile(r"order \d+: sell 1 at 41"))).to_have_count(0)
    page_session.goto(f"{server.url}/play?code={room.code}&token={ann.token}")
    expect(page_session.get_by_text(re.compile(r"order \d+: sell 1 at 41"))).to_be_visible(
        timeout=TIMEOUT
    )
    screenshot(page_session)


def test_two_rooms_do_not_see_each_other(rooms, app_url, two_students):
    first, _ = rooms.create(RoomSettings(seats=2, round_seconds=0))
    second, _ = rooms.create(RoomSettings(seats=2, round_seconds=0))
    ann, zoe = two_students
    join(ann, app_url, first.code, "Ann")
    join(zoe, app_url, second.code, "Ann")  # the same name in another room is another seat
    first.start()
    second.start()
    bob = first.join("Bob")
    first.submit(bob.token, "buy", 44, 2)
    order(ann, "sell", 44, 2)
    expect(ann.get_by_text("sell 2 at 44: traded 2 allowance(s) for 88 coins")).to_be_visible()
    expect(zoe.get_by_text(re.compile("trading · year 1 of 3, round 2 of 20"))).to_be_visible()
    expect(zoe.get_by_text(re.compile("sold|bought"))).to_have_count(0)
    zoe.goto(f"{app_url}/screen?code={second.code}")
    expect(zoe.get_by_text("0 trades, 0 allowances so far")).to_be_visible(timeout=TIMEOUT)
    assert second.trades == []


def test_the_debrief_download_holds_every_trade(rooms, app_url, page_session):
    room, key = rooms.create(RoomSettings(seats=3, round_seconds=0))
    ann, bob = room.join("Ann"), room.join("Bob")
    room.start()
    room.submit(ann.token, "sell", 50, 3)
    room.submit(bob.token, "buy", 50, 3)
    for _ in range(5):
        room.advance()
    page_session.goto(f"{app_url}/debrief?code={room.code}&key={key}")
    button = page_session.get_by_role("button", name="Download the debrief (zip of CSV files)")
    button.wait_for(timeout=TIMEOUT)
    with page_session.expect_download() as download:
        button.click()
    archive = zipfile.ZipFile(download.value.path())
    trades = list(csv.DictReader(io.TextIOWrapper(archive.open("trades.csv"))))
    assert len(trades) == len(room.trades)
    assert [int(t["price"]) for t in trades] == [t.price for t in room.trades]
    assert ("Ann", "Bob") in {(t["seller_name"], t["buyer_name"]) for t in trades}


def test_a_wrong_code_or_an_empty_name_joins_nobody(rooms, app_url, page_session):
    room, _ = rooms.create(RoomSettings(seats=2, round_seconds=0))
    page_session.goto(f"{app_url}/join")
    page_session.get_by_label("room code").wait_for(timeout=TIMEOUT)
    page_session.get_by_label("room code").fill("WRONG")
    page_session.get_by_label("your name").fill("Ann")
    page_session.get_by_role("button", name="Join").click()
    expect(page_session.get_by_text("code: no room has the code 'WRONG'")).to_be_visible()
    page_session.get_by_label("room code").fill(room.code)
    page_session.get_by_label("your name").fill("   ")
    page_session.get_by_role("button", name="Join").click()
    expect(page_session.get_by_text("name: type a name to join")).to_be_visible()
    expect(page_session.get_by_text("Traceback")).to_have_count(0)
    assert all(not seat.occupied for seat in room.seats)
