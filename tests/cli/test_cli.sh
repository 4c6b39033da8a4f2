#!/bin/sh
# The custops program: help, version, errors, the time subcommand.
set -u
fail=0
check() { # description, expected substring, command...
  desc=$1; want=$2; shift 2
  out=$("$@" 2>&1); rc=$?
  case "$out" in
    *"$want"*) echo "ok - $desc";;
    *) echo "not ok - $desc: wanted '$want', got (rc $rc): $out"; fail=1;;
  esac
}
check "help lists commands" "time" "$CUSTOPS" --help
check "version" "custops 0." "$CUSTOPS" --version
check "unknown command" "unknown command 'frobnicate'" "$CUSTOPS" frobnicate
"$CUSTOPS" frobnicate >/dev/null 2>&1; [ $? -eq 2 ] || { echo "not ok - unknown command exit 2"; fail=1; }
check "shanghai midnight in UTC" "2024-11-10T16:00:00+00:00 Sun" "$CUSTOPS" time --in Asia/Shanghai "2024-11-11 00:00"
check "epoch input" "2024-11-11T00:00:00+08:00 Mon" "$CUSTOPS" time --zone Asia/Shanghai @1731254400
check "bad time names the column" ":1:6: no such date" "$CUSTOPS" time 2024-13-01
check "bad zone" "unknown time zone" "$CUSTOPS" time --zone Mars/Base 2024-01-01
exit $fail
