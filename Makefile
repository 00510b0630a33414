# buddylab: build, test and run the teaching lab.
# Never export MPLBACKEND here or in CI: it reaches the notebook kernels and removes figure output.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.stamp
NOTEBOOKS := $(wildcard notebooks/*.ipynb)

# One pytest run on two workers (pytest-xdist), a test file (or notebook) per worker at a time:
# the e2e chapters share one JupyterLab per file; the unit tests, doctests and the notebooks
# under nbval share the two cores to the end (the 2-core machine: `make test` under 6 minutes).
XDIST := -n 2 --dist loadfile
NBVAL_FLAGS := --nbval --nbval-current-env --nbval-sanitize-with nbval_sanitize.cfg

.PHONY: all venv lab test bench figures html refresh clean distclean

all: test

venv: $(STAMP)

# Reinstalled only when pyproject.toml or a package __init__.py changes (or the venv is missing):
# the editable install records whether buddylab/ is a regular or a namespace package.
PKG_INITS := $(wildcard buddylab/__init__.py buddylab/*/__init__.py buddylab/*/*/__init__.py)

$(STAMP): pyproject.toml $(PKG_INITS)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[lab,test]'
	touch $@

# Authentication stays on: Jupyter prints a URL with a fresh token. Never pass an empty token.
# It serves the repository root (so the chapters' links to ../README.md and ../docs resolve)
# and its URL opens chapter 00.
lab: venv
	@echo "Starting JupyterLab on 127.0.0.1:8888 (token auth on), serving this repository."
	@echo "Open the http://127.0.0.1:8888/lab/tree/notebooks/00_start_here.ipynb?token=... URL printed below;"
	@echo "from another machine: ssh -L 8888:127.0.0.1:8888 <this host>, then open that URL locally."
	$(VENV)/bin/jupyter lab --no-browser --ip=127.0.0.1 --port=8888 --allow-root \
	    --ServerApp.root_dir=. --LabApp.default_url=/lab/tree/notebooks/00_start_here.ipynb

# pytest exit code 5 ("no tests collected") does not fail the build; any other failure does.
# tests/e2e drives every chapter in headless Chromium (screenshots in test-artifacts/e2e/);
# without a Chromium it is skipped, and the -ra summary says so.
test: venv
	@command -v chromium >/dev/null 2>&1 || [ -n "$$CHROMIUM" ] || \
	    echo "no chromium on PATH: the browser tests (tests/e2e) will be SKIPPED (apt-get install chromium)"
ifeq ($(NOTEBOOKS),)
	@echo "no notebooks/*.ipynb: no nbval run"
endif
	$(PY) -m pytest -q $(XDIST) -p no:cacheprovider --durations=15 \
	    $(if $(NOTEBOOKS),$(NBVAL_FLAGS)) tests $(if $(NOTEBOOKS),notebooks) \
	    --doctest-modules buddylab || [ $$? -eq 5 ]

# The figures of issue #11 beside their targets, both profiles (about a minute); BENCH_ARGS=--json for JSON,
# BENCH_ARGS="--kernel classic" (or modern) for one profile.
bench: venv
	$(PY) -m buddylab.bench $(BENCH_ARGS)

figures: venv
	$(PY) -m buddylab.plot.figures

# Static HTML of every chapter with its outputs, each widget as a picture of its first state
# (build/html/index.html; not committed). Re-executes the chapters, ~2 min.
html: venv
	$(PY) tools/build_html.py --out build/html $(NOTEBOOKS)

refresh: venv
	$(PY) tools/refresh_notebooks.py $(NOTEBOOKS)

# clean keeps the venv; distclean removes it too.
clean:
	rm -rf build dist *.egg-info .pytest_cache .hypothesis
	find . -path ./$(VENV) -prune -o \( -name __pycache__ -o -name .ipynb_checkpoints \) -type d -print0 | xargs -0 rm -rf

distclean: clean
	rm -rf $(VENV)
