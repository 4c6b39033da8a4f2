#!/bin/sh
# The ledger suite (every transition, the property test, the multi-process
# race) against a real PostgreSQL server started for this test and stopped
# after it. Skips when the server binaries are absent or the library was
# built without libpq.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/pg_sandbox.sh"
if "$CUSTOPS" ledger init "postgresql://127.0.0.1:1/x?connect_timeout=1" 2>&1 | grep -q "without PostgreSQL"; then
  echo "SKIP: libcustops built without libpq"; exit 77
fi
pg_sandbox_start off; rc=$?
[ $rc -eq 0 ] || exit $rc
trap 'pg_sandbox_stop' EXIT INT TERM
rc=0
# the CLI against the server
"$CUSTOPS" ledger issue "$PG_SANDBOX_URL" --code PG1 --max-uses 1 --now 100 >/dev/null || { echo "not ok - CLI issue"; rc=1; }
"$CUSTOPS" ledger reserve "$PG_SANDBOX_URL" --code PG1 --order o1 --now 101 >/dev/null || { echo "not ok - CLI reserve"; rc=1; }
"$CUSTOPS" ledger reserve "$PG_SANDBOX_URL" --code PG1 --order o2 --now 101 2>/dev/null && { echo "not ok - CLI over limit"; rc=1; }
out=$("$CUSTOPS" ledger verify "$PG_SANDBOX_URL") && echo "$out" | grep -q "^ok: 2 records" || { echo "not ok - CLI verify: $out"; rc=1; }
# the whole ledger suite, now with the PostgreSQL backend too
CUSTOPS_TEST_PG=$PG_SANDBOX_URL; export CUSTOPS_TEST_PG
"$top_builddir/tests/ledger/check_ledger" || rc=1
exit $rc
