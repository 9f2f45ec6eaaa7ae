"""Where the compiled kernels are cached: a folder named by the kernels' own source.

numba's ``cache=True`` checks only the file that defines a kernel: a kernel that calls
kernels of other files (the round kernel calls the behaviours', the book's and the firms')
keeps its cached machine code when one of those files changes, and silently plays the old
rule. So the cache lives in a folder named by a hash of every project file that defines a
kernel: change any of them and the next run compiles afresh into a new folder.

The folder is under ``NUMBA_CACHE_DIR`` if that is set, else under the user's cache
(``$XDG_CACHE_HOME`` or ``~/.cache``) in ``carbon-market/kernels``. Only the newest few
folders are kept. :func:`use_kernel_cache` runs when ``market`` is imported, before any
kernel is defined.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
from pathlib import Path

#: The packages whose files may define kernels.
PACKAGES = ("market", "agents", "model")
#: Cache folders kept (others' checkouts may use older ones).
KEPT = 4


def kernel_sources(project: Path) -> list[Path]:
    """Every file of :data:`PACKAGES` that defines a compiled kernel, in a stable order."""
    found = []
    for package in PACKAGES:
        for path in sorted((project / package).glob("*.py")):
            if "@njit" in path.read_text(encoding="utf-8"):
                found.append(path)
    return found


def source_hash(project: Path) -> str:
    """A short hash of the kernels' source files (their names and contents)."""
    digest = hashlib.sha256()
    for path in kernel_sources(project):
        digest.update(path.relative_to(project).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def cache_root(hashed: str) -> Path:
    """The folder the hashed cache folders live in.

    A ``NUMBA_CACHE_DIR`` that already names the folder of ``hashed`` (a subprocess of a
    process that chose it) gives its parent.
    """
    chosen = os.environ.get("NUMBA_CACHE_DIR")
    if chosen:
        return Path(chosen).parent if Path(chosen).name == hashed else Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "carbon-market" / "kernels"


def use_kernel_cache() -> Path:
    """Point numba's cache at the folder of the current kernels' source; return it."""
    hashed = source_hash(Path(__file__).resolve().parent.parent)
    root = cache_root(hashed)
    folder = root / hashed
    os.environ["NUMBA_CACHE_DIR"] = str(folder)  # subprocesses find the same folder
    if "numba" in sys.modules:  # numba read its settings already: tell it too
        from numba.core import config

        config.CACHE_DIR = str(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        os.utime(folder)
        _prune(root, keep=folder)
    except OSError:  # an unwritable cache: numba compiles without one
        pass
    return folder


def _prune(root: Path, keep: Path) -> None:
    """Remove all but the :data:`KEPT` most recently used cache folders (never ``keep``)."""
    folders = sorted(
        (p for p in root.iterdir() if p.is_dir() and p != keep),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    for old in folders[KEPT - 1 :]:
        shutil.rmtree(old, ignore_errors=True)
