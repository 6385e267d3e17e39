#!/bin/sh
# One database per service, each owned by a role of its own with a password of its own: a
# service can reach only its own data. The postgres image runs this once, when it initialises an
# empty data directory. DATABASE_PASSWORD_<SERVICE> (docker-compose.yml, from .env) is the
# password of each service's role.
set -e

for service in applications vetting access notifications; do
    variable="DATABASE_PASSWORD_$(echo "$service" | tr '[:lower:]' '[:upper:]')"
    password="$(printenv "$variable")"
    if [ -z "$password" ]; then
        echo "init-databases.sh: $variable is not set" >&2
        exit 1
    fi
    psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
        -v service="$service" -v password="$password" <<'SQL'
CREATE ROLE :"service" LOGIN PASSWORD :'password';
CREATE DATABASE :"service" OWNER :"service";
REVOKE ALL ON DATABASE :"service" FROM PUBLIC;
SQL
done
