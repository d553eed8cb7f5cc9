# booker: the one entry point. Every target builds the virtual environment when missing.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: venv test demo lint bench bench-save bench-compare clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	@touch $(STAMP)

test: $(STAMP)
	$(BIN)/python -m pytest -q

demo: $(STAMP)
	$(BIN)/python scripts/demo.py

lint: $(STAMP)
	$(BIN)/ruff check booker tests bench scripts
	$(BIN)/ruff format --check booker tests bench scripts
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python -m pytest bench -q -p no:randomly --benchmark-only --benchmark-autosave

bench-compare: $(STAMP)
	$(BIN)/python -m pytest bench -q --benchmark-only --benchmark-compare --benchmark-compare-fail=median:25%

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .benchmarks
