"""The room's invitation: the join link on the server's public address, and its QR code."""

from __future__ import annotations

import re

import pytest
import segno

from dashboard import serve
from dashboard.rooms.invite import join_url, qr_svg


def test_the_join_link_is_on_the_published_address(monkeypatch) -> None:
    monkeypatch.delenv(serve.PUBLIC_URL, raising=False)
    assert join_url("K7Q2M") == "http://127.0.0.1:8765/join?code=K7Q2M"
    monkeypatch.setenv(serve.PUBLIC_URL, "http://192.168.1.20:8765/")
    assert join_url("K7Q2M") == "http://192.168.1.20:8765/join?code=K7Q2M"


def test_the_qr_code_is_an_svg_of_the_link() -> None:
    url = "http://192.168.1.20:8765/join?code=K7Q2M"
    svg = qr_svg(url)
    assert svg.startswith("<svg") and svg.rstrip().endswith("</svg>")
    size = segno.make(url, error="m").symbol_size(scale=6, border=2)
    assert re.search(rf'width="{size[0]}"', svg) and re.search(rf'height="{size[1]}"', svg)
    assert qr_svg(url) != qr_svg(url.replace("K7Q2M", "K7Q2N"))


def test_serving_a_classroom_publishes_its_address(monkeypatch) -> None:
    launched = []
    monkeypatch.setattr("solara.__main__.cli", launched.append)
    monkeypatch.delenv(serve.PUBLIC_URL, raising=False)
    serve.main(["--host", "192.168.1.20", "--port", "9000"])
    (arguments,) = launched
    assert arguments[arguments.index("--host") + 1] == "192.168.1.20"
    assert serve.os.environ[serve.PUBLIC_URL] == "http://192.168.1.20:9000"
    monkeypatch.delenv(serve.PUBLIC_URL)


@pytest.mark.parametrize("host", ["0.0.0.0", "::"])
def test_every_network_at_once_is_refused(host, capsys) -> None:
    with pytest.raises(SystemExit):
        serve.main(["--host", host])
    assert "opens every network" in capsys.readouterr().err
