#!/bin/sh
# One database per service, each owned by a role of its own: a service can reach only its own
# data. The postgres image runs this once, when it initialises an empty data directory.
# SERVICE_DB_PASSWORD (set by docker-compose.yml) is the password of the four service roles.
set -e

for service in applications vetting access notifications; do
    psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
        -v service="$service" -v password="$SERVICE_DB_PASSWORD" <<'SQL'
CREATE ROLE :"service" LOGIN PASSWORD :'password';
CREATE DATABASE :"service" OWNER :"service";
REVOKE ALL ON DATABASE :"service" FROM PUBLIC;
SQL
done
