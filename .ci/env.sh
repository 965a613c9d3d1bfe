#!/usr/bin/env bash
# Development and test environment for Rentdesk: a private PostgreSQL, the pinned
# test peers (Mailpit, stripe-mock), Chromium and a C compiler for -race.
#
# Usage:
#   bash .ci/env.sh STEP...            run the steps in order (the Makefile does this)
#   eval "$(bash .ci/env.sh pg)"       put DATABASE_URL into your shell
#   source .ci/env.sh pg               the same, from an interactive bash
#
# Steps (each one is idempotent: running it again reuses what is there):
#   pg            PostgreSQL ready; exports DATABASE_URL. Uses DATABASE_URL when it is
#                 set, otherwise a private cluster in .dev/pg of this checkout.
#   test-db-url   exports RENTDESK_TEST_DATABASE_URL: the `postgres` database of the
#                 server that DATABASE_URL points at (run after `pg`).
#   pg-stop       stops the private cluster (never a server named by DATABASE_URL).
#   tools         installs the pinned Mailpit and stripe-mock into .dev/bin;
#                 exports MAILPIT_BIN and STRIPE_MOCK_BIN.
#   chromium      installs Debian's chromium when missing; exports CHROMIUM_BIN.
#   cc            installs a C compiler when missing (go test -race needs cgo).
#   pdftotext     installs Debian's poppler-utils when missing (the invoice PDF tests
#                 read their text back with it); exports PDFTOTEXT_BIN.
#   mailpit-run   starts a background Mailpit on 127.0.0.1:1025 (SMTP) and :8025 (UI).
#   mailpit-stop  stops that Mailpit.
#
# Progress goes to stderr. Stdout carries nothing but `export NAME=value` lines, so
# that callers can eval it.

# Sourced: run the steps in a child bash, so that strict mode and any failure stay
# there, and bring back only the exported variables.
if [[ "${BASH_SOURCE[0]}" != "$0" ]]; then
	__rentdesk_env_out="$(bash "${BASH_SOURCE[0]}" "$@")" || {
		unset __rentdesk_env_out
		return 1
	}
	eval "$__rentdesk_env_out"
	unset __rentdesk_env_out
	return 0
fi

set -euo pipefail

# Pinned test peers. Changing a version here reinstalls the tool on the next run.
MAILPIT_MODULE=github.com/axllent/mailpit
MAILPIT_VERSION=v1.33.1
STRIPE_MOCK_MODULE=github.com/stripe/stripe-mock
STRIPE_MOCK_VERSION=v0.203.0

# Where `make run` expects Mailpit (the app is started with SMTP_HOST/SMTP_PORT to match).
MAILPIT_SMTP_HOST=127.0.0.1
MAILPIT_SMTP_PORT=1025
MAILPIT_UI_PORT=8025

# Everything lives under the checkout, found from this file, so that several checkouts
# on one machine never share a cluster, a socket or a binary. -P resolves symlinks so
# that the paths compare equal to what the kernel reports for a running server.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
DEV="$ROOT/.dev"
BIN_DIR="$DEV/bin"
LOG_DIR="$DEV/log"
PG_DIR="$DEV/pg"
PG_DATA="$PG_DIR/data"
PG_RUN="$PG_DIR/run"
PG_LOG="$LOG_DIR/postgres.log"
# With listen_addresses='' the port only names the socket file (.s.PGSQL.5432); the
# socket directory is private, so the usual number cannot clash with another server.
PG_PORT=5432
PG_SUPERUSER=rentdesk
PG_DATABASE=rentdesk

# Names of the variables that the steps export, printed on stdout at the end.
EXPORTS=()

log() { printf '==> %s\n' "$*" >&2; }
warn() { printf 'warning: %s\n' "$*" >&2; }
die() {
	printf 'error: %s\n' "$*" >&2
	exit 1
}

# emit NAME VALUE exports a variable to later steps and to the caller.
emit() {
	export "$1=$2"
	EXPORTS+=("$1")
}

# as_root runs a command with root rights: directly as root, else through sudo.
as_root() {
	if [[ $EUID -eq 0 ]]; then
		"$@"
	elif command -v sudo >/dev/null 2>&1; then
		sudo "$@"
	else
		die "root rights are needed for: $*; run as root, install sudo, or run that command yourself"
	fi
}

# apt_install installs Debian packages. The package lists may be missing or stale on
# a fresh machine, hence the update first; it only runs when something is missing.
apt_install() {
	command -v apt-get >/dev/null 2>&1 ||
		die "apt-get not found; install these packages yourself: $*"
	log "installing Debian packages: $*"
	# In a subshell without our descriptors: a package's install script may start a
	# service (postgresql starts its own cluster) that would otherwise hold our lock.
	(
		close_fds
		as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 -q update
		as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 -q install -y "$@"
	)
}

# close_fds closes every descriptor but stdin, stdout and stderr in the current
# (sub)shell. Used before starting a daemon: it must hold no pipe or lock of whoever
# started make, or a CI runner waiting for end-of-file on its pipe would wait forever.
close_fds() {
	local fd
	for fd in /proc/"$BASHPID"/fd/*; do
		fd=${fd##*/}
		if [[ $fd =~ ^[0-9]+$ ]] && ((fd > 2)); then
			eval "exec $fd>&-"
		fi
	done
}

# lock NAME serialises a step across concurrent make invocations in this checkout
# (two `make test` at once must not both initdb or both start a server). The lock is
# held on fd 9 until unlock or exit; daemons never inherit it (see close_fds).
lock() {
	mkdir -p "$DEV"
	exec 9>"$DEV/.$1.lock"
	if command -v flock >/dev/null 2>&1; then
		flock -w 600 9 || die "timed out waiting for another run holding $DEV/.$1.lock"
	fi
}
unlock() { exec 9>&-; }

# port_open HOST PORT tells whether something accepts TCP connections there, using
# bash's /dev/tcp so that no extra tool is needed.
port_open() {
	(: <>"/dev/tcp/$1/$2") 2>/dev/null
}

# urlencode escapes a value for the query string of a URL (paths with spaces, '&'...).
urlencode() {
	local s=$1 out='' c i
	for ((i = 0; i < ${#s}; i++)); do
		c=${s:i:1}
		case $c in
		[A-Za-z0-9/._~-]) out+=$c ;;
		*) out+=$(printf '%%%02X' "'$c") ;;
		esac
	done
	printf '%s' "$out"
}

# ---------------------------------------------------------------------------
# PostgreSQL

# The server refuses to run as root, so as root it runs as the `postgres` OS user
# (the one Debian's package creates); otherwise as whoever runs make.
if [[ $EUID -eq 0 ]]; then
	PG_OWNER=postgres
else
	PG_OWNER="$(id -un)"
fi

# as_pg runs a command as the cluster's owner, from / so that the tools never
# complain about a working directory that the owner cannot enter.
as_pg() {
	if [[ $EUID -eq 0 ]]; then
		(cd / && runuser -u "$PG_OWNER" -- "$@")
	else
		(cd / && "$@")
	fi
}

# pg_major BINDIR prints the major version of the server binaries in BINDIR.
pg_major() {
	local v
	v="$("$1/pg_ctl" --version 2>/dev/null)" || return 1
	[[ $v =~ \(PostgreSQL\)\ ([0-9]+) ]] || return 1
	printf '%s\n' "${BASH_REMATCH[1]}"
}

# find_pg_bindir prints a directory holding the server binaries: pg_config's first,
# then the newest of Debian's /usr/lib/postgresql/*/bin. An existing cluster needs
# binaries of its own major version, so that one wins when present. Returns 1 when
# there are none at all, 3 when only other major versions are installed.
find_pg_bindir() {
	local want='' dir candidates=()
	if [[ -f "$PG_DATA/PG_VERSION" ]]; then
		want="$(<"$PG_DATA/PG_VERSION")"
	fi
	if command -v pg_config >/dev/null 2>&1; then
		candidates+=("$(pg_config --bindir 2>/dev/null || true)")
	fi
	while IFS= read -r dir; do
		[[ -n $dir ]] && candidates+=("$dir")
	done < <(compgen -G '/usr/lib/postgresql/*/bin' | sort -rV || true)
	for dir in "${candidates[@]}"; do
		[[ -n $dir && -x "$dir/postgres" && -x "$dir/initdb" && -x "$dir/pg_ctl" ]] || continue
		if [[ -z $want || "$(pg_major "$dir")" == "$want" ]]; then
			printf '%s\n' "$dir"
			return 0
		fi
	done
	if [[ -n $want ]]; then
		# Not 1: installing the newest postgresql would not help this cluster.
		printf 'error: %s\n' "the cluster in $PG_DATA was made by PostgreSQL $want, whose server binaries are not installed; install postgresql-$want, or delete the cluster with: make clean-dev CONFIRM=yes" >&2
		return 3
	fi
	return 1
}

# ensure_pg_owner makes sure that, as root, the `postgres` OS user exists and can reach
# the checkout: the server opens its data directory and the log in .dev by path, so
# every ancestor directory needs the search (x) bit for that user.
ensure_pg_owner() {
	[[ $EUID -eq 0 ]] || return 0
	if ! getent passwd "$PG_OWNER" >/dev/null; then
		log "creating the system user $PG_OWNER to run the private PostgreSQL"
		useradd --system --user-group --home-dir /var/lib/postgresql --no-create-home \
			--shell /usr/sbin/nologin "$PG_OWNER"
	fi
	local dir path='' changed=()
	local parts
	IFS=/ read -r -a parts <<<"${LOG_DIR#/}"
	for dir in / "${parts[@]}"; do
		[[ $dir == / ]] && path=/ || path="${path%/}/$dir"
		if ! runuser -u "$PG_OWNER" -- test -x "$path" 2>/dev/null; then
			chmod o+x "$path"
			changed+=("$path")
		fi
	done
	if ((${#changed[@]})); then
		log "the $PG_OWNER OS user (which runs the private PostgreSQL) could not enter these"
		log "directories; granted o+x (enter only, not list or read) on: ${changed[*]}"
	fi
}

# postmaster_pid prints the pid of this cluster's running server, if there is one.
# postmaster.pid alone is not proof: after a crash or a machine restart it is left
# behind, and its pid may by now belong to an unrelated process, which would make the
# server refuse to start. A live server has that pid, is named postgres, and has the
# data directory as its working directory (or, where /proc hides that, on its
# command line).
postmaster_pid() {
	local pid cwd
	[[ -f "$PG_DATA/postmaster.pid" ]] || return 1
	pid="$(head -n 1 "$PG_DATA/postmaster.pid" 2>/dev/null || true)"
	[[ $pid =~ ^[0-9]+$ ]] || return 1
	[[ "$(cat "/proc/$pid/comm" 2>/dev/null || true)" == postgres* ]] || return 1
	cwd="$(readlink "/proc/$pid/cwd" 2>/dev/null || true)"
	if [[ -n $cwd ]]; then
		[[ $cwd == "$PG_DATA" ]] || return 1
	else
		[[ "$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null || true)" == *"$PG_DATA"* ]] || return 1
	fi
	printf '%s\n' "$pid"
}

# remove_stale_lock deletes the lock files of a server that is no longer running.
remove_stale_lock() {
	if [[ -f "$PG_DATA/postmaster.pid" ]]; then
		log "removing the stale postmaster.pid of a server that is not running"
		rm -f "$PG_DATA/postmaster.pid"
	fi
	rm -f "$PG_RUN/.s.PGSQL.$PG_PORT" "$PG_RUN/.s.PGSQL.$PG_PORT.lock"
}

pg_isready_private() {
	"$PG_BINDIR/pg_isready" -q -h "$PG_RUN" -p "$PG_PORT" -U "$PG_SUPERUSER" -d postgres -t 2
}

psql_private() {
	"$PG_BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_RUN" -p "$PG_PORT" -U "$PG_SUPERUSER" "$@"
}

show_pg_log() {
	if [[ -f $PG_LOG ]]; then
		printf -- '--- last lines of %s ---\n' "$PG_LOG" >&2
		tail -n 30 "$PG_LOG" >&2 || true
	fi
}

# write_pg_conf writes the settings that this script owns; postgresql.conf includes
# the file. It is rewritten before every start so that the paths follow the checkout
# if it moves and a change here takes effect at the next start.
write_pg_conf() {
	local conf="$PG_DATA/rentdesk.conf"
	local run_dir=${PG_RUN//\'/\'\'}
	cat >"$conf" <<EOF
# Written by .ci/env.sh before each start of this private development cluster;
# edits here are lost.

# Unix socket only: nothing on the network can reach this trust-auth cluster.
listen_addresses = ''
unix_socket_directories = '$run_dir'
port = $PG_PORT

# The test suite gives each package its own database and runs packages in parallel.
max_connections = 300

# This cluster is throwaway (demo and test data, rebuilt by make clean-dev), so we
# trade crash safety for speed: tests create and drop many databases. A machine crash
# may corrupt it; delete .dev and run make again.
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
	if [[ $EUID -eq 0 ]]; then chown "$PG_OWNER:" "$conf"; fi
}

# init_cluster creates the private cluster: superuser rentdesk, trust auth (it is
# reachable only through a socket in the checkout), UTF-8.
init_cluster() {
	if [[ -e $PG_DATA ]]; then
		# A data directory without PG_VERSION is an initdb that never finished.
		log "removing the unfinished cluster in $PG_DATA"
		rm -rf "$PG_DATA"
	fi
	# C.UTF-8 makes sorting and case rules the same on every developer's machine
	# whatever their own locale is; plain C where the system lacks it.
	local locale=C
	if grep -qiE '^c\.utf-?8$' <<<"$(locale -a 2>/dev/null || true)"; then
		locale=C.UTF-8
	fi
	log "creating a private PostgreSQL $(pg_major "$PG_BINDIR") cluster in $PG_DATA"
	if ! as_pg "$PG_BINDIR/initdb" -D "$PG_DATA" -U "$PG_SUPERUSER" --auth=trust -E UTF8 \
		--locale="$locale" >"$LOG_DIR/initdb.log" 2>&1; then
		cat "$LOG_DIR/initdb.log" >&2
		die "initdb failed (output above, also in $LOG_DIR/initdb.log)"
	fi
	printf "\n# Settings of the Rentdesk development cluster.\ninclude_if_exists = 'rentdesk.conf'\n" \
		>>"$PG_DATA/postgresql.conf"
}

start_cluster() {
	write_pg_conf
	# pg_ctl opens the log as the cluster's owner, inside a directory owned by us.
	touch "$PG_LOG"
	if [[ $EUID -eq 0 ]]; then chown "$PG_OWNER:" "$PG_LOG"; fi
	log "starting the private PostgreSQL (log: $PG_LOG)"
	# -l sends the server's output to the log and pg_ctl puts it in its own session,
	# so it holds no terminal or pipe of ours and survives Ctrl-C of `make run`.
	if ! (close_fds && as_pg "$PG_BINDIR/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t 60 start); then
		show_pg_log
		die "PostgreSQL did not start"
	fi
}

step_pg() {
	if [[ -n ${DATABASE_URL:-} ]]; then
		log "using the PostgreSQL of DATABASE_URL"
		if command -v psql >/dev/null 2>&1 &&
			! psql "$DATABASE_URL" -X -q -A -t -c 'select 1' >/dev/null 2>&1; then
			warn "psql cannot connect to DATABASE_URL; the app will report why"
		fi
		emit DATABASE_URL "$DATABASE_URL"
		return 0
	fi

	lock pg
	local rc=0
	PG_BINDIR="$(find_pg_bindir)" || rc=$?
	if ((rc == 1)); then
		apt_install postgresql
		PG_BINDIR="$(find_pg_bindir)" || die "no PostgreSQL server binaries even after installing postgresql"
	elif ((rc != 0)); then
		exit "$rc"
	fi
	mkdir -p "$LOG_DIR" "$PG_RUN"
	ensure_pg_owner
	if [[ $EUID -eq 0 ]]; then
		# Also repairs a cluster that was made by a non-root run of this script.
		if [[ "$(stat -c %U "$PG_DIR")" != "$PG_OWNER" || "$(stat -c %U "$PG_RUN")" != "$PG_OWNER" ||
			(-d $PG_DATA && "$(stat -c %U "$PG_DATA")" != "$PG_OWNER") ]]; then
			chown -R "$PG_OWNER:" "$PG_DIR"
		fi
	fi
	# A Unix socket path is limited to 107 bytes; say so instead of failing obscurely.
	local socket="$PG_RUN/.s.PGSQL.$PG_PORT"
	if ((${#socket} > 107)); then
		die "the socket path $socket is longer than Unix allows (107 bytes);" \
			"use a checkout with a shorter path, or set DATABASE_URL to a server of your own"
	fi

	[[ -f "$PG_DATA/PG_VERSION" ]] || init_cluster

	local pid
	if pid="$(postmaster_pid)"; then
		log "reusing the private PostgreSQL already running (pid $pid)"
	else
		remove_stale_lock
		start_cluster
	fi

	local i
	for ((i = 0; i < 60; i++)); do
		pg_isready_private && break
		sleep 1
	done
	if ! pg_isready_private; then
		show_pg_log
		die "the private PostgreSQL does not accept connections on $PG_RUN"
	fi

	if [[ "$(psql_private -d postgres -A -t -c "select 1 from pg_database where datname = '$PG_DATABASE'")" != 1 ]]; then
		log "creating database $PG_DATABASE"
		psql_private -d postgres -c "create database $PG_DATABASE"
	fi
	unlock

	local url
	url="postgres://$PG_SUPERUSER@/$PG_DATABASE?host=$(urlencode "$PG_RUN")&sslmode=disable"
	log "PostgreSQL ready: DATABASE_URL=$url"
	emit DATABASE_URL "$url"
}

step_pg_stop() {
	lock pg
	if [[ ! -f "$PG_DATA/PG_VERSION" ]]; then
		log "no private PostgreSQL cluster in $PG_DATA"
	elif postmaster_pid >/dev/null; then
		PG_BINDIR="$(find_pg_bindir)" || die "no PostgreSQL server binaries to stop the cluster with"
		log "stopping the private PostgreSQL"
		as_pg "$PG_BINDIR/pg_ctl" -D "$PG_DATA" -m fast -w -t 60 stop >&2
	else
		log "the private PostgreSQL is not running"
		remove_stale_lock
	fi
	unlock
}

# step_test_db_url derives the superuser URL of the `postgres` database from
# DATABASE_URL: the test harness creates its template and per-package databases there.
step_test_db_url() {
	if [[ -n ${RENTDESK_TEST_DATABASE_URL:-} ]]; then
		emit RENTDESK_TEST_DATABASE_URL "$RENTDESK_TEST_DATABASE_URL"
		return 0
	fi
	[[ -n ${DATABASE_URL:-} ]] || die "test-db-url needs DATABASE_URL; run the pg step first"
	local url=$DATABASE_URL
	if [[ $url =~ ^([A-Za-z][A-Za-z0-9+.-]*://[^/?#]*)(/[^?#]*)?(\?[^#]*)?$ ]]; then
		url="${BASH_REMATCH[1]}/postgres${BASH_REMATCH[3]}"
	elif [[ $url =~ (^|[[:space:]])dbname=[^[:space:]]* ]]; then
		# keyword=value form
		url="${url/${BASH_REMATCH[0]}/${BASH_REMATCH[1]}dbname=postgres}"
	else
		url="$url dbname=postgres"
	fi
	emit RENTDESK_TEST_DATABASE_URL "$url"
}

# ---------------------------------------------------------------------------
# Pinned Go tools

# go_install NAME MODULE VERSION installs MODULE@VERSION into .dev/bin unless the binary
# there was already built from exactly that version (read back with `go version -m`).
go_install() {
	local name=$1 module=$2 version=$3 bin="$BIN_DIR/$1" have=''
	if [[ -x $bin ]]; then
		have="$(go version -m "$bin" 2>/dev/null | awk '$1 == "mod" { print $3; exit }' || true)"
	fi
	if [[ $have != "$version" ]]; then
		log "installing $module@$version into $BIN_DIR"
		GOBIN="$BIN_DIR" go install "$module@$version"
	fi
}

step_tools() {
	command -v go >/dev/null 2>&1 || die "go not found on PATH"
	mkdir -p "$BIN_DIR"
	lock tools
	go_install mailpit "$MAILPIT_MODULE" "$MAILPIT_VERSION"
	go_install stripe-mock "$STRIPE_MOCK_MODULE" "$STRIPE_MOCK_VERSION"
	unlock
	emit MAILPIT_BIN "$BIN_DIR/mailpit"
	emit STRIPE_MOCK_BIN "$BIN_DIR/stripe-mock"
}

# ---------------------------------------------------------------------------
# Chromium and the C compiler

step_chromium() {
	# A browser of one's own choosing, named by CHROMIUM_BIN, is kept.
	if [[ -n ${CHROMIUM_BIN:-} && -x ${CHROMIUM_BIN} ]]; then
		emit CHROMIUM_BIN "$CHROMIUM_BIN"
		return 0
	fi
	if ! command -v chromium >/dev/null 2>&1; then
		lock apt
		command -v chromium >/dev/null 2>&1 || apt_install chromium
		unlock
	fi
	command -v chromium >/dev/null 2>&1 || die "chromium is still not on PATH after installing it"
	emit CHROMIUM_BIN "$(command -v chromium)"
}

# step_pdftotext: the invoice tests read the text of the PDFs the app makes with
# poppler's pdftotext, an independent reader, rather than trusting our own writer.
step_pdftotext() {
	if [[ -n ${PDFTOTEXT_BIN:-} && -x ${PDFTOTEXT_BIN} ]]; then
		emit PDFTOTEXT_BIN "$PDFTOTEXT_BIN"
		return 0
	fi
	if ! command -v pdftotext >/dev/null 2>&1; then
		lock apt
		command -v pdftotext >/dev/null 2>&1 || apt_install poppler-utils
		unlock
	fi
	command -v pdftotext >/dev/null 2>&1 || die "pdftotext is still not on PATH after installing poppler-utils"
	emit PDFTOTEXT_BIN "$(command -v pdftotext)"
}

# step_cc: the race detector needs cgo, and Go quietly turns cgo off when it finds no
# C compiler, so a machine with only Go would fail `go test -race`.
step_cc() {
	local cc
	cc="$(go env CC 2>/dev/null || true)"
	cc=${cc%% *}
	if ! command -v "${cc:-gcc}" >/dev/null 2>&1; then
		lock apt
		apt_install gcc libc6-dev
		unlock
	fi
	emit CGO_ENABLED 1
}

# ---------------------------------------------------------------------------
# Mailpit for `make run`

MAILPIT_PIDFILE="$DEV/mailpit.pid"

# mailpit_pid prints the pid of the Mailpit that mailpit-run started, if it still runs.
mailpit_pid() {
	local pid
	[[ -f $MAILPIT_PIDFILE ]] || return 1
	pid="$(<"$MAILPIT_PIDFILE")"
	[[ $pid =~ ^[0-9]+$ ]] || return 1
	[[ "$(cat "/proc/$pid/comm" 2>/dev/null || true)" == mailpit ]] || return 1
	printf '%s\n' "$pid"
}

step_mailpit_run() {
	[[ -n ${MAILPIT_BIN:-} ]] || step_tools
	mkdir -p "$LOG_DIR"
	lock mailpit
	local pid ui="http://$MAILPIT_SMTP_HOST:$MAILPIT_UI_PORT"
	if pid="$(mailpit_pid)"; then
		log "reusing Mailpit (pid $pid)"
	elif port_open "$MAILPIT_SMTP_HOST" "$MAILPIT_SMTP_PORT" || port_open "$MAILPIT_SMTP_HOST" "$MAILPIT_UI_PORT"; then
		# Most likely a Mailpit or MailHog of the developer's own; use it as it is.
		warn "$MAILPIT_SMTP_HOST:$MAILPIT_SMTP_PORT or :$MAILPIT_UI_PORT is already in use;" \
			"not starting Mailpit, mail goes to whatever listens there"
		unlock
		return 0
	else
		log "starting Mailpit (log: $LOG_DIR/mailpit.log)"
		# setsid: its own session, so Ctrl-C of `make run` stops the app but not the
		# mailbox. Output goes to the log so it holds no pipe of the caller open. The
		# database in .dev keeps the mail across restarts of Mailpit.
		(
			close_fds
			exec setsid "$MAILPIT_BIN" \
				--smtp "$MAILPIT_SMTP_HOST:$MAILPIT_SMTP_PORT" \
				--listen "$MAILPIT_SMTP_HOST:$MAILPIT_UI_PORT" \
				--disable-version-check \
				--database "$DEV/mailpit.db"
		) </dev/null >>"$LOG_DIR/mailpit.log" 2>&1 &
		pid=$!
		printf '%s\n' "$pid" >"$MAILPIT_PIDFILE"
		local i
		for ((i = 0; i < 100; i++)); do
			port_open "$MAILPIT_SMTP_HOST" "$MAILPIT_UI_PORT" && break
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		if ! port_open "$MAILPIT_SMTP_HOST" "$MAILPIT_UI_PORT"; then
			tail -n 20 "$LOG_DIR/mailpit.log" >&2 || true
			die "Mailpit did not start"
		fi
	fi
	unlock
	log "mail sent by the app can be read at $ui"
}

step_mailpit_stop() {
	local pid
	if pid="$(mailpit_pid)"; then
		log "stopping Mailpit (pid $pid)"
		kill "$pid" 2>/dev/null || true
		# Wait, so that a following `rm -rf .dev` does not race its last writes.
		local i
		for ((i = 0; i < 50; i++)); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		if mailpit_pid >/dev/null; then
			warn "Mailpit did not stop within 5 s; killing it"
			kill -KILL "$pid" 2>/dev/null || true
		fi
	fi
	rm -f "$MAILPIT_PIDFILE"
}

# ---------------------------------------------------------------------------

usage() {
	sed -n '2,/^$/p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
}

main() {
	(($#)) || {
		usage
		exit 2
	}
	local step
	for step in "$@"; do
		case $step in
		pg) step_pg ;;
		pg-stop) step_pg_stop ;;
		test-db-url) step_test_db_url ;;
		tools) step_tools ;;
		chromium) step_chromium ;;
		cc) step_cc ;;
		pdftotext) step_pdftotext ;;
		mailpit-run) step_mailpit_run ;;
		mailpit-stop) step_mailpit_stop ;;
		-h | --help | help)
			usage
			exit 0
			;;
		*)
			usage
			die "unknown step: $step"
			;;
		esac
	done
}

# Bash keeps the real stdout aside (close-on-exec) while main runs, so neither the
# steps' chatter nor a daemon they start can write to or hold open the caller's pipe.
main "$@" >&2
# Single quotes, so that the lines read well and any POSIX shell can eval them.
for name in ${EXPORTS[@]+"${EXPORTS[@]}"}; do
	value=${!name}
	printf "export %s='%s'\n" "$name" "${value//\'/\'\\\'\'}"
done
