# The two commands: `make run` (the dashboard on 127.0.0.1:8765, see dashboard/serve.py) and `make test`
# (installs everything into .venv, then lints and runs the whole test suite).
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-fast install assets chromium lint bench figures clean

run: $(STAMP) assets
	$(BIN)/python -m dashboard.serve

test: $(STAMP) assets chromium
	$(BIN)/ruff check .
	$(BIN)/pytest -n 2 -q

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

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: $(STAMP)
	$(BIN)/python benchmarks/scaling.py

figures: $(STAMP)
	$(BIN)/python docs/make_figures.py
	PYTHONPATH=. $(BIN)/python docs/draw_architecture.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis .ruff_cache
