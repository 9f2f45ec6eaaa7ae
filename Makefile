# The two commands: `make run` (the dashboard on 127.0.0.1:8765, see dashboard/serve.py) and `make test`
# (installs everything into .venv, then lints and runs the whole test suite, and the torch-free
# core's tests on Python 3.12 in .venv-core312).
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The core without the learn extra (no torch) on another Python: pyenv's 3.12 when it has one.
CORE_PYTHON ?= $(or $(lastword $(wildcard $(shell pyenv root 2>/dev/null)/versions/3.12*/bin/python3.12)),python3.12)
CORE_VENV ?= .venv-core312
CORE_BIN := $(CORE_VENV)/bin
CORE_STAMP := $(CORE_VENV)/.installed

.PHONY: run test test-fast test-core install assets chromium lint bench figures clean

run: $(STAMP) assets
	$(BIN)/python -m dashboard.serve

test: $(STAMP) assets chromium $(CORE_STAMP)
	$(BIN)/ruff check .
	$(BIN)/pytest -n 2 -q
	$(MAKE) --no-print-directory test-core

# The core without torch, on Python 3.12 with the newest Mesa the project admits: the quick
# tests of what changes with the Python and the libraries. The install without the learn extra
# (every module imports, a learned market plays, evaluate runs), the recorded trajectories
# (numba and numpy), the model and the sweeps (Mesa), the dashboard (Solara); not the batch
# lanes' long equivalence checks, nor the chart-schema check, whose schema `make assets` puts
# in the main venv. The rest of the suite checks logic that is the same on any Python.
test-core: $(CORE_STAMP)
	$(CORE_BIN)/pytest -n 2 -q -m "not slow" tests/architecture/test_without_learn_extra.py \
		tests/golden tests/model tests/experiments tests/dashboard \
		--ignore=tests/model/test_batch.py \
		--deselect "tests/dashboard/test_panels.py::test_every_chart_is_a_valid_spec_of_the_vega_lite_the_page_loads"

# Everything but the tests marked slow (training, evaluation, sweeps, browser, the full
# golden set): the quick check while working.
test-fast: $(STAMP) assets
	$(BIN)/ruff check .
	$(BIN)/pytest -n 2 -q -m "not slow"

install: $(STAMP) assets

# The dashboard's page scripts and styles, from the npm registry into Solara's CDN cache
# (harmless when present or when npm is absent: see dashboard/assets.py).
assets: $(STAMP)
	$(BIN)/python -m dashboard.assets

# The browser tests (tests/ui) drive Debian's chromium; install it when missing (as root).
chromium:
	@command -v chromium >/dev/null || \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium)

# torch is installed first from the pinned CPU build this machine keeps on disk; a bare
# torch requirement would pull a multi-GB CUDA build. The last step compiles and caches the
# market's kernels, so the first market after an install starts at once.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e '.[learn,dev]'
	$(BIN)/python -m model.warmup
	touch $(STAMP)

# No torch here: the check after the install fails if a dependency brought it. numba caches
# its kernels per Python version, so this venv compiles its own.
$(CORE_STAMP): pyproject.toml
	$(CORE_PYTHON) -m venv $(CORE_VENV)
	$(CORE_BIN)/python -m pip install --quiet --upgrade pip
	$(CORE_BIN)/python -m pip install --quiet -e '.[dev]'
	$(CORE_BIN)/python -c "import importlib.util as u, sys; \
		found = [m for m in ('torch', 'stable_baselines3', 'sb3_contrib') if u.find_spec(m)]; \
		sys.exit(f'$(CORE_VENV) must not hold {found}: a dependency brought it' if found else 0)"
	$(CORE_BIN)/python -m model.warmup
	touch $(CORE_STAMP)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: $(STAMP)
	$(BIN)/python benchmarks/scaling.py

figures: $(STAMP)
	$(BIN)/python docs/make_figures.py
	PYTHONPATH=. $(BIN)/python docs/draw_architecture.py

clean:
	rm -rf $(VENV) $(CORE_VENV) .pytest_cache .hypothesis .ruff_cache
