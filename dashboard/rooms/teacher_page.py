"""The teacher's page ``/teacher``: open a room, then run it from the console.

A new room's console link holds its code and its secret teacher key (shown once: bookmark
it); the console opens only with both. Every control reports a refused request inline.
"""

from __future__ import annotations

import dataclasses

import solara

from dashboard.rooms.debrief import debrief_zip
from dashboard.rooms.errors import RoomError
from dashboard.rooms.invite import join_url, qr_svg
from dashboard.rooms.live import link, status_line, use_query, use_room_updates
from dashboard.rooms.registry import shared_registry
from dashboard.rooms.room import Room
from dashboard.rooms.screen_page import Leaderboard
from dashboard.rooms.seats import whole_number
from dashboard.rooms.settings import BOTS, RANGES, SCENARIOS, RoomSettings
from dashboard.rooms.treatments import treatment_names


@solara.component
def TeacherPage():
    """Page ``/teacher``: the new-room form, or the console of the room in the link."""
    query = use_query()
    solara.Title("Carbon market: teacher")
    code, key = query.get("code"), query.get("key")
    if not code:
        NewRoom()
        return
    try:
        room = shared_registry().teacher_room(code, key)
    except RoomError as err:
        solara.Error(str(err))
        OpenConsole(code)
        return
    Console(room, key)


@solara.component
def OpenConsole(code: str = ""):
    """Type a room's code and teacher key to open its console."""
    router = solara.use_router()
    typed_code, set_code = solara.use_state(code)
    typed_key, set_key = solara.use_state("")
    with solara.Card("Open a room's console", style={"max-width": "420px"}):
        solara.InputText("room code", value=typed_code, on_value=set_code)
        solara.InputText("teacher key", value=typed_key, on_value=set_key, password=True)
        solara.Button(
            "Open console",
            on_click=lambda: router.push(link("teacher", code=typed_code, key=typed_key)),
        )


@solara.component
def NewRoom():
    """The form that opens a room."""
    router = solara.use_router()
    defaults = RoomSettings()
    texts = solara.use_reactive(
        {
            name: str(getattr(defaults, name))
            for name in ("seats", "round_seconds", "rounds_per_year", "years", "seed")
        }
    )
    scenario = solara.use_reactive(defaults.scenario)
    treatment = solara.use_reactive(defaults.treatment)
    bots = solara.use_reactive(defaults.bots)
    message, set_message = solara.use_state(None)

    def create():
        try:
            numbers = {
                name: (
                    _number(name, text)
                    if name == "round_seconds"
                    else whole_number(name, text, *map(int, RANGES[name]))
                )
                for name, text in texts.value.items()
            }
            settings = RoomSettings(
                scenario=scenario.value, treatment=treatment.value, bots=bots.value, **numbers
            )
            room, key = shared_registry().create(settings)
        except RoomError as err:
            set_message(str(err))
            return
        router.push(link("teacher", code=room.code, key=key))

    with solara.Card("Open a classroom room", style={"max-width": "520px"}):
        solara.Select("scenario", value=scenario, values=list(SCENARIOS))
        solara.Select(
            "treatment of year 1", value=treatment, values=treatment_names(scenario.value)
        )
        solara.Select("bots in empty seats", value=bots, values=list(BOTS))
        labels = {
            "seats": "seats (firms)",
            "round_seconds": "seconds per round (0: by the button only)",
            "rounds_per_year": "rounds per year",
            "years": "years",
            "seed": "seed",
        }
        for name, text in texts.value.items():
            solara.InputText(
                labels[name],
                value=text,
                on_value=lambda v, name=name: texts.set({**texts.value, name: v}),
                continuous_update=True,
            )
        solara.Button("Open room", color="primary", on_click=create)
        if message:
            solara.Error(message)
    with solara.Card("Already have a room?", style={"max-width": "520px"}):
        OpenConsole()


def _number(name: str, text: str) -> float:
    """A number typed into a field (the settings check its range)."""
    try:
        return float(text)
    except ValueError:
        raise RoomError(f"{name}: {text!r} is not a number") from None


@solara.component
def Console(room: Room, key: str):
    """The console: the code to give out, the controls, the seats and the leaderboard."""
    version = use_room_updates(room)
    message, set_message = solara.use_state(None)
    treatment = solara.use_reactive(room.next_treatment)
    targets = solara.use_reactive({})

    def act(action, done: str):
        try:
            action()
            set_message(("ok", done))
        except RoomError as err:
            set_message(("error", str(err)))

    with room.lock:
        status, phase, shown = status_line(room), room.phase, room.theory_shown
        seats = [(s.index, s.name) for s in room.seats]
        free = [s.index for s in room.seats if not s.occupied]
    invitation = join_url(room.code)
    solara.Markdown(
        f"# Room **{room.code}**\n"
        f"Students open **/join** and type the code **{room.code}** "
        f"(or follow [{invitation}]({invitation}), or scan the code below). "
        f"Projector: [{link('screen', code=room.code)}]({link('screen', code=room.code)}) · "
        f"[debrief]({link('debrief', code=room.code, key=key)}).  \n"
        "Bookmark this page: its link holds the room's teacher key."
    )
    solara.HTML(tag="div", unsafe_innerHTML=qr_svg(invitation), classes=["room-qr"])
    solara.Text(status, classes=["room-status"])
    solara.Text(f"settings: {_settings_text(room.settings)}")
    with solara.Row():
        solara.Button(
            "Start / next year", color="primary", on_click=lambda: act(room.start, "started")
        )
        solara.Button("Pause", on_click=lambda: act(room.pause, "paused"))
        solara.Button("Resume", on_click=lambda: act(room.resume, "resumed"))
        solara.Button("Next round", on_click=lambda: act(room.advance, "round played"))
        solara.Button("Close the year now", on_click=lambda: act(room.close_year, "year closed"))
        solara.Button("End the game", color="error", on_click=lambda: act(room.end, "game ended"))
    with solara.Row():
        solara.Select(
            "treatment of the coming year",
            value=treatment,
            values=treatment_names(room.settings.scenario),
        )
        solara.Button(
            "Set treatment",
            on_click=lambda: act(
                lambda: room.set_treatment(treatment.value), f"next year: {treatment.value}"
            ),
        )
        solara.Checkbox(
            label="show theory on the screen",
            value=shown,
            on_value=lambda v: act(lambda: room.show_theory(v), "theory shown" if v else "hidden"),
        )
        solara.FileDownload(
            lambda: debrief_zip(shared_registry().store, room),
            filename=f"room-{room.code}-debrief.zip",
            label="Download the debrief",
        )
    if message is not None:
        kind, text = message
        (solara.Error if kind == "error" else solara.Info)(text)
    with solara.Card(f"Seats ({phase})", margin=0):
        for index, name in seats:
            with solara.Row():
                solara.Text(f"firm {index}: {name or 'bot (' + room.settings.bots + ')'}")
                if name is not None:
                    solara.Button(
                        "Kick",
                        small=True,
                        on_click=lambda i=index: act(lambda: room.kick(i), "kicked"),
                    )
                    if free:
                        solara.Select(
                            "move to firm",
                            value=targets.value.get(index, free[0]),
                            values=free,
                            on_value=lambda v, i=index: targets.set({**targets.value, i: v}),
                            style={"max-width": "140px"},
                        )
                        solara.Button(
                            "Reseat",
                            small=True,
                            on_click=lambda i=index: act(
                                lambda: room.reseat(i, targets.value.get(i, free[0])), "reseated"
                            ),
                        )
    Leaderboard(room, version)


def _settings_text(settings: RoomSettings) -> str:
    return ", ".join(f"{k} {v}" for k, v in dataclasses.asdict(settings).items())
