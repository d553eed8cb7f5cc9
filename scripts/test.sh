#!/usr/bin/env bash
# The whole suite as two lanes at once, on 2 cores. The end-to-end tests (marked e2e:
# simulators and worker processes) mostly wait for releases and timeouts; the unit tests are
# CPU-bound. Lane 1: the unit tests, then the two longest end-to-end files (the 200-drop
# exactly-once proof and the README tour). Lane 2: every other end-to-end test, including
# the runs the session starts in the background (the cron night, --max-duration, an empty
# range). The wall time is the longer lane; every session must pass.
# Usage: scripts/test.sh [PYTHON]   (make test runs it with the project's .venv)
set -u
python=${1:-.venv/bin/python}
work=$(mktemp -d)
LONG=(tests/test_e2e_exactly_one.py tests/test_readme_tour.py)
(
    "$python" -m pytest -q -m "not e2e" --basetemp="$work/unit" >"$work/unit.log" 2>&1
    echo $? >"$work/unit.rc"
    "$python" -m pytest -q -m e2e --basetemp="$work/long" "${LONG[@]}" >"$work/long.log" 2>&1
    echo $? >"$work/long.rc"
) &
lane=$!
trap 'kill "$lane" 2>/dev/null; rm -rf "$work"' EXIT
ignored=()
for file in "${LONG[@]}"; do ignored+=(--ignore="$file"); done
"$python" -m pytest -q -m e2e --basetemp="$work/e2e" "${ignored[@]}"
e2e=$?
wait "$lane"
echo "--- the longest end-to-end files, run alongside:"
cat "$work/long.log"
echo "--- the unit tests, run alongside:"
cat "$work/unit.log"
[ "$e2e" -eq 0 ] && [ "$(cat "$work/unit.rc")" -eq 0 ] && [ "$(cat "$work/long.rc")" -eq 0 ]
