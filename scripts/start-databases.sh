#!/usr/bin/env bash
# Start PostgreSQL and MariaDB for the integration tests, on LOOPBACK ONLY, on
# non-default ports, with private data directories under $DATAGUARD_SERVICES_DIR
# (default ./.services); create the test database + user; load the fixtures
# (tests/fixtures_db/*.sql, reloaded when the file changed).
#
# Idempotent: reuses servers already answering on the ports.  Installs the
# server packages with apt-get only when missing.
#
# stdout carries ONLY the export lines, so a caller can:
#     eval "$(scripts/start-databases.sh)"
# everything else goes to stderr.
#
# Environment: DATAGUARD_SERVICES_DIR, DATAGUARD_PG_PORT (55432),
# DATAGUARD_MYSQL_PORT (53306), DATAGUARD_SKIP_PG=1 / DATAGUARD_SKIP_MYSQL=1.
set -euo pipefail
exec 3>&1 1>&2          # fd 3 = real stdout (exports); stdout -> stderr

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SERVICES="${DATAGUARD_SERVICES_DIR:-$ROOT/.services}"
mkdir -p "$SERVICES"
SERVICES="$(cd "$SERVICES" && pwd)"
PG_PORT="${DATAGUARD_PG_PORT:-55432}"
MY_PORT="${DATAGUARD_MYSQL_PORT:-53306}"
DB_NAME="dataguard_test"
DB_USER="dataguard"
DB_PASS="dg-test-only-Pw1"          # a throwaway password for a loopback-only test server
FIXTURES="$ROOT/tests/fixtures_db"

log() { echo "[start-databases] $*"; }

as_root() { [ "$(id -u)" -eq 0 ]; }

apt_install() {
    if ! as_root; then
        log "need root to install $*; install them or run as root"; return 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    # never let a package's maintainer script start a system-wide server
    local prc=/usr/sbin/policy-rc.d created=0
    if [ ! -e "$prc" ]; then printf '#!/bin/sh\nexit 101\n' >"$prc"; chmod +x "$prc"; created=1; fi
    apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends "$@" \
        || { apt-get -o DPkg::Lock::Timeout=600 update && apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends "$@"; }
    local rc=$?
    [ "$created" -eq 1 ] && rm -f "$prc"
    return $rc
}

# run a command as an unprivileged service user when we are root
as_user() {
    local user=$1; shift
    if as_root; then runuser -u "$user" -- "$@"; else "$@"; fi
}

port_open() {   # host port
    (exec 9<>"/dev/tcp/$1/$2") 2>/dev/null && return 0 || return 1
}

wait_for() {    # seconds command...
    local secs=$1; shift
    local i
    for ((i = 0; i < secs * 4; i++)); do
        if "$@" >/dev/null 2>&1; then return 0; fi
        sleep 0.25
    done
    return 1
}

sha_of() { sha256sum "$1" | cut -c1-64; }

# ====================================================================== PostgreSQL
start_postgres() {
    local bindir
    bindir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1 || true)"
    if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
        log "installing PostgreSQL"
        apt_install postgresql >&2
        bindir="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)"
    fi
    local pguser=postgres
    if as_root; then
        id "$pguser" >/dev/null 2>&1 || useradd --system --home-dir "$SERVICES/pg" --shell /usr/sbin/nologin "$pguser"
    else
        pguser="$(id -un)"
    fi
    local base="$SERVICES/pg" data="$SERVICES/pg/data" run="$SERVICES/pg/run"
    mkdir -p "$base" "$run"
    if as_root; then chown "$pguser" "$base" "$run"; chmod 700 "$base"; chmod 755 "$SERVICES"; fi
    local psql=("$bindir/psql" -X -q -h "$run" -p "$PG_PORT" -U postgres)

    if ! "$bindir/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT"; then
        if [ ! -s "$data/PG_VERSION" ]; then
            log "initialising PostgreSQL data directory $data"
            as_user "$pguser" "$bindir/initdb" -D "$data" -U postgres --auth-local=trust \
                --auth-host=scram-sha-256 -E UTF8 --no-locale >"$base/initdb.log" 2>&1 \
                || { cat "$base/initdb.log"; return 1; }
        fi
        log "starting PostgreSQL on 127.0.0.1:$PG_PORT"
        rm -f "$data/postmaster.pid.stale"
        as_user "$pguser" "$bindir/pg_ctl" -D "$data" -l "$base/server.log" -w -t 60 \
            -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -c unix_socket_directories=$run -c fsync=off -c synchronous_commit=off" \
            start >&2 3>&- || { tail -n 30 "$base/server.log" || true; return 1; }   # fd 3 closed: see below
    else
        log "PostgreSQL already answering on 127.0.0.1:$PG_PORT"
    fi
    wait_for 30 "${psql[@]}" -d postgres -c "SELECT 1" || { log "cannot reach PostgreSQL admin socket in $run"; return 1; }

    "${psql[@]}" -d postgres -v ON_ERROR_STOP=1 >&2 <<SQL
SELECT 'CREATE ROLE $DB_USER LOGIN'
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$DB_USER') \gexec
ALTER ROLE $DB_USER WITH LOGIN PASSWORD '$DB_PASS';
SELECT 'CREATE DATABASE $DB_NAME OWNER $DB_USER'
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = '$DB_NAME') \gexec
SQL
    [ $? -eq 0 ] || { log "cannot create the PostgreSQL test user/database"; return 1; }
    local want have
    want="fixtures:$(sha_of "$FIXTURES/postgres.sql")"
    have="$("${psql[@]}" -d postgres -At -c "SELECT coalesce(shobj_description(oid, 'pg_database'), '') FROM pg_database WHERE datname = '$DB_NAME'")"
    if [ "$want" != "$have" ]; then
        log "loading PostgreSQL fixtures"
        PGPASSWORD="$DB_PASS" "$bindir/psql" -X -q -h 127.0.0.1 -p "$PG_PORT" -U "$DB_USER" -d "$DB_NAME" \
            -v ON_ERROR_STOP=1 -f "$FIXTURES/postgres.sql" >&2 || { log "PostgreSQL fixtures failed"; return 1; }
        "${psql[@]}" -d postgres -c "COMMENT ON DATABASE $DB_NAME IS '$want'" >&2
    else
        log "PostgreSQL fixtures up to date"
    fi
    echo "export DATAGUARD_TEST_PG_URL='postgresql://$DB_USER:$DB_PASS@127.0.0.1:$PG_PORT/$DB_NAME'" >&3
}

# ====================================================================== MariaDB
start_mariadb() {
    local mariadbd installdb client admin
    mariadbd="$(command -v mariadbd || ls /usr/sbin/mariadbd 2>/dev/null || true)"
    installdb="$(command -v mariadb-install-db || true)"
    if [ -z "$mariadbd" ] || [ -z "$installdb" ]; then
        log "installing MariaDB"
        apt_install mariadb-server mariadb-client >&2
        mariadbd="$(command -v mariadbd || echo /usr/sbin/mariadbd)"
        installdb="$(command -v mariadb-install-db)"
    fi
    client="$(command -v mariadb || command -v mysql)"
    admin="$(command -v mariadb-admin || command -v mysqladmin)"
    local myuser=mysql
    if as_root; then
        id "$myuser" >/dev/null 2>&1 || useradd --system --home-dir "$SERVICES/mariadb" --shell /usr/sbin/nologin "$myuser"
    else
        myuser="$(id -un)"
    fi
    local base="$SERVICES/mariadb" data="$SERVICES/mariadb/data" run="$SERVICES/mariadb/run"
    local sock="$run/mysqld.sock"
    mkdir -p "$base" "$run"
    if as_root; then chown "$myuser" "$base" "$run"; chmod 700 "$base"; chmod 755 "$SERVICES"; fi
    # admin access: root over our private socket (unix_socket auth as OS root, or the
    # owning user when not root)
    local adm=("$client" --no-defaults --protocol=socket -S "$sock" -u "$(as_root && echo root || id -un)")

    if ! port_open 127.0.0.1 "$MY_PORT"; then
        if [ ! -d "$data/mysql" ]; then
            log "initialising MariaDB data directory $data"
            mkdir -p "$data"
            as_root && chown "$myuser" "$data"
            as_user "$myuser" "$installdb" --no-defaults --datadir="$data" --user="$myuser" \
                --auth-root-authentication-method=socket --skip-test-db >"$base/install.log" 2>&1 \
                || { cat "$base/install.log"; return 1; }
        fi
        log "starting MariaDB on 127.0.0.1:$MY_PORT"
        # mariadbd drops privileges itself with --user when started as root
        setsid nohup "$mariadbd" --no-defaults --datadir="$data" --user="$myuser" \
            --bind-address=127.0.0.1 --port="$MY_PORT" --socket="$sock" --pid-file="$run/mariadbd.pid" \
            --log-error="$base/server.log" --skip-name-resolve --innodb-buffer-pool-size=128M \
            --innodb-flush-log-at-trx-commit=2 --character-set-server=utf8mb4 \
            --collation-server=utf8mb4_general_ci </dev/null >/dev/null 2>&1 3>&- &   # no fd 3: the caller's $(...) would wait for the server
        if ! wait_for 60 "$admin" --no-defaults --protocol=socket -S "$sock" -u "$(as_root && echo root || id -un)" ping; then
            log "MariaDB did not start"; tail -n 30 "$base/server.log" || true; return 1
        fi
    else
        log "MariaDB already answering on 127.0.0.1:$MY_PORT"
    fi
    wait_for 30 "${adm[@]}" -e "SELECT 1" || { log "cannot reach MariaDB admin socket $sock"; return 1; }

    "${adm[@]}" >&2 <<SQL
CREATE DATABASE IF NOT EXISTS $DB_NAME CHARACTER SET utf8mb4;
CREATE USER IF NOT EXISTS '$DB_USER'@'127.0.0.1' IDENTIFIED BY '$DB_PASS';
CREATE USER IF NOT EXISTS '$DB_USER'@'localhost' IDENTIFIED BY '$DB_PASS';
ALTER USER '$DB_USER'@'127.0.0.1' IDENTIFIED BY '$DB_PASS';
ALTER USER '$DB_USER'@'localhost' IDENTIFIED BY '$DB_PASS';
GRANT ALL PRIVILEGES ON $DB_NAME.* TO '$DB_USER'@'127.0.0.1';
GRANT ALL PRIVILEGES ON $DB_NAME.* TO '$DB_USER'@'localhost';
FLUSH PRIVILEGES;
SQL
    [ $? -eq 0 ] || { log "cannot create the MariaDB test user/database"; return 1; }
    local want have marker="$base/fixtures.sha256"
    want="$(sha_of "$FIXTURES/mysql.sql")"
    have="$(cat "$marker" 2>/dev/null || true)"
    local present
    present="$("${adm[@]}" -N -e "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA='$DB_NAME' AND TABLE_NAME='big_events'")"
    if [ "$want" != "$have" ] || [ "$present" != "1" ]; then
        log "loading MariaDB fixtures"
        "$client" --no-defaults --protocol=tcp -h 127.0.0.1 -P "$MY_PORT" -u "$DB_USER" -p"$DB_PASS" "$DB_NAME" \
            <"$FIXTURES/mysql.sql" >&2 || { log "MariaDB fixtures failed"; return 1; }
        echo "$want" >"$marker"
    else
        log "MariaDB fixtures up to date"
    fi
    echo "export DATAGUARD_TEST_MYSQL_URL='mysql+pymysql://$DB_USER:$DB_PASS@127.0.0.1:$MY_PORT/$DB_NAME'" >&3
}

rc=0
if [ "${DATAGUARD_SKIP_PG:-0}" != "1" ]; then
    start_postgres || { log "PostgreSQL NOT available"; rc=1; }
fi
if [ "${DATAGUARD_SKIP_MYSQL:-0}" != "1" ]; then
    start_mariadb || { log "MariaDB NOT available"; rc=1; }
fi
exit $rc
