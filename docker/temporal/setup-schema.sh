#!/bin/sh
# One-shot, in the temporalio/admin-tools image: creates Temporal's two databases if missing and
# brings their schemas to the version this admin-tools release ships. Safe to run on every
# `up`: `create` ignores an existing database, `setup-schema -v 0.0` keeps a newer version, and
# `update-schema` applies only what is missing. The admin-tools tag must match the server tag.
set -eu

: "${POSTGRES_SEEDS:?}" "${POSTGRES_USER:?}" "${SQL_PASSWORD:?}"
DB_PORT="${DB_PORT:-5432}"
SCHEMA_ROOT=/etc/temporal/schema/postgresql/v12

for db in temporal temporal_visibility; do
  case "$db" in
    temporal) dir="$SCHEMA_ROOT/temporal/versioned" ;;
    *) dir="$SCHEMA_ROOT/visibility/versioned" ;;
  esac
  echo "temporal-schema: database $db"
  # SQL_PASSWORD is read from the environment by temporal-sql-tool.
  temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -p "$DB_PORT" -u "$POSTGRES_USER" --db "$db" create
  temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -p "$DB_PORT" -u "$POSTGRES_USER" --db "$db" setup-schema -v 0.0
  temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -p "$DB_PORT" -u "$POSTGRES_USER" --db "$db" update-schema -d "$dir"
done
echo 'temporal-schema: done'
