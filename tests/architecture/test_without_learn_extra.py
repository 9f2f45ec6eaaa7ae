"""The core installs without the learn extra: it imports, simulates and evaluates without torch.

A subprocess starts with ``tests/learn_extra_hidden`` on its path, whose ``sitecustomize``
makes the extra's libraries look not installed, as after ``pip install carbon-market``
without ``[learn]``. Every module of the floors is imported; only the training and export
modules may need the extra. Then the command line runs: a market under the shipped learned
regulator with learned firms (they act in numpy), an evaluation against a rule, and the
commands that train or export, which must say in one line what to install.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from agents.learned_regulator import SHIPPED_REGULATOR
from tests.architecture.import_graph import ROOT, module_name, project_files

HIDDEN = ROOT / "tests" / "learn_extra_hidden"
#: The modules that train or export policies: the only ones that may need the extra.
NEEDS_LEARN_EXTRA = {
    "learning.curriculum",
    "learning.enterprise_env",
    "learning.export",
    "learning.regulator_env",
    "learning.regulator_vec_env",
    "learning.train",
    "learning.train_enterprises",
}

WITHOUT_EXTRA = """
import contextlib, importlib, io, json, sys
import sitecustomize

modules, commands = (json.loads(arg) for arg in sys.argv[1:3])
missing = {}
for module in modules:
    try:
        importlib.import_module(module)
    except ModuleNotFoundError as err:
        missing[module] = err.name
from cli import main

runs = []
for argv in commands:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    runs.append({"code": code, "stdout": out.getvalue(), "stderr": err.getvalue()})
hidden = sitecustomize.LEARN_EXTRA
loaded = sorted({name.split(".")[0] for name in sys.modules} & set(hidden))
print(json.dumps({"hidden": hidden, "missing": missing, "runs": runs, "loaded": loaded}))
"""


def test_the_core_imports_simulates_and_evaluates_without_the_learn_extra(tmp_path):
    runs_on_import = ("app.py", "__main__.py")  # the dashboard's entry and the command line's
    modules = sorted(module_name(p) for p in project_files() if p.name not in runs_on_import)
    commands = [
        ["simulate", "--years", "1", "--policy", "learned:shipped", "--set", "learned_share=0.5"],
        ["evaluate", "--policies", "equal,learned:shipped", "--seeds", "2", "--json"],
        ["train-regulator", "--out", str(tmp_path / "run")],
        ["export-policy", str(SHIPPED_REGULATOR)],
    ]
    done = subprocess.run(
        [sys.executable, "-c", WITHOUT_EXTRA, json.dumps(modules), json.dumps(commands)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(HIDDEN), str(ROOT)])},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.splitlines()[-1])
    assert set(result["missing"]) == NEEDS_LEARN_EXTRA
    assert set(result["missing"].values()) <= set(result["hidden"])
    simulate, evaluate, train, export = result["runs"]
    assert simulate["code"] == 0 and f"learned:{SHIPPED_REGULATOR}" in simulate["stdout"]
    assert evaluate["code"] == 0
    (report,) = json.loads(evaluate["stdout"]).values()  # the scenario's one coefficient
    assert {row["policy"] for row in report["table"]} == {"equal", "learned:shipped"}
    for run, command in ((train, "train-regulator"), (export, "export-policy")):
        assert run["code"] == 2
        assert run["stderr"] == (
            f"carbon-market: error: {command} needs the learn extra: "
            "pip install 'carbon-market[learn]'\n"
        )
    assert result["loaded"] == []
