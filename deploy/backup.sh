#!/usr/bin/env bash
# Nightly backup of the portal's PostgreSQL database (systemd timer or cron, see README):
#   pg_dump -Fc into BACKUP_DIR as zzgjj-<UTC time>.dump, keeping the BACKUP_KEEP newest.
#
# Connection: DATABASE_URL (the portal's own, postgres://user:password@host:port/name)
# or, without it, libpq's PGHOST / PGPORT / PGUSER / PGPASSWORD / PGDATABASE.
#   BACKUP_DIR   where dumps go (default /var/backups/zzgjj); copy it off the machine too
#   BACKUP_KEEP  how many dumps to keep (default 14)
# The dump is written under a temporary name and renamed when complete, so a
# crash never leaves a truncated file that looks like the newest backup.
set -euo pipefail

BACKUP_DIR=${BACKUP_DIR:-/var/backups/zzgjj}
BACKUP_KEEP=${BACKUP_KEEP:-14}
[[ "$BACKUP_KEEP" =~ ^[1-9][0-9]*$ ]] || { echo "backup: BACKUP_KEEP must be a positive number" >&2; exit 2; }

dbname=()
if [[ -n "${DATABASE_URL:-}" ]]; then
    dbname=(--dbname="${DATABASE_URL%%\?*}")  # libpq reads the URL; Django's ?options are not libpq's
fi

# Dumps hold every member's personal data: readable by the owner only.
umask 077
mkdir -p "$BACKUP_DIR"
# Seconds and nanoseconds: two dumps in one second (a retry, a test) never share a name; names still sort by time.
stamp=$(date -u +%Y%m%dT%H%M%S.%NZ)
target="$BACKUP_DIR/zzgjj-$stamp.dump"
started=$(date +%s.%N)

pg_dump --format=custom --no-owner "${dbname[@]}" --file="$target.partial"
mv "$target.partial" "$target"

# Retention: the names sort by time, so the newest BACKUP_KEEP are the last ones.
mapfile -t old < <(find "$BACKUP_DIR" -maxdepth 1 -name 'zzgjj-*.dump' -printf '%f\n' | sort | head -n "-$BACKUP_KEEP")
for name in "${old[@]}"; do
    rm -f -- "$BACKUP_DIR/$name"
done

elapsed=$(awk -v a="$(date +%s.%N)" -v b="$started" 'BEGIN { print a - b }')
size=$(du -h "$target" | cut -f1)
kept=$(find "$BACKUP_DIR" -maxdepth 1 -name 'zzgjj-*.dump' | wc -l)
printf 'backup: %s (%s) in %.1f s; %d kept, %d removed\n' "$target" "$size" "$elapsed" "$kept" "${#old[@]}"
