"""The package as a user installs it: a wheel in a fresh venv, the commands run elsewhere.

The wheel is built from a copy of the source (so the worktree gets no build files) without
build isolation (this environment's setuptools) and installed without dependencies into a
new venv that sees this environment's packages through a ``.pth`` file, so nothing is
downloaded. The commands then run from an empty directory without the clone on the path:
every scenario, policy, calibration table and YAML configuration must come from the wheel.
They run as a core install without the learn extra would (``tests/learn_extra_hidden``
hides torch and Stable-Baselines3); only the import of the training module sees them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # training, evaluation, sweeps or a browser: make test

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("market", "agents", "model", "learning", "experiments", "dashboard", "cli", "data")


def run(argv: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The ``bin`` directory of a fresh venv with the wheel installed."""
    tmp = tmp_path_factory.mktemp("wheel")
    source = tmp / "source"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in SOURCES:
        shutil.copytree(ROOT / name, source / name, ignore=ignore)
    for name in ("pyproject.toml", "README.md", "app.py"):
        shutil.copy(ROOT / name, source / name)
    pip = [sys.executable, "-m", "pip"]
    run([*pip, "wheel", ".", "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp)], source)
    (wheel,) = tmp.glob("carbon_market-*.whl")
    env_dir = tmp / "venv"
    venv.create(env_dir, with_pip=False)
    site = Path(sysconfig.get_path("purelib", vars={"base": str(env_dir)}))
    (site / "shared-dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    python = env_dir / "bin" / "python"
    # Without the clone on the path, where an editable install's egg-info would pass for this
    # very version installed already (and pip would install nothing).
    install = [*pip, "--python", str(python), "install", "--no-deps", "-q", str(wheel)]
    run(install, tmp, elsewhere(tmp, learn_extra=True))
    return env_dir / "bin"


def elsewhere(tmp_path: Path, *, learn_extra: bool = False) -> dict[str, str]:
    """This environment without the clone on the path (the kernels compile anew: minutes).

    Without ``learn_extra`` its torch and Stable-Baselines3 look not installed.
    """
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    if not learn_extra:
        env["PYTHONPATH"] = str(ROOT / "tests" / "learn_extra_hidden")
    return env


def test_the_wheel_is_imported_from_the_venv(installed: Path, tmp_path: Path) -> None:
    code = (
        "import market.data as d, learning.train_config as c; print(d.DATA_DIR, c.DEFAULT_CONFIG)"
    )
    data_dir, config = run(
        [str(installed / "python"), "-c", code], tmp_path, elsewhere(tmp_path, learn_extra=True)
    ).split()
    assert (
        Path(data_dir).parts[-2:] == ("market", "shipped")
        and installed.parent in Path(data_dir).parents
    )
    assert Path(config).is_file() and installed.parent in Path(config).parents


def test_simulate_theory_and_policies_run_from_another_directory_without_torch(
    installed: Path, tmp_path: Path
) -> None:
    env = elsewhere(tmp_path)
    command = str(installed / "carbon-market")
    summary = run([command, "simulate", "--years", "1", "--set", "steps_per_year=5"], tmp_path, env)
    assert "scenario               paper" in summary.splitlines()
    argv = [command, "theory", "--seeds", "2", "--set", "steps_per_year=20", "--set", "years=1"]
    theory = run(argv, tmp_path, env)
    assert "equilibrium_price                  40 coins per allowance" in theory.splitlines()
    scenarios = [
        line.split()[0] for line in run([command, "scenarios"], tmp_path, env).split("\n") if line
    ]
    assert scenarios == [
        "classroom",
        "classroom-12",
        "eu-large",
        "eu-shocks",
        "paper",
        "paper-shocks",
    ]
    policies = run([command, "policies"], tmp_path, env)
    assert policies.startswith("flat-grandfathering") and "learned:PATH" in policies
    learned = [command, "simulate", "--years", "1", "--set", "steps_per_year=5", "--policy"]
    assert "learned:" in run([*learned, "learned:shipped"], tmp_path, env)
    train = subprocess.run(
        [command, "train-regulator", "--out", "run"], cwd=tmp_path, env=env, capture_output=True
    )
    assert (train.returncode, train.stderr) == (
        2,
        b"carbon-market: error: train-regulator needs the learn extra: "
        b"pip install 'carbon-market[learn]'\n",
    )
    assert list(tmp_path.iterdir()) == []  # nothing written where the commands ran
