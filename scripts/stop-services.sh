#!/usr/bin/env bash
# Stop the test services that scripts/start-databases.sh and scripts/start-samba.sh
# started under ${DATAGUARD_SERVICES_DIR:-./.services}.
#
#   bash scripts/stop-services.sh                 # PostgreSQL, MariaDB and Samba
#   bash scripts/stop-services.sh samba pg        # only these (names: pg, mariadb, samba)
#
# A service is found through the pid file or data folder those scripts keep in the
# services folder, so a server that they did not start (a system PostgreSQL, another
# program on the same port) is never touched. Stopping a service that is not running
# is not an error.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SERVICES=${DATAGUARD_SERVICES_DIR:-$ROOT/.services}
PATH=$PATH:/usr/sbin:/sbin

log() { printf 'stop-services: %s\n' "$*" >&2; }

SUDO=""
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then SUDO="sudo"; fi

alive() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null; }

stop_pid() {   # stop_pid <name> <pid file>: TERM, then wait until it is gone
  local name=$1 pidfile=$2 pid
  pid=$(cat "$pidfile" 2>/dev/null | head -n1 | tr -dc '0-9')
  if ! alive "$pid"; then log "$name is not running"; rm -f "$pidfile"; return 0; fi
  log "stopping $name (pid $pid)"
  $SUDO kill -TERM "$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do alive "$pid" || break; sleep 0.2; done
  if alive "$pid"; then log "$name (pid $pid) did not stop"; return 1; fi
  rm -f "$pidfile"
}

stop_pg() {
  local data=$SERVICES/pg/data bindir
  bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1 || true)
  if [ ! -s "$data/postmaster.pid" ]; then log "PostgreSQL is not running"; return 0; fi
  if [ -n "$bindir" ] && [ "$(id -u)" -eq 0 ] && id postgres >/dev/null 2>&1; then
    log "stopping PostgreSQL ($data)"
    runuser -u postgres -- "$bindir/pg_ctl" -D "$data" -m fast -w stop >&2
  elif [ -n "$bindir" ]; then
    log "stopping PostgreSQL ($data)"
    "$bindir/pg_ctl" -D "$data" -m fast -w stop >&2
  else
    stop_pid PostgreSQL "$data/postmaster.pid"
  fi
}

stop_one() {
  case $1 in
    pg|postgres|postgresql) stop_pg ;;
    mariadb|mysql) stop_pid MariaDB "$SERVICES/mariadb/run/mariadbd.pid" ;;
    samba|smb) stop_pid Samba "$SERVICES/samba/smbd.pid" ;;
    *) log "unknown service '$1' (pg, mariadb, samba)"; return 2 ;;
  esac
}

[ $# -gt 0 ] || set -- pg mariadb samba
rc=0
for svc in "$@"; do stop_one "$svc" || rc=$?; done
exit $rc
