"""The rooms' routes, added to the app's routes by :mod:`dashboard.pages`."""

from __future__ import annotations

import solara

from dashboard.rooms.screen_page import DebriefPage, ScreenPage
from dashboard.rooms.student_page import JoinPage, PlayPage
from dashboard.rooms.teacher_page import TeacherPage

routes = [
    solara.Route(path="teacher", component=TeacherPage, label="Teacher"),
    solara.Route(path="join", component=JoinPage, label="Join"),
    solara.Route(path="play", component=PlayPage, label="Play"),
    solara.Route(path="screen", component=ScreenPage, label="Screen"),
    solara.Route(path="debrief", component=DebriefPage, label="Debrief"),
]
