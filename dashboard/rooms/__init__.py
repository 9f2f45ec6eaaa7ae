"""Classroom rooms: a whole class trading in one shared market (issue 12).

The core imports no Solara, so it runs and is tested without a browser:

* ``errors``: the one error a request to a room raises, a one-line message naming the field;
* ``settings``: what a teacher picks (scenario, treatment, seats, bots, tempo), checked in one
  place; ``treatments``: the allocation treatments and how one is applied for a year;
* ``room``: one room, its market, its seats and the teacher's operations, behind one lock;
  ``student_requests``: what a student's page asks of it (join, trade, decide); ``seats``:
  seats, tokens and codes; ``records``: its phase and what it records (trades, rounds);
  ``notices``: what students are told when an order leaves the book unfilled;
* ``scores``: each year's start and theory; ``standings``: the leaderboard against the
  competitive equilibrium and the gains from trade;
* ``store``: the SQLite event log every room writes as it goes and is rebuilt from;
  ``registry``: the rooms of one server, by join code and token, and their countdown;
  ``debrief``: the room's data as a zip of CSV files, read from the database.

The pages (``pages``: teacher, join, student, screen and debrief; ``live``: how a page follows
its room; ``charts``) sit on top and are the only modules here that import Solara.

Why under ``dashboard/``: a room is what the class touches through the pages, and its seats
play through the same :class:`~dashboard.student.StudentBehaviour` and firm view as the
single-player classroom, so the two modes share one definition of a person's firm. It sits
above ``model`` like the rest of the dashboard and nothing below imports it.
"""
