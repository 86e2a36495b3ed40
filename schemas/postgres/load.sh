#!/bin/sh
# Loads this mediabase bundle into PostgreSQL 12 or newer: every part, in file-name order,
# through ONE psql session in ONE transaction. If anything fails, nothing is kept.
#
#   ./load.sh [DBNAME] [psql connection options]
#
# Connection settings come from the usual PG* variables (PGHOST, PGPORT, PGUSER, PGDATABASE,
# PGPASSWORD, PGSERVICE, ...) or from psql options such as --dbname, --host, --port, --username.
# The tables go into schema public of that database; it must not hold them already.
set -eu
cd "$(dirname "$0")"

if [ $# -gt 0 ]; then
    case $1 in
        -*) ;;
        *) database=$1; shift; set -- --dbname="$database" "$@" ;;
    esac
fi
command -v psql >/dev/null 2>&1 || { echo "load.sh: psql not found" >&2; exit 127; }

# Damaged parts are found before the server sees a byte of them.
for part in [0-9][0-9]_*.sql.gz patients/*.sql.gz; do
    [ -f "$part" ] || continue
    gzip -t "$part" || { echo "load.sh: $part is damaged; nothing was loaded" >&2; exit 1; }
done

# psql wraps the whole stream in BEGIN ... COMMIT (--single-transaction) and stops at the first
# error (ON_ERROR_STOP), which rolls everything back. Should a part still fail to decompress on
# the way, what follows it ends any COPY block in progress and raises an error, so the
# transaction can never commit a partial load.
for part in [0-9][0-9]_*.sql.gz patients/*.sql.gz; do
    [ -f "$part" ] || continue
    echo "load.sh: $part" >&2
    if ! gzip -dc "$part"; then
        printf '\n\\.\n'
        printf "DO \$\$ BEGIN RAISE EXCEPTION 'load.sh: a part could not be read; nothing was loaded'; END \$\$;\n"
        exit 1
    fi
done | psql -X -q -v ON_ERROR_STOP=1 --single-transaction "$@" -f -
echo "load.sh: done" >&2
