"""One classroom room: a shared market, its seats and the teacher's operations.

Every change to a room is an event (a join, an order, a round...). A public method checks
the request, then :meth:`Room._record` applies the event and hands it to the room's sink
(the SQLite log, :mod:`dashboard.rooms.store`) with the trades and rounds it produced.
Rebuilding a room replays its events in order through the same :meth:`Room._apply`; the
market is seeded, so the replay gives the same market, order ids and trades. Every public
method holds the room's lock: Solara serves each browser connection on its own thread.
"""

from __future__ import annotations

import hmac
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from agents.registry import make_behaviour
from dashboard.rooms.errors import RoomError
from dashboard.rooms.notices import OrderWatch
from dashboard.rooms.records import EventSink, Phase, RoundRecord, TradeRecord, key_digest
from dashboard.rooms.scores import YearStart, year_start
from dashboard.rooms.seats import Seat, whole_number
from dashboard.rooms.settings import RoomSettings
from dashboard.rooms.student_requests import StudentRequests
from dashboard.rooms.treatments import levers_for, treatment_policy
from dashboard.student import SIDES, StudentBehaviour
from market.orders import OrderRejected
from model import CarbonMarket


class ReplayError(RuntimeError):
    """A room's events did not replay to the outcomes they recorded."""


class Room(StudentRequests):
    """A room: one market for the class, its seats and its game's phase.

    Args:
        room_id: the room's number in the database.
        code: its join code.
        key_hash: the digest of its teacher key (:func:`key_digest`).
        settings: the teacher's settings (checked).
        sink: where events go; None while replaying.
        clock: seconds, for the countdown (``time.monotonic``).
    """

    def __init__(
        self,
        room_id: int,
        code: str,
        key_hash: str,
        settings: RoomSettings,
        sink: EventSink | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.room_id, self.code, self._key_hash = room_id, code, key_hash
        self.settings, self._sink, self._clock = settings, sink, clock
        self.lock = threading.RLock()
        self._overrides = settings.overrides()
        self.market = CarbonMarket(settings.scenario, seed=settings.seed, **self._overrides)
        self.textbook = not self.market.config.production
        self._bot = make_behaviour(settings.bots, self.market.config)
        self.seats = [Seat(i) for i in range(self.market.enterprises.n)]
        self.market.assign_behaviours({seat.index: self._bot for seat in self.seats})
        self._policies: dict[str, Any] = {}
        self.phase = Phase.LOBBY
        self.next_treatment = settings.treatment
        self.treatment_by_year: list[str] = []
        self.theory_shown = False
        self.trades: list[TradeRecord] = []
        self.rounds: list[RoundRecord] = []
        self.year_start: YearStart | None = None
        #: Each finished textbook year: its start, every firm's profit, the gains realised.
        self.finished_years: list[tuple[YearStart, np.ndarray, float]] = []
        self.version = 0
        self.deadline: float | None = None
        self._seq = 0
        self._trades_seen = 0

    # ------------------------------------------------------------------ building

    @classmethod
    def replay(
        cls,
        room_id: int,
        code: str,
        key_hash: str,
        settings: RoomSettings,
        events: Iterable[tuple[str, dict[str, Any]]],
        sink: EventSink | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> Room:
        """A room rebuilt from its events, then writing to ``sink`` again.

        Raises:
            ReplayError: an event's outcome differs from the one recorded.
        """
        room = cls(room_id, code, key_hash, settings, None, clock)
        for kind, payload in events:
            outcome = room._apply(kind, payload)
            room._collect_trades()
            room._seq += 1
            if outcome != payload.get("outcome"):
                raise ReplayError(
                    f"room {code}: event {room._seq} ({kind}) replayed to {outcome!r}, "
                    f"recorded {payload.get('outcome')!r}"
                )
        room._sink = sink
        if room.phase == Phase.TRADING:
            room._restart_countdown()
        return room

    def check_key(self, key: object) -> bool:
        """Whether ``key`` is this room's teacher key."""
        return hmac.compare_digest(key_digest(str(key or "")), self._key_hash)

    # ------------------------------------------------------------------ the teacher

    def start(self) -> None:
        """Start the game, or the next year: the year's allocation and first round at once.

        Raises:
            RoomError: the game is already under way in a year, or ended.
        """
        self._teacher("start", (Phase.LOBBY, Phase.BETWEEN_YEARS))

    def pause(self) -> None:
        """Stop the countdown and close orders (the button still advances)."""
        self._teacher("pause", (Phase.TRADING,))

    def resume(self) -> None:
        """Reopen orders and restart the countdown."""
        self._teacher("resume", (Phase.PAUSED,))

    def advance(self) -> None:
        """Play the next round now (also what the countdown does)."""
        self._teacher("round", (Phase.TRADING, Phase.PAUSED))

    def close_year(self) -> None:
        """End the year now: the year's remaining rounds pass with no quotes, then settlement."""
        self._teacher("close_year", (Phase.TRADING, Phase.PAUSED))

    def end(self) -> None:
        """End the game: no more rounds or orders; the debrief stays."""
        self._teacher("end", (Phase.LOBBY, Phase.TRADING, Phase.PAUSED, Phase.BETWEEN_YEARS))

    def set_treatment(self, treatment: str) -> None:
        """The treatment of the coming year.

        Raises:
            RoomError: a year is under way (switch between years only), the name is unknown or
                the treatment does not fit the room.
        """
        with self.lock:
            self._policy(treatment)  # it is on offer and fits the room
            self._teacher("treatment", (Phase.LOBBY, Phase.BETWEEN_YEARS), treatment=treatment)

    def show_theory(self, shown: bool) -> None:
        """Reveal or hide the theory lines (p*, the competitive interval) on the screen."""
        with self.lock:
            self._record("theory", {"shown": bool(shown)})

    def kick(self, seat: object) -> None:
        """Free a student's seat: their open orders are cancelled and a bot plays it.

        Raises:
            RoomError: the seat does not exist or holds no student.
        """
        with self.lock:
            index = self._held_seat(seat)
            self._record("kick", {"seat": index})

    def reseat(self, seat: object, to: object) -> None:
        """Move a student to another seat a bot plays (their old seat goes to a bot).

        Raises:
            RoomError: either seat does not exist, ``seat`` holds no student or ``to`` does.
        """
        with self.lock:
            index = self._held_seat(seat)
            target = whole_number("to", to, 0, len(self.seats) - 1)
            if self.seats[target].occupied:
                raise RoomError(f"to: seat {target} is held by {self.seats[target].name}")
            self._record("reseat", {"seat": index, "to": target})

    def tick(self) -> bool:
        """Advance a round if the countdown has run out; whether it did."""
        with self.lock:
            if self.phase != Phase.TRADING or self.deadline is None:
                return False
            if self._clock() < self.deadline:
                return False
            self._record("round", {})
            return True

    # ------------------------------------------------------------------ what pages read

    @property
    def seconds_left(self) -> float | None:
        """Seconds until the countdown plays the next round (None: no countdown running)."""
        if self.phase != Phase.TRADING or self.deadline is None:
            return None
        return max(0.0, self.deadline - self._clock())

    def treatment(self) -> str:
        """The treatment of the year under way (or of the coming one between years)."""
        if self.phase in (Phase.LOBBY, Phase.BETWEEN_YEARS) or not self.treatment_by_year:
            return self.next_treatment
        return self.treatment_by_year[-1]

    # ------------------------------------------------------------------ events

    def _teacher(self, kind: str, allowed: tuple[Phase, ...], **payload: Any) -> None:
        with self.lock:
            if self.phase not in allowed:
                names = " or ".join(str(p) for p in allowed)
                raise RoomError(f"{kind}: only while the room is {names} (it is {self.phase})")
            self._record(kind, payload)

    def _held_seat(self, seat: object) -> int:
        index = whole_number("seat", seat, 0, len(self.seats) - 1)
        if not self.seats[index].occupied:
            raise RoomError(f"seat: seat {index} holds no student")
        return index

    def _record(self, kind: str, payload: dict[str, Any]) -> Any:
        """Apply an event, log it with its outcome and what it produced, bump the version."""
        rounds_before = len(self.rounds)
        outcome = self._apply(kind, payload)
        self._seq += 1
        new_trades = self._collect_trades()
        if self._sink is not None:
            self._sink.event(self.room_id, self._seq, kind, {**payload, "outcome": outcome})
            if new_trades:
                self._sink.trades(self.room_id, new_trades)
            for record in self.rounds[rounds_before:]:
                self._sink.round(self.room_id, record)
        self.version += 1
        return outcome

    def _apply(self, kind: str, payload: dict[str, Any]) -> Any:
        """Carry out one event (live or in a replay); returns its outcome, if it has one."""
        market = self.market
        if kind == "join":
            seat = self.seats[payload["seat"]]
            for order in market.book.open_orders(seat.index):  # the bot's quotes go with it
                market.cancel_order(order.order_id)
            seat.name, seat.token = payload["name"], payload["token"]
            seat.behaviour = StudentBehaviour()
            market.assign_behaviours({seat.index: seat.behaviour})
        elif kind == "order":
            seat = self.seats[payload["seat"]]
            with OrderWatch(
                self.market, self.seats, self._trades_seen, "cancelled by self-trade prevention"
            ):
                try:
                    order = market.submit_order(
                        seat.index, SIDES[payload["side"]], payload["price"], payload["quantity"]
                    )
                except OrderRejected as err:
                    seat.notices.append(f"order rejected: {err}")
                    return {"rejected": str(err)}
            return {"order": order}
        elif kind == "decisions":
            behaviour = self.seats[payload["seat"]].behaviour
            behaviour.production_share = payload["production_share"]
            behaviour.do_research, behaviour.buy_offsets = payload["research"], payload["offsets"]
        elif kind == "cancel":
            with self._watching("cancelled"):
                market.cancel_order(payload["order"])
        elif kind in ("start", "round"):
            with self._watching("expired"):
                self._step()
            if kind == "start" or self.phase == Phase.TRADING:
                self._enter_trading()
        elif kind == "close_year":
            self._close_year()
        elif kind == "pause":
            self.phase, self.deadline = Phase.PAUSED, None
        elif kind == "resume":
            self._enter_trading()
        elif kind == "end":
            self.phase, self.deadline = Phase.ENDED, None
        elif kind == "treatment":
            self.next_treatment = payload["treatment"]
        elif kind == "theory":
            self.theory_shown = payload["shown"]
        elif kind == "kick":
            self._free_seat(self.seats[payload["seat"]])
        elif kind == "reseat":
            old, new = self.seats[payload["seat"]], self.seats[payload["to"]]
            new.name, new.token, new.behaviour = old.name, old.token, old.behaviour
            new.notices.append(f"you now play firm {new.index}")
            self._free_seat(old)
            market.assign_behaviours({new.index: new.behaviour})
        else:
            raise ReplayError(f"event: unknown kind {kind!r}")
        return None

    # ------------------------------------------------------------------ the market

    def _enter_trading(self) -> None:
        if self.year_finished:
            self.phase = Phase.BETWEEN_YEARS if self.market.running else Phase.ENDED
            self.deadline = None
            return
        self.phase = Phase.TRADING
        self._restart_countdown()

    def _restart_countdown(self) -> None:
        seconds = self.settings.round_seconds
        self.deadline = self._clock() + seconds if seconds > 0 else None

    @property
    def year_finished(self) -> bool:
        """Whether the last round played ended a year (the next round starts a new one)."""
        return self.market.steps > 0 and self.market.year_ended

    def _step(self) -> None:
        """Play one round; at a year's start apply its treatment and note where it starts."""
        market = self.market
        first = market.steps % market.config.steps_per_year == 0
        if first:
            year = market.steps // market.config.steps_per_year
            treatment = self.next_treatment
            self.treatment_by_year.append(treatment)
            market.set_levers(levers_for(self._policy(treatment), market.view, year))
            coins = market.accounts.total_coins().copy()
            holdings = market.accounts.total_allowances().copy()
            recycled = market.run.recycled
        market.step()
        if first and self.textbook:
            self.year_start = year_start(market, coins, holdings, recycled)
        self.rounds.append(
            RoundRecord(
                market.steps,
                market.year,
                float(market.round_price),
                int(market.round_volume),
                self.treatment_by_year[-1],
            )
        )
        if market.year_ended and self.textbook and self.year_start is not None:
            profit = market.accounts.total_coins() - self.year_start.coins
            realised = market.efficiency_by_year[-1] * self.year_start.max_gains
            self.finished_years.append((self.year_start, profit, float(realised)))
        if market.year_ended:
            self.phase = Phase.BETWEEN_YEARS if market.running else Phase.ENDED
            self.deadline = None

    def _close_year(self) -> None:
        """Play the year's remaining rounds with every bot silent, so nothing more trades."""
        bots = {s.index for s in self.seats if not s.occupied}
        silent = StudentBehaviour()
        self.market.assign_behaviours(dict.fromkeys(bots, silent))
        with self._watching("expired at the year's end"):
            self._step()
            while not self.year_finished:
                self._step()
        self.market.assign_behaviours(dict.fromkeys(bots, self._bot))

    def _free_seat(self, seat: Seat) -> None:
        with OrderWatch(
            self.market, self.seats, self._trades_seen, "cancelled: the seat was freed"
        ):
            for order in self.market.book.open_orders(seat.index):
                self.market.cancel_order(order.order_id)
        seat.notices.clear()
        seat.name = seat.token = seat.behaviour = None
        self.market.assign_behaviours({seat.index: self._bot})

    def _policy(self, treatment: str) -> Any:
        if treatment not in self._policies:
            self._policies[treatment] = treatment_policy(
                self.settings.scenario, treatment, self._overrides
            )
        return self._policies[treatment]

    def _collect_trades(self) -> list[TradeRecord]:
        """The market's new trades as records with seats and names."""
        book = self.market.book
        new = []
        for trade in book.trades[self._trades_seen :]:
            buyer, seller = self.seats[trade.buyer], self.seats[trade.seller]
            new.append(
                TradeRecord(
                    seq=len(self.trades) + len(new) + 1,
                    round=trade.round + 1,
                    year=trade.round // self.market.config.steps_per_year,
                    buyer=trade.buyer,
                    seller=trade.seller,
                    buyer_name=buyer.label(self.settings.bots),
                    seller_name=seller.label(self.settings.bots),
                    price=int(trade.price),
                    quantity=int(trade.quantity),
                )
            )
        self._trades_seen = len(book.trades)
        self.trades.extend(new)
        return new

    def _watching(self, reason: str) -> OrderWatch:
        """Notices for the students' orders the coming change removes unfilled."""
        return OrderWatch(self.market, self.seats, self._trades_seen, reason)
