#!/usr/bin/env bash
# Backups of a Rentdesk database with pg_dump's custom format.
#
#   pg-backup.sh dump URL FILE      write a backup of the database at URL to FILE
#   pg-backup.sh restore FILE URL   restore FILE into the (empty) database at URL
#   pg-backup.sh check URL          dump URL, restore it into a fresh database on
#                                   the same server, compare every table's row
#                                   count, then drop the copy; exits 1 on a difference
#
# A backup holds the whole shop: accounts (password hashes), bookings, the
# mail queue and River's jobs. Session and reset tokens are stored hashed, so
# it holds no live login or reset link, but keep it as private as the database.
# pg_dump must be at least as new as the server: the newest installed one is used.
set -euo pipefail

pg_bin() {
	local name=$1 dir
	for dir in $(compgen -G '/usr/lib/postgresql/*/bin' | sort -rV); do
		if [[ -x $dir/$name ]]; then
			echo "$dir/$name"
			return
		fi
	done
	command -v "$name" || { echo "error: $name not found; install postgresql-client" >&2; exit 1; }
}

# with_db URL NAME prints URL pointing at database NAME instead.
with_db() {
	local url=$1 name=$2 rest query=""
	rest=${url#*://}
	[[ $rest == *\?* ]] && query="?${rest#*\?}"
	rest=${rest%%\?*}
	printf '%s://%s/%s%s\n' "${url%%://*}" "${rest%%/*}" "$name" "$query"
}

counts() {
	"$(pg_bin psql)" -X -A -t -v ON_ERROR_STOP=1 "$1" -c "
		SELECT format('%I.%I %s', schemaname, relname,
		       (xpath('/row/n/text()', query_to_xml(format('SELECT count(*) AS n FROM %I.%I', schemaname, relname), false, true, '')))[1]::text)
		FROM pg_stat_user_tables ORDER BY schemaname, relname"
}

cmd=${1:-}
case $cmd in
dump)
	"$(pg_bin pg_dump)" --format=custom --no-owner --no-privileges --file="$3" "$2"
	;;
restore)
	"$(pg_bin pg_restore)" --no-owner --no-privileges --exit-on-error --dbname="$3" "$2"
	;;
check)
	url=$2
	copy="rentdesk_restore_check_$$"
	file=$(mktemp)
	trap 'rm -f "$file"; "$(pg_bin psql)" -X -q "$url" -c "DROP DATABASE IF EXISTS $copy WITH (FORCE)" >/dev/null 2>&1 || true' EXIT
	"$0" dump "$url" "$file"
	"$(pg_bin psql)" -X -q -v ON_ERROR_STOP=1 "$url" -c "CREATE DATABASE $copy"
	"$0" restore "$file" "$(with_db "$url" "$copy")"
	if ! diff <(counts "$url") <(counts "$(with_db "$url" "$copy")"); then
		echo "error: the restored copy differs from the database" >&2
		exit 1
	fi
	echo "backup restored into a fresh database: $(counts "$url" | wc -l) tables, row counts equal"
	;;
*)
	sed -n '2,12p' "$0" >&2
	exit 2
	;;
esac
