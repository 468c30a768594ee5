#!/usr/bin/env bash
# Restore drill: proves the newest backup can be restored and is sound.
#   deploy/restore_drill.sh [dump]     (default: the newest zzgjj-*.dump in BACKUP_DIR)
# 1. creates a scratch database (DRILL_DB, default <database>_restore_drill) on the same server,
# 2. pg_restore -j2 of the dump into it,
# 3. manage.py migrate --check (the dump has every migration this release expects),
# 4. manage.py ledger_reconcile (every balance equals its ledger),
# 5. prints the row counts of the main tables and the time each step took,
# then drops the scratch database (also on failure). Exits non-zero if any step fails.
#
# Run it with the portal's environment (the same EnvironmentFile as the units:
# SECRET_KEY, DATABASE_URL or PG*), from the release directory or with APP_DIR set.
set -euo pipefail

APP_DIR=${APP_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
PYTHON=${PYTHON:-$APP_DIR/.venv/bin/python}
BACKUP_DIR=${BACKUP_DIR:-/var/backups/zzgjj}

dump=${1:-$(find "$BACKUP_DIR" -maxdepth 1 -name 'zzgjj-*.dump' | sort | tail -n 1)}
[[ -n "$dump" && -f "$dump" ]] || { echo "restore drill: no dump found in $BACKUP_DIR" >&2; exit 2; }

if [[ -n "${DATABASE_URL:-}" ]]; then
    base=${DATABASE_URL%%\?*}
    source_db=${base##*/}
    maintenance=("--maintenance-db=$base")
else
    base="postgres://${PGUSER:-$(id -un)}@${PGHOST:-localhost}:${PGPORT:-5432}/${PGDATABASE:-zzgjj}"
    source_db=${PGDATABASE:-zzgjj}
    maintenance=()
fi
scratch=${DRILL_DB:-${source_db}_restore_drill}
[[ "$scratch" != "$source_db" ]] || { echo "restore drill: DRILL_DB must not be the live database" >&2; exit 2; }
scratch_url="${base%/*}/$scratch"

now() { date +%s.%N; }
since() { awk -v a="$(now)" -v b="$1" 'BEGIN { print a - b }'; }
drop_scratch() { PGOPTIONS='-c client_min_messages=warning' dropdb "${maintenance[@]}" --if-exists "$scratch"; }
trap drop_scratch EXIT
trap 'echo "restore drill: FAILED" >&2' ERR

started=$(now)
echo "restore drill: $dump ($(du -h "$dump" | cut -f1), taken $(date -r "$dump" '+%Y-%m-%d %H:%M:%S %z')) into $scratch"
drop_scratch  # a scratch database left by an interrupted drill
createdb "${maintenance[@]}" "$scratch"

step=$(now)
pg_restore --jobs=2 --no-owner --no-privileges --exit-on-error --dbname="$scratch_url" "$dump"
printf '  restore            %8.1f s\n' "$(since "$step")"

step=$(now)
DATABASE_URL=$scratch_url "$PYTHON" "$APP_DIR/manage.py" migrate --check >/dev/null
printf '  migrations applied %8.1f s\n' "$(since "$step")"

step=$(now)
DATABASE_URL=$scratch_url "$PYTHON" "$APP_DIR/manage.py" ledger_reconcile | sed 's/^/  /'
printf '  ledger reconciled  %8.1f s\n' "$(since "$step")"

echo "  row counts:"
psql --no-psqlrc --quiet --tuples-only --no-align --field-separator=' ' --dbname="$scratch_url" <<'SQL' |
SELECT 'inquiry_member', count(*) FROM inquiry_member
UNION ALL SELECT 'inquiry_fundaccount', count(*) FROM inquiry_fundaccount
UNION ALL SELECT 'inquiry_ledgerentry', count(*) FROM inquiry_ledgerentry
UNION ALL SELECT 'inquiry_loancontract', count(*) FROM inquiry_loancontract
UNION ALL SELECT 'inquiry_repayment', count(*) FROM inquiry_repayment
UNION ALL SELECT 'accounts_user', count(*) FROM accounts_user
UNION ALL SELECT 'tasks_application', count(*) FROM tasks_application
UNION ALL SELECT 'tasks_message', count(*) FROM tasks_message
UNION ALL SELECT 'zzgjj_portal_auditevent', count(*) FROM zzgjj_portal_auditevent;
SQL
    while read -r table count; do printf '    %-26s %12s\n' "$table" "$count"; done

printf 'restore drill: passed in %.1f s\n' "$(since "$started")"
