"""The kernels' cache folder follows their source: a changed kernel file is never stale."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from market import kernel_cache
from market.kernel_cache import KEPT, cache_root, kernel_sources, source_hash

PROJECT = Path(kernel_cache.__file__).resolve().parent.parent


def copy_of_the_project(tmp_path: Path) -> Path:
    for package in kernel_cache.PACKAGES:
        shutil.copytree(
            PROJECT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    return tmp_path


def test_every_file_that_defines_a_kernel_is_hashed() -> None:
    names = {p.relative_to(PROJECT).as_posix() for p in kernel_sources(PROJECT)}
    assert {
        "model/round_kernel.py",
        "agents/behaviour_kernels.py",
        "market/book_kernels.py",
        "market/book_matching.py",
    } <= names
    assert "model/carbon_market.py" not in names  # no kernel there: editing it recompiles nothing


def test_changing_a_called_kernel_changes_the_folder_and_other_files_do_not(tmp_path) -> None:
    project = copy_of_the_project(tmp_path)
    before = source_hash(project)
    (project / "model" / "carbon_market.py").write_text("# not a kernel file\n")
    assert source_hash(project) == before
    kernel = project / "agents" / "behaviour_kernels.py"
    kernel.write_text(kernel.read_text() + "\n# a changed rule\n")
    assert source_hash(project) != before


def test_a_subprocess_finds_the_same_folder(tmp_path) -> None:
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path)}
    code = "import market, os; print(os.environ['NUMBA_CACHE_DIR'])"
    run = lambda e: subprocess.run(  # noqa: E731
        [sys.executable, "-c", code], env=e, capture_output=True, text=True, check=True, cwd=PROJECT
    ).stdout.strip()
    chosen = run(env)
    assert Path(chosen).parent == tmp_path
    assert run({**env, "NUMBA_CACHE_DIR": chosen}) == chosen  # not nested a second time


def test_the_root_of_a_hashed_folder_is_its_parent(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path / "abc"))
    assert cache_root("abc") == tmp_path
    assert cache_root("other") == tmp_path / "abc"


def test_only_the_newest_folders_are_kept(tmp_path) -> None:
    for i in range(KEPT + 3):
        folder = tmp_path / f"old{i}"
        folder.mkdir()
        os.utime(folder, (1000 + i, 1000 + i))
    keep = tmp_path / "current"
    keep.mkdir()
    kernel_cache._prune(tmp_path, keep=keep)
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == sorted(["current", *(f"old{i}" for i in range(4, KEPT + 3))])
