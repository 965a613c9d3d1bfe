# Rentdesk development commands. `make` alone lists them.
#
# The environment (a private PostgreSQL in .dev/, the pinned test peers, Chromium) is
# prepared by .ci/env.sh, whose steps print `export NAME=value` lines that the recipes
# eval; see that file for what each step does.

SHELL := bash
# Every recipe line stops at its first failing command, including inside pipes.
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

ENV_SH := bash .ci/env.sh

# `make run` settings; set any of them in the environment or on the command line to
# override (e.g. make run RENTDESK_ADDR=localhost:9090 RENTDESK_BASE_URL=http://localhost:9090).
RENTDESK_ADDR ?= localhost:8080
RENTDESK_BASE_URL ?= http://localhost:8080

# `make test` settings, e.g. make test PKGS=./internal/store/...
PKGS ?= ./...
TEST_FLAGS ?= -race -count=1 -timeout 30m

# `make bench` settings, e.g. make bench SIZE=large BENCH_DURATION=10s
SIZE ?= small
BENCH_DURATION ?= 5s
BENCH_CLIENTS ?= 16
BENCH_ROUNDS ?= 2
BENCH_ONLY ?=
# The soak run after the scenarios (mixed load, then invariants, jobs, memory); 0 skips it.
SOAK ?= 1m
# `make bench-go`: which Go benchmarks run (a -bench pattern); every one by default.
BENCH ?= .

# `make fuzz` settings: how long each fuzz target runs.
FUZZTIME ?= 30s
# `make test` fuzzes every target of PKGS for TEST_FUZZTIME each, with one worker, after
# the tests (0 skips it; so does a focused run, one whose TEST_FLAGS select tests with -run).
# A number of inputs, not a duration: the same work on a busy machine as on an idle one,
# and no deadline to race (see .ci/fuzz.sh). The targets that send every input through
# the whole app and PostgreSQL get TEST_FUZZTIME_SLOW.
TEST_FUZZTIME ?= 20000x
TEST_FUZZTIME_SLOW ?= 2000x
FUZZ_SLOW_TARGETS := FuzzPostRoutes FuzzStripeWebhook

# `make clean-dev` deletes data, so it asks for CONFIRM=yes.
CONFIRM ?=

.PHONY: help run test generate lint bench bench-go fuzz db-stop clean-dev backup-check

help: ## List the targets
	@echo 'Usage: make TARGET [VAR=value...]'
	@echo
	@awk 'BEGIN { FS = ":.*## " } /^[a-z][a-z-]*:.*## / { printf "  %-10s %s\n", $$1, $$2 }' $(MAKEFILE_LIST)
	@echo
	@echo 'Variables: PKGS, TEST_FLAGS, TEST_FUZZTIME, TEST_FUZZTIME_SLOW (test), FUZZTIME (fuzz), SIZE, BENCH_DURATION, BENCH_CLIENTS, BENCH_ROUNDS,'
	@echo 'BENCH_ONLY, SOAK (bench), RENTDESK_ADDR,'
	@echo 'RENTDESK_BASE_URL (run), DATABASE_URL (use your own PostgreSQL instead of .dev/pg).'

run: ## Serve http://localhost:8080 with migrations and demo data (Ctrl-C stops the app)
	@vars="$$($(ENV_SH) pg tools mailpit-run)"; eval "$$vars"; \
	export RENTDESK_ADDR='$(RENTDESK_ADDR)' RENTDESK_BASE_URL='$(RENTDESK_BASE_URL)'; \
	export SMTP_HOST=127.0.0.1 SMTP_PORT=1025 SMTP_TLS=none; \
	go build -o .dev/bin/rentdesk ./cmd/rentdesk; \
	echo "==> starting Rentdesk on $$RENTDESK_BASE_URL"; \
	exec .dev/bin/rentdesk serve --migrate --demo
# exec: the app replaces the recipe shell, so Ctrl-C reaches it directly and it shuts
# down gracefully (exit status 0; `go run` would report 1 after any interrupt);
# PostgreSQL and Mailpit run in sessions of their own and keep going.

test: ## Run the tests with -race against a private PostgreSQL, Mailpit, stripe-mock and Chromium
	@vars="$$($(ENV_SH) pg test-db-url tools chromium cc pdftotext)"; eval "$$vars"; \
	unset DATABASE_URL; \
	go test $(TEST_FLAGS) $(PKGS); \
	if [[ '$(TEST_FUZZTIME)' != 0 && -z '$(findstring -run,$(TEST_FLAGS))' ]]; then \
		FUZZ_PARALLEL=1 FUZZ_MINIMIZETIME=100x FUZZTIME_SLOW='$(TEST_FUZZTIME_SLOW)' FUZZ_SLOW_TARGETS='$(FUZZ_SLOW_TARGETS)' \
			bash .ci/fuzz.sh '$(TEST_FUZZTIME)' $(PKGS); \
	fi
# DATABASE_URL is unset so that no test can reach the development database (with its
# demo data); tests get their own databases from RENTDESK_TEST_DATABASE_URL.
# The fuzzing after the tests runs without -race (the seed corpora already ran with the
# tests' flags), one target at a time: about a minute and a half for the ten targets,
# most of it building the fuzzing test binaries.

generate: ## Regenerate the Go code of the templ templates
	go tool templ generate -path templates

lint: ## Check generated code is current, go vet, and gofmt
	@echo '==> templ generate (generated code must be committed)'
	@go tool templ generate -path templates
	@if ! git diff --exit-code --stat -- '*_templ.go'; then \
		echo 'error: generated *_templ.go files are out of date; run make generate and commit them' >&2; \
		exit 1; \
	fi
	@untracked="$$(git ls-files --others --exclude-standard -- '*_templ.go')"; \
	if [[ -n $$untracked ]]; then \
		printf 'error: generated files not committed:\n%s\n' "$$untracked" >&2; \
		exit 1; \
	fi
	@echo '==> go vet'
	@go vet ./...
	@echo '==> gofmt'
	@unformatted="$$(find . \( -path ./.dev -o -path ./.git \) -prune -o -name '*.go' -type f -print0 | xargs -0 -r gofmt -l)"; \
	if [[ -n $$unformatted ]]; then \
		printf 'error: not gofmt-ed (run gofmt -w on them):\n%s\n' "$$unformatted" >&2; \
		exit 1; \
	fi

bench: ## Load benchmark of a real `rentdesk serve` on loopback (SIZE=small|large, SOAK=1m; growth, lib/pq vs pgx, instrumentation), then bench-go
	@vars="$$($(ENV_SH) pg)"; eval "$$vars"; \
	mkdir -p .dev/bin; \
	go build -o .dev/bin/rentdesk ./cmd/rentdesk; \
	go build -o .dev/bin/rentdesk-bench ./cmd/rentdesk-bench; \
	go build -tags benchpgx -o .dev/bin/rentdesk-pgx ./cmd/rentdesk; \
	.dev/bin/rentdesk-bench -size '$(SIZE)' -duration '$(BENCH_DURATION)' -c '$(BENCH_CLIENTS)' \
		-rounds '$(BENCH_ROUNDS)' -only '$(BENCH_ONLY)' -soak '$(SOAK)' -bin .dev/bin/rentdesk -pgx-bin .dev/bin/rentdesk-pgx -out .dev
	@$(MAKE) --no-print-directory bench-go

bench-go: ## Go benchmarks (signed webhook deliveries, request metrics, queries); .dev/bench-go.txt and .dev/bench-go-report.md
	@vars="$$($(ENV_SH) pg test-db-url tools)"; eval "$$vars"; \
	unset DATABASE_URL; \
	mkdir -p .dev; \
	{ \
		echo "# $$(date -u +%Y-%m-%dT%H:%M:%SZ) commit $$(git rev-parse --short HEAD 2>/dev/null || echo unknown), $$(go version), $$(nproc) cores"; \
		go test -run '^$$' -bench '$(BENCH)' -benchmem $(PKGS); \
	} 2>&1 | tee .dev/bench-go.txt
	@{ head -n 1 .dev/bench-go.txt; echo; awk -f .ci/bench-report.awk .dev/bench-go.txt; } > .dev/bench-go-report.md
	@echo '==> full output in .dev/bench-go.txt; summary (.dev/bench-go-report.md):'
	@cat .dev/bench-go-report.md
# The data sets live in databases of their own (rentdesk_bench_small, _large, _large_short) on the
# same PostgreSQL as `make run`, generated once and reused; drop one to regenerate it.

fuzz: ## Run every fuzz target of PKGS for FUZZTIME each (make test fuzzes them for TEST_FUZZTIME)
	@vars="$$($(ENV_SH) pg test-db-url tools)"; eval "$$vars"; unset DATABASE_URL; \
	bash .ci/fuzz.sh '$(FUZZTIME)' $(PKGS)

backup-check: ## Dump the development database, restore it into a fresh one and compare (deploy/pg-backup.sh)
	@vars="$$($(ENV_SH) pg)"; eval "$$vars"; \
	bash deploy/pg-backup.sh check "$$DATABASE_URL"

db-stop: ## Stop the private PostgreSQL (make run and make test start it again)
	@$(ENV_SH) pg-stop

clean-dev: ## Stop PostgreSQL and Mailpit and delete .dev (needs CONFIRM=yes)
	@if [[ '$(CONFIRM)' != yes ]]; then \
		echo 'This deletes .dev: the private PostgreSQL with all its data, the pinned tools and the logs.' >&2; \
		echo 'Run: make clean-dev CONFIRM=yes' >&2; \
		exit 1; \
	fi
	@$(ENV_SH) pg-stop mailpit-stop
	rm -rf .dev
