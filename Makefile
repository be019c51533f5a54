# The two commands of the README:
#   make demo   set up, then map the bundled example articles into maps/ (offline)
#   make test   set up (browser included), then run the whole test suite
# Both create .venv on first use; nothing is installed outside it except Debian's chromium.

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: demo test lint wheel-smoke bench data browser clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $@

demo: $(STAMP)
	$(VENV)/bin/geomap demo

browser:
	bash scripts/ensure-chromium
	npm ci --prefix tests/browser --no-audit --no-fund --silent  # axe-core, pinned, for the tests only

test: $(STAMP) browser lint
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(PY) -m ruff check geomap tests bench tools conftest.py
	$(PY) -m mypy

# the installed wheel, outside the checkout: extract, map (HTML, embed, PNG), geocode
wheel-smoke:
	PYTHON=$(PYTHON) bash scripts/wheel-smoke

bench: $(STAMP)
	$(PY) -m bench

data: $(STAMP)
	$(PY) -m tools.build_data

clean:
	rm -rf $(VENV) .pytest_cache maps/*.html
