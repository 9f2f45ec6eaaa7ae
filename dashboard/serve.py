"""``make run``: the dashboard served to this machine only, as a finished app.

``python -m dashboard.serve [--port N]`` runs ``solara run app.py`` in this process with

* ``--host 127.0.0.1`` given explicitly: Solara's own default is ``$HOST``, so a
  ``HOST=0.0.0.0`` left in a shell would otherwise open the market to the whole network;
* ``--production``: no development reloads (the tracebacks Solara would still draw into a
  page are caught by :mod:`dashboard.errors`);
* Solara's usage telemetry (Mixpanel) switched off;
* Solara's warning that cookies with ``samesite=none`` need https silenced. The server
  warns on each page served under a host name other than ``localhost`` (here
  ``127.0.0.1``, the address it prints) and falls back to ``samesite=lax``, which is the
  right cookie for a page nobody embeds in a frame; the warning would only fill the log.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import warnings

#: The address the server listens on unless told otherwise: the loopback interface.
HOST = "127.0.0.1"
#: Where the rooms read the address students reach the server at (``dashboard.rooms.invite``).
PUBLIC_URL = "CARBON_PUBLIC_URL"
#: Solara's usual port.
PORT = 8765
#: The start of the warning Solara gives on every page served over plain http.
COOKIE_WARNING = "Cookies with samesite=none require https"


def app_path() -> str:
    """The file of the ``app`` module (``app.py`` in a clone), found without importing it."""
    spec = importlib.util.find_spec("app")
    if spec is None or spec.origin is None:
        raise RuntimeError("app.py is not importable: run from the project's root folder")
    return spec.origin


def solara_arguments(port: int = PORT, host: str = HOST) -> list[str]:
    """The ``solara`` command line: run the app on ``host``, in production mode.

    Args:
        port: TCP port to listen on.
        host: the address to listen on (the loopback unless a classroom's is given).
    """
    return ["run", app_path(), "--host", host, "--port", str(port), "--production"]


def configure_server() -> None:
    """Telemetry off and the cookie warning silenced, in this process (the server's)."""
    import solara.server.settings

    solara.server.settings.telemetry.mixpanel_enable = False
    warnings.filterwarnings("ignore", message=COOKIE_WARNING, category=UserWarning)


def main(argv: list[str] | None = None) -> None:
    """Entry point of ``python -m dashboard.serve``: serve until interrupted."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=PORT, help=f"TCP port (default {PORT})")
    parser.add_argument(
        "--host",
        default=HOST,
        help=f"address to listen on (default {HOST}, this machine only); give the "
        "classroom network's own address to let students join (docs/teaching.md)",
    )
    args = parser.parse_args(argv)
    if not 1 <= args.port <= 65535:
        parser.error(f"--port: {args.port} must be in [1, 65535]")
    if args.host in ("0.0.0.0", "::", ""):
        parser.error(f"--host: {args.host!r} opens every network; give one address")
    configure_server()
    os.environ[PUBLIC_URL] = f"http://{args.host}:{args.port}"  # the rooms' join links
    from solara.__main__ import cli

    cli(solara_arguments(args.port, args.host))


if __name__ == "__main__":
    main()
