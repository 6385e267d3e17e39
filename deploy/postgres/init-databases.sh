#!/bin/sh
# One database per service, each owned by a role of its own: a service can reach only its own
# data. The postgres image runs this once, when it initialises an empty data directory.
# SERVICE_DB_PASSWORD (set by docker-compose.yml) is the password of the service roles.
#
# Per service: <service> owns the database and runs the migrations; <service>_app is the role
# its processes run as (granted its privileges by `migrate`, DATABASE_RUNTIME_ROLE); the audit
# log belongs to <service>_audit_owner, which nobody logs in as and only the migrating role is
# a member of (shared/src/shared/audit_owner.py), so <service>_app may only append to it and
# read it.
set -e

for service in applications vetting access notifications; do
    psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
        -v service="$service" -v app="${service}_app" -v audit_owner="${service}_audit_owner" \
        -v password="$SERVICE_DB_PASSWORD" <<'SQL'
CREATE ROLE :"service" LOGIN PASSWORD :'password';
CREATE DATABASE :"service" OWNER :"service";
REVOKE ALL ON DATABASE :"service" FROM PUBLIC;
CREATE ROLE :"app" LOGIN PASSWORD :'password';
CREATE ROLE :"audit_owner" NOLOGIN;
GRANT :"audit_owner" TO :"service";
SQL
done
