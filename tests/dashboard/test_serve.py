"""`make run`: the loopback address whatever $HOST says, production mode, no telemetry."""

import socket
import subprocess
import sys
import time
import urllib.request
import warnings
from pathlib import Path

import pytest
import solara.server.settings
from solara.__main__ import run

from dashboard.serve import COOKIE_WARNING, HOST, configure_server, solara_arguments

ROOT = Path(__file__).resolve().parents[2]


def test_make_run_starts_the_launcher():
    dry = subprocess.run(
        ["make", "--no-print-directory", "-n", "run"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert dry.splitlines()[-1].endswith("python -m dashboard.serve")


def test_the_command_line_binds_loopback_in_production_even_with_host_set(monkeypatch):
    monkeypatch.setenv("HOST", "0.0.0.0")
    monkeypatch.setenv("SOLARA_HOST", "0.0.0.0")
    args = solara_arguments(9999)
    params = run.make_context("run", args[1:]).params
    assert (params["host"], params["port"], params["production"]) == (HOST, 9999, True)
    assert Path(params["app"]).name == "app.py"


def test_configure_server_turns_telemetry_off_and_the_cookie_warning_away(monkeypatch):
    monkeypatch.setattr(solara.server.settings.telemetry, "mixpanel_enable", True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        configure_server()
        warnings.warn(f"{COOKIE_WARNING}, but according to the asgi framework", stacklevel=1)
        warnings.warn("another warning", stacklevel=1)
    assert solara.server.settings.telemetry.mixpanel_enable is False
    assert [str(w.message) for w in caught] == ["another warning"]


def listening_addresses(port: int) -> set[str]:
    """Local addresses (hex, as /proc/net/tcp* writes them) listening on ``port``."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.split(":")
            if state == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                found.add(address)
    return found


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="reads Linux's socket table")
def test_the_server_listens_on_loopback_only_and_logs_no_cookie_warning(tmp_path):
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port = probe.getsockname()[1]
    log = tmp_path / "server.log"
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "PYTHONPATH": str(ROOT)}
    with log.open("w") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "dashboard.serve", "--port", str(port)],
            cwd=ROOT,
            env={**env, "HOST": "0.0.0.0"},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 120
        while not listening_addresses(port):
            assert server.poll() is None, log.read_text()
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.2)
        assert listening_addresses(port) == {"0100007F"}  # 127.0.0.1, nothing else
        for _ in range(2):  # two page loads, two sessions
            with urllib.request.urlopen(f"http://{HOST}:{port}/", timeout=60) as page:
                html = page.read().decode()
        assert "solara.production = true" in html
    finally:
        server.terminate()
        server.wait(timeout=30)
    text = log.read_text()
    assert "samesite" not in text and "Traceback" not in text
