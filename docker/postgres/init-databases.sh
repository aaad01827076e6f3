#!/bin/bash
# Runs once, when the postgresql service's volume is first initialised (the postgres image runs
# /docker-entrypoint-initdb.d/* only on an empty data directory; later password changes must be
# made with ALTER ROLE). It creates:
#   - role `casework` and database `casework`, which the migrate, seed, api and worker services use;
#   - roles `casework_api` and `casework_worker` (NOLOGIN), which the API and the worker switch to
#     after connecting as `casework` (README "Tenancy in the database"); `casework` owns the
#     schema and may not create roles, so they are made here and granted to it;
#   - role `temporal` (CREATEDB), with which the temporal-schema service creates and migrates
#     Temporal's own two databases, `temporal` and `temporal_visibility`.
# Passwords come from the environment and are passed to psql as variables, never spliced into SQL.
# The entrypoint may source this file rather than execute it, so it sets no shell options.

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v casework_password="${CASEWORK_DB_PASSWORD:?CASEWORK_DB_PASSWORD must be set}" \
  -v temporal_password="${TEMPORAL_DB_PASSWORD:?TEMPORAL_DB_PASSWORD must be set}" <<'SQL'
CREATE ROLE casework LOGIN PASSWORD :'casework_password';
CREATE DATABASE casework OWNER casework;
REVOKE ALL ON DATABASE casework FROM PUBLIC;
CREATE ROLE casework_api NOLOGIN;
CREATE ROLE casework_worker NOLOGIN;
GRANT casework_api, casework_worker TO casework;
CREATE ROLE temporal LOGIN CREATEDB PASSWORD :'temporal_password';
SQL
