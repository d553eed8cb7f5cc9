#!/usr/bin/env bash
# The whole suite as two pytest sessions at once: the end-to-end tests (marked e2e: simulators
# and worker processes, mostly waiting for releases and timeouts) beside everything else
# (CPU-bound unit tests). The wall time is the longer of the two; both must pass.
# Usage: scripts/test.sh [PYTHON]   (make test runs it with the project's .venv)
set -u
python=${1:-.venv/bin/python}
work=$(mktemp -d)
"$python" -m pytest -q -m "not e2e" --basetemp="$work/unit" >"$work/unit.log" 2>&1 &
unit=$!
trap 'kill "$unit" 2>/dev/null; rm -rf "$work"' EXIT
"$python" -m pytest -q -m e2e --basetemp="$work/e2e"
e2e=$?
wait "$unit"
rest=$?
echo "--- the rest of the suite (unit tests), run alongside:"
cat "$work/unit.log"
[ "$e2e" -eq 0 ] && [ "$rest" -eq 0 ]
