"""Browser tests: pytest-playwright and pytest-ipywidgets against Debian's chromium.

`make test` installs chromium when it is missing; without it these tests are skipped. Each
test saves a screenshot under ``test-output/ui/`` (git-ignored).
"""

import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-output" / "ui"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# solara-offline.md: the flags headless chromium needs on this machine and in CI.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


# A loaded machine (make test runs two workers beside other jobs) may take seconds per render:
# every expectation waits up to this long for its condition.
expect.set_options(timeout=30_000)


def pytest_collection_modifyitems(config, items):
    if Path(CHROMIUM).exists():
        return
    skip = pytest.mark.skip(reason="chromium is not installed (make test installs it)")
    for item in items:
        if Path(str(item.fspath)).is_relative_to(Path(__file__).parent):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture
def app_url(solara_server, solara_app):
    """The dashboard app served in-process; yields its base URL."""
    with solara_app(str(ROOT / "app.py")):
        yield solara_server.base_url


@pytest.fixture
def screenshot(request):
    """Save a page's screenshot as ``test-output/ui/<test name>[-label].png``."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def save(page, label=""):
        name = request.node.name + (f"-{label}" if label else "")
        page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)

    return save
