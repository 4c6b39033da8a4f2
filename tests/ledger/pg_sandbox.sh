# A throwaway PostgreSQL server for the ledger tests and benchmark. Source
# it, then: pg_sandbox_start (sets PG_SANDBOX_URL, or returns 77 when no
# server binaries are installed) and pg_sandbox_stop. The server runs on
# 127.0.0.1 from a temporary directory, as `nobody` when we are root
# (PostgreSQL refuses to run as root), and is always stopped again.
pg_sandbox_bindir() {
  for d in "$(dirname "$(command -v initdb 2>/dev/null || echo /nonexistent/x)")" /usr/lib/postgresql/*/bin; do
    if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then echo "$d"; return 0; fi
  done
  return 1
}

pg_sandbox_start() { # [fsync on|off]
  PG_SANDBOX_BIN=$(pg_sandbox_bindir) || { echo "SKIP: no PostgreSQL server binaries (initdb, pg_ctl)"; return 77; }
  PG_SANDBOX_DIR=$(mktemp -d "${TMPDIR:-/tmp}/custops-pg-XXXXXX")
  PG_SANDBOX_AS=
  if [ "$(id -u)" = 0 ]; then
    command -v runuser >/dev/null 2>&1 || { echo "SKIP: root without runuser"; return 77; }
    chown nobody "$PG_SANDBOX_DIR"
    PG_SANDBOX_AS="runuser -u nobody --"
  fi
  if ! $PG_SANDBOX_AS "$PG_SANDBOX_BIN/initdb" -D "$PG_SANDBOX_DIR/data" -U ledger --auth=trust -E UTF8 \
      >"$PG_SANDBOX_DIR/initdb.log" 2>&1; then
    echo "initdb failed:"; cat "$PG_SANDBOX_DIR/initdb.log"; return 99
  fi
  tries=0
  while :; do
    PG_SANDBOX_PORT=$((20000 + ($$ * 7 + tries * 131) % 30000))
    if $PG_SANDBOX_AS "$PG_SANDBOX_BIN/pg_ctl" -D "$PG_SANDBOX_DIR/data" -l "$PG_SANDBOX_DIR/server.log" -w -t 60 \
        -o "-p $PG_SANDBOX_PORT -k $PG_SANDBOX_DIR -c listen_addresses=127.0.0.1 -c fsync=${1:-off} -c max_connections=60" \
        start >/dev/null 2>&1; then
      break
    fi
    tries=$((tries + 1))
    if [ $tries -ge 5 ]; then echo "could not start PostgreSQL:"; tail -20 "$PG_SANDBOX_DIR/server.log"; return 99; fi
  done
  PG_SANDBOX_URL="postgresql://ledger@127.0.0.1:$PG_SANDBOX_PORT/postgres"
  return 0
}

pg_sandbox_stop() {
  if [ -n "${PG_SANDBOX_DIR:-}" ] && [ -d "$PG_SANDBOX_DIR/data" ]; then
    $PG_SANDBOX_AS "$PG_SANDBOX_BIN/pg_ctl" -D "$PG_SANDBOX_DIR/data" -m fast -w stop >/dev/null 2>&1
  fi
  [ -n "${PG_SANDBOX_DIR:-}" ] && rm -rf "$PG_SANDBOX_DIR"
  PG_SANDBOX_DIR=
}
