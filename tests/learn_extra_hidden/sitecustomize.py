"""With this folder on ``PYTHONPATH``, Python finds the learn extra's libraries not installed.

Python imports ``sitecustomize`` at start-up, so a subprocess started with this folder on its
path runs as after ``pip install carbon-market`` without ``[learn]``, in an environment that
holds torch: the tests of the core without the extra run that way.
"""

import sys
from importlib.abc import MetaPathFinder

#: The libraries of the learn extra (pyproject.toml) the core does not bring otherwise, by
#: import name (PyYAML comes with Dask).
LEARN_EXTRA = ("torch", "stable_baselines3", "sb3_contrib", "gymnasium", "tensorboard")


class NotInstalled(MetaPathFinder):
    """Answers every import of the learn extra as pip's absence of it would."""

    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in LEARN_EXTRA:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


sys.meta_path.insert(0, NotInstalled())
