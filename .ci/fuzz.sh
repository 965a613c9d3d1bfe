#!/usr/bin/env bash
# Runs every fuzz target of the given packages for a fixed time each:
#
#   bash .ci/fuzz.sh FUZZTIME PACKAGE...
#
# go test fuzzes one target of one package at a time, so each target runs on its own,
# after its seed corpus (the f.Add calls and testdata/fuzz/<target>). FUZZ_PARALLEL, when
# set, is the number of fuzzing workers (-parallel; Go's default is one per core).
# Inputs that widen coverage stay in Go's cache; a failing input is written to the
# package's testdata/fuzz/<target>, where it becomes a seed once committed. There are no
# timed assertions: the time only bounds how long new inputs are tried.
set -euo pipefail
fuzztime=$1
shift
parallel=()
if [[ -n ${FUZZ_PARALLEL:-} ]]; then
	parallel=(-parallel "$FUZZ_PARALLEL")
fi
go list -f '{{.ImportPath}} {{.Dir}}' "$@" | while read -r pkg dir; do
	names=$(cat "$dir"/*_test.go 2>/dev/null | grep -oE '^func Fuzz[A-Za-z0-9_]+\(f \*testing\.F\)' | cut -d'(' -f1 | cut -d' ' -f2 | sort || true)
	for name in $names; do
		echo "==> fuzz $pkg $name ($fuzztime)"
		go test -run '^$' -fuzz "^$name\$" -fuzztime "$fuzztime" "${parallel[@]}" "$pkg"
	done
done
