"""The room's invitation: the full join link students type or scan, and its QR code.

A student's browser needs the address the server is reached at, which the server itself
cannot know behind its bind address: ``python -m dashboard.serve --host ADDRESS`` (the
classroom's network, ``docs/teaching.md``) publishes ``http://ADDRESS:PORT`` in the
environment variable ``dashboard.serve.PUBLIC_URL``, and the teacher's console shows the
join link on it with a QR code (``segno``, a pure-Python QR encoder) to project.
"""

from __future__ import annotations

import os

import segno

from dashboard.rooms.live import link
from dashboard.serve import HOST, PORT, PUBLIC_URL

#: Where the server is when nothing says otherwise (``make run``).
LOCAL_URL = f"http://{HOST}:{PORT}"


def join_url(code: str) -> str:
    """The full link of room ``code``'s join page, on the server's public address."""
    base = os.environ.get(PUBLIC_URL, LOCAL_URL).rstrip("/")
    return base + link("join", code=code)


def qr_svg(url: str) -> str:
    """An inline SVG QR code of ``url`` (medium error correction, 6 px modules)."""
    return segno.make(url, error="m").svg_inline(scale=6, border=2)
