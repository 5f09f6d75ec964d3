#!/bin/sh
# The backup service: a custom-format pg_dump of the helpline database every BACKUP_INTERVAL_HOURS,
# kept BACKUP_KEEP_DAYS days, in BACKUP_DIR (/backups). `backup.sh once` makes one dump and exits.
# The dump holds ciphertexts only: without HELPLINE_ENCRYPTION_KEYS and HELPLINE_PEPPER (kept
# apart, docs/deploy.md "Backups") it restores tables nobody can read.
set -eu
: "${PGHOST:=postgres}" "${PGUSER:=helpline}" "${PGDATABASE:=helpline}"
: "${BACKUP_INTERVAL_HOURS:=24}" "${BACKUP_KEEP_DAYS:=14}" "${BACKUP_DIR:=/backups}"
export PGHOST PGUSER PGDATABASE

dump() {
  stamp=$(date -u +%Y%m%dT%H%M%SZ)
  tmp="$BACKUP_DIR/.helpline-$stamp.dump.partial"
  pg_dump --format=custom --compress=6 --file="$tmp"
  pg_restore --list "$tmp" > /dev/null   # an unreadable dump fails here, not on the day it is needed
  mv "$tmp" "$BACKUP_DIR/helpline-$stamp.dump"
  find "$BACKUP_DIR" -name 'helpline-*.dump' -mtime "+$BACKUP_KEEP_DAYS" -delete
  echo "backup: $BACKUP_DIR/helpline-$stamp.dump ($(du -h "$BACKUP_DIR/helpline-$stamp.dump" | cut -f1))"
}

if [ "${1:-}" = "once" ]; then
  dump
  exit 0
fi
until pg_isready -q; do sleep 2; done
while true; do
  if dump; then
    sleep $(( BACKUP_INTERVAL_HOURS * 3600 ))
  else
    echo "backup: FAILED (the next attempt is in an hour)" >&2
    sleep 3600
  fi
done
