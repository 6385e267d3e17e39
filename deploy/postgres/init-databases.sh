#!/bin/sh
# One database per service, each owned by a role of its own: a service can reach only its own
# data. The postgres image runs this once, when it initialises an empty data directory.
#
# Per service: <service> owns the database and runs the migrations; <service>_app is the role
# its processes run as (granted its privileges by `migrate`, DATABASE_RUNTIME_ROLE); the audit
# log belongs to <service>_audit_owner, which nobody logs in as and only the migrating role is
# a member of (shared/src/shared/audit/owner.py), so <service>_app may only append to it and
# read it. Every role has a password of its own: DATABASE_PASSWORD_<SERVICE> for the owner,
# DATABASE_PASSWORD_<SERVICE>_APP for the runtime role (docker-compose.yml, from .env).
set -e

password_of() {
    value="$(printenv "$1" || true)"
    if [ -z "$value" ]; then
        echo "init-databases.sh: $1 is not set" >&2
        exit 1
    fi
    printf '%s' "$value"
}

for service in applications vetting access notifications; do
    upper="$(echo "$service" | tr '[:lower:]' '[:upper:]')"
    owner_password="$(password_of "DATABASE_PASSWORD_${upper}")"
    app_password="$(password_of "DATABASE_PASSWORD_${upper}_APP")"
    psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
        -v service="$service" -v app="${service}_app" -v audit_owner="${service}_audit_owner" \
        -v password="$owner_password" -v app_password="$app_password" <<'SQL'
CREATE ROLE :"service" LOGIN PASSWORD :'password';
CREATE DATABASE :"service" OWNER :"service";
REVOKE ALL ON DATABASE :"service" FROM PUBLIC;
CREATE ROLE :"app" LOGIN PASSWORD :'app_password';
CREATE ROLE :"audit_owner" NOLOGIN;
GRANT :"audit_owner" TO :"service";
SQL
done
