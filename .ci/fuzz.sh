#!/usr/bin/env bash
# Runs every fuzz target of the given packages for a fixed budget each:
#
#   bash .ci/fuzz.sh FUZZTIME PACKAGE...
#
# FUZZTIME is go test's -fuzztime: a duration (30s) or a number of inputs (3000x).
# go test fuzzes one target of one package at a time, so each target runs on its own,
# after its seed corpus (the f.Add calls and testdata/fuzz/<target>). FUZZ_PARALLEL, when
# set, is the number of fuzzing workers (-parallel; Go's default is one per core).
# FUZZ_SLOW_TARGETS names targets whose every input goes through the whole app and
# PostgreSQL (hundreds of inputs a second, not tens of thousands); with FUZZTIME_SLOW set
# they get that budget instead.
# FUZZ_MINIMIZETIME (default 1000x) bounds how hard an input is shrunk, in inputs: Go
# shrinks every input that widens coverage, by default for up to a minute each, which
# for the targets that go through the app would stall the run for minutes.
# Inputs that widen coverage stay in Go's cache; a failing input is written to the
# package's testdata/fuzz/<target>, where it becomes a seed once committed. Nothing here
# asserts on time: the budget only bounds how many new inputs are tried.
#
# Go 1.26's fuzzing coordinator can end a duration-bounded run with a bare "context
# deadline exceeded" (golang/go#75804, fixed in Go 1.27): a race at the deadline, not a
# finding, and no failing input is written. Such a run is reported and not counted as a
# failure; a run that wrote a failing input, or failed any other way, fails. Budgets in
# inputs (NNNx) have no deadline and cannot meet the race.
set -euo pipefail
fuzztime=$1
shift
parallel=()
if [[ -n ${FUZZ_PARALLEL:-} ]]; then
	parallel=(-parallel "$FUZZ_PARALLEL")
fi
log=$(mktemp)
trap 'rm -f "$log"' EXIT
go list -f '{{.ImportPath}} {{.Dir}}' "$@" | while read -r pkg dir; do
	names=$(cat "$dir"/*_test.go 2>/dev/null | grep -oE '^func Fuzz[A-Za-z0-9_]+\(f \*testing\.F\)' | cut -d'(' -f1 | cut -d' ' -f2 | sort || true)
	for name in $names; do
		budget=$fuzztime
		if [[ -n ${FUZZTIME_SLOW:-} && " ${FUZZ_SLOW_TARGETS:-} " == *" $name "* ]]; then
			budget=$FUZZTIME_SLOW
		fi
		echo "==> fuzz $pkg $name ($budget)"
		before=$(ls "$dir/testdata/fuzz/$name" 2>/dev/null || true)
		if go test -run '^$' -fuzz "^$name\$" -fuzztime "$budget" -fuzzminimizetime "${FUZZ_MINIMIZETIME:-1000x}" "${parallel[@]}" "$pkg" 2>&1 | tee "$log"; then
			continue
		fi
		after=$(ls "$dir/testdata/fuzz/$name" 2>/dev/null || true)
		if [[ $before == "$after" ]] && grep -q '^    context deadline exceeded$' "$log" &&
			! grep -qE 'Failing input written|panic:|--- FAIL: .*/' "$log"; then
			echo "==> $name: the run ended on Go's fuzzing deadline race (golang/go#75804), not on an input; not a failure"
			continue
		fi
		exit 1
	done
done
