#!/bin/sh
# PostgreSQL ledger figures: start a throwaway server, run bench_ledger's
# 1/4/16-client reserve+commit cases against it, stop it; once with fsync
# on (a real server: bound by the disk's flush rate) and once with fsync
# off (bound by the ledger's lock and round trips). Prints a note and
# succeeds when no server binaries are installed.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$TOP_SRCDIR/tests/ledger/pg_sandbox.sh"
trap 'pg_sandbox_stop' EXIT INT TERM
for fsync in on off; do
  pg_sandbox_start $fsync; rc=$?
  if [ $rc -eq 77 ]; then echo "ledger_pg: skipped"; exit 0; fi
  [ $rc -eq 0 ] || exit 1
  suite=ledger_pg; [ $fsync = off ] && suite=ledger_pg_nofsync
  CUSTOPS_BENCH_PG=$PG_SANDBOX_URL CUSTOPS_BENCH_PG_SUITE=$suite \
    CUSTOPS_BENCH_PG_PIDFILE=$PG_SANDBOX_DIR/data/postmaster.pid "$BENCH_BIN/bench_ledger" || exit 1
  pg_sandbox_stop
done
