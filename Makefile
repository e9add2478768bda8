# SSP Planner developer tasks. `make test` is what CI runs (via .ci/run); `make test ARGS="-k x"`.
SHELL := /bin/bash
.DEFAULT_GOAL := test

PYTHON ?= python3.11
VENV   := .venv
STAMP  := $(VENV)/.installed

.PHONY: install demo test lint bench clean distclean

install: $(STAMP)

# Re-installs only when pyproject.toml changed (or the venv is new).
$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) not found" >&2; exit 1; }
	@test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install -q --disable-pip-version-check -e '.[dev]'
	@touch $@

demo: install
	$(VENV)/bin/ssp demo

test: install
	scripts/test.sh $(ARGS)

lint: install
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check src tests benchmarks && $(VENV)/bin/mypy

bench: install
	$(VENV)/bin/python benchmarks/run.py

# Build/test caches; keeps the venv. `make distclean` also drops the venv.
clean:
	rm -rf .pytest_cache .mypy_cache .ruff_cache .hypothesis build dist out src/*.egg-info
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -print0 | xargs -0 rm -rf

distclean: clean
	rm -rf $(VENV)
