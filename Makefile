# booker: the one entry point. Every target builds the virtual environment when missing.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: venv test test-fast demo lint bench bench-save bench-compare clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	@touch $(STAMP)

# Byte-compile first: with PYTHONDONTWRITEBYTECODE set (as on our machines) every subprocess
# the suite starts (CLI runs, workers, simulators) would otherwise recompile booker.
# The end-to-end tests (mostly waiting) and the unit tests (CPU) run in two lanes: scripts/test.sh.
test: $(STAMP)
	$(BIN)/python -m compileall -q booker > /dev/null
	bash scripts/test.sh $(BIN)/python

# test-fast: booker's unit tests, about 20 s: no end-to-end test (marked e2e: simulator and
# worker processes) and none of the simulator's own tests (tests/test_sim_*.py start it).
test-fast: $(STAMP)
	$(BIN)/python -m compileall -q booker > /dev/null
	$(BIN)/python -m pytest -q -m "not e2e" --ignore-glob='tests/test_sim_*'

demo: $(STAMP)
	$(BIN)/python -m compileall -q booker > /dev/null
	$(BIN)/python scripts/demo.py

lint: $(STAMP)
	$(BIN)/ruff check booker tests bench scripts
	$(BIN)/ruff format --check booker tests bench scripts
	$(BIN)/mypy

# bench: the whole suite (< 5 min on 2 cores): pure core, hot path, end-to-end drops; writes
# bench/results/latest.json and bench/results/latency.png, and autosaves to .benchmarks/.
# bench-save / bench-compare: the fast benches only (core + hot path) against the baseline kept
# in bench/baselines/; the 100% median threshold comes from measured run-to-run noise
# (docs/PERFORMANCE.md).
BENCH_FAST    := bench/test_core.py bench/test_hot_path.py
BENCH_STORAGE := --benchmark-storage=file://bench/baselines

bench: $(STAMP)
	$(BIN)/python -m pytest bench -q -p no:randomly --benchmark-only --benchmark-autosave \
		--benchmark-columns=min,median,mean,max,rounds

bench-save: $(STAMP)
	$(BIN)/python -m pytest $(BENCH_FAST) -q -p no:randomly --benchmark-only $(BENCH_STORAGE) \
		--benchmark-save=fast --benchmark-columns=min,median,max,rounds

# A baseline saved on another machine is said (a warning), not an error: compare, then judge.
bench-compare: $(STAMP)
	$(BIN)/python -m pytest $(BENCH_FAST) -q -p no:randomly --benchmark-only $(BENCH_STORAGE) \
		-W default::pytest_benchmark.logger.PytestBenchmarkWarning \
		--benchmark-compare --benchmark-compare-fail=median:100% \
		--benchmark-columns=min,median,max,rounds

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .benchmarks
