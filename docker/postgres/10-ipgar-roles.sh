#!/bin/sh
# The two database roles of an install (README "Database roles", docs/adr/0007-database-roles.md).
# Run once by the postgres image on a new data volume (/docker-entrypoint-initdb.d), as the
# cluster's superuser; scripts/test runs the same file against its throwaway cluster.
#   ipgar_owner  owns the database and its tables; `migrate` connects as it.
#   ipgar_app    owns nothing; web, worker and beat connect as it. `migrate` grants it ordinary
#                reads and writes, and on the access log only SELECT and INSERT
#                (audit/dbroles.py), so the application cannot rewrite or disable the log.
# Neither role is a superuser, so neither can set session_replication_role.
# Environment: IPGAR_OWNER_PASSWORD, IPGAR_APP_PASSWORD (required), IPGAR_DB (default ipgar);
# the connection comes from psql's own PG* variables (the local socket in the image).
set -eu
: "${IPGAR_OWNER_PASSWORD:?set IPGAR_OWNER_PASSWORD}" "${IPGAR_APP_PASSWORD:?set IPGAR_APP_PASSWORD}"
db="${IPGAR_DB:-ipgar}"
superuser="${POSTGRES_USER:-postgres}"

psql -v ON_ERROR_STOP=1 --username "$superuser" --dbname postgres \
    -v owner_password="$IPGAR_OWNER_PASSWORD" -v app_password="$IPGAR_APP_PASSWORD" \
    -v db="$db" <<'SQL'
CREATE ROLE ipgar_owner LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS
    PASSWORD :'owner_password';
CREATE ROLE ipgar_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS
    NOINHERIT PASSWORD :'app_password';
CREATE DATABASE :"db" OWNER ipgar_owner;
REVOKE ALL ON DATABASE :"db" FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE :"db" TO ipgar_app;
SQL
