"""The offline CDN cache: filled by `npm pack`, harmless when full or without npm."""

import shutil
import stat
import sys
from pathlib import Path

from dashboard import assets

FAKE_NPM = """#!/bin/sh
# npm pack NAME --pack-destination DIR --silent: write DIR/NAME.tgz holding package/
echo "$2" >> "{log}"
work=$(mktemp -d)
mkdir -p "$work/package/dist"
echo "// $2" > "$work/package/dist/main.js"
tar -czf "$4/pkg.tgz" -C "$work" package
"""


def fake_npm(tmp_path):
    log = tmp_path / "npm.log"
    npm = tmp_path / "npm"
    npm.write_text(FAKE_NPM.format(log=log))
    npm.chmod(npm.stat().st_mode | stat.S_IEXEC)
    return npm, log


def test_fetches_each_missing_package_once(tmp_path, monkeypatch):
    npm, log = fake_npm(tmp_path)
    monkeypatch.setattr(shutil, "which", lambda name: str(npm))
    cache = tmp_path / "cdn"
    packages = ("@scope/app@1.2.3", "vega@5")
    assert assets.ensure_assets(cache, packages) == list(packages)
    assert (cache / "@scope/app@1.2.3/dist/main.js").read_text() == "// @scope/app@1.2.3\n"
    assert (cache / "vega@5/dist/main.js").exists()
    assert assets.ensure_assets(cache, packages) == []  # already there: npm is not called
    assert log.read_text().split() == list(packages)


def test_an_interrupted_unpack_is_redone(tmp_path, monkeypatch):
    npm, _ = fake_npm(tmp_path)
    monkeypatch.setattr(shutil, "which", lambda name: str(npm))
    cache = tmp_path / "cdn"
    (cache / "vega@5").mkdir(parents=True)  # a folder without the completion marker
    assert assets.ensure_assets(cache, ("vega@5",)) == ["vega@5"]
    assert (cache / "vega@5" / assets.MARKER).exists()


def test_without_npm_nothing_happens(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    assert assets.ensure_assets(tmp_path / "cdn", ("vega@5",)) == []
    assert not (tmp_path / "cdn").exists()
    assert "npm not found" in capsys.readouterr().out


def test_the_cache_is_the_one_solaras_proxy_reads():
    assert assets.cdn_cache() == Path(sys.prefix) / "share" / "solara" / "cdn"
