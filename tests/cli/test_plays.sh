#!/bin/sh
# custops plays: command-line behaviour (the numbers are checked against the
# library in check_plays_cli): parse errors as FILE:LINE:COL, usage errors,
# schedule plays need an audience, JSON and text reports.
set -u
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
printf 'play x\n  trigger event order_unpaid\n  wait 15q\n  send sms t\nend\n' > bad.txt
err=$("$CUSTOPS" plays --quiet --plays bad.txt --customers 50 --from 2023-06-01 --to 2023-06-02 2>&1); rc=$?
[ $rc -eq 1 ] && echo "$err" | grep -q "custops plays: bad.txt:3:8: expected a duration unit" ||
    { echo "not ok - parse error with file:line:col (rc $rc): $err"; fail=1; }
printf 'play weekly holdout 10%%\n  trigger schedule weekly mon 10:00\n  send sms hello\nend\n' > weekly.txt
err=$("$CUSTOPS" plays --quiet --plays weekly.txt --customers 50 --from 2023-06-01 --to 2023-06-30 2>&1); rc=$?
[ $rc -eq 2 ] && echo "$err" | grep -q "give its audience with --audience weekly=EXPR" ||
    { echo "not ok - schedule play without audience (rc $rc): $err"; fail=1; }
err=$("$CUSTOPS" plays --quiet --plays weekly.txt --from 2023-06-30 --to 2023-06-01 2>&1); rc=$?
[ $rc -eq 2 ] || { echo "not ok - --to before --from gives 2 (rc $rc)"; fail=1; }
err=$("$CUSTOPS" plays --quiet --plays weekly.txt --from 2023-06-01 --to 2023-06-30 --format xml 2>&1); rc=$?
[ $rc -eq 2 ] || { echo "not ok - bad --format gives 2 (rc $rc)"; fail=1; }
err=$("$CUSTOPS" plays --quiet --plays weekly.txt --from 2023-06-01 --to 2023-06-30 --audience 'nope=orders >= 1' 2>&1); rc=$?
[ $rc -eq 2 ] && echo "$err" | grep -q "no play named 'nope'" || { echo "not ok - unknown audience play: $err"; fail=1; }
err=$("$CUSTOPS" plays --quiet --plays weekly.txt --customers 50 --from 2023-06-01 --to 2023-06-30 --audience 'weekly=orders >=' 2>&1); rc=$?
[ $rc -eq 1 ] && echo "$err" | grep -q "audience of play 'weekly'" || { echo "not ok - bad audience (rc $rc): $err"; fail=1; }
"$CUSTOPS" plays --quiet --plays missing.txt --customers 50 --from 2023-06-01 --to 2023-06-30 2>/dev/null; rc=$?
[ $rc -eq 1 ] || { echo "not ok - missing play file gives 1 (rc $rc)"; fail=1; }

# a weekly play over June 2023 on a small synthetic store: 4 Mondays
out=$("$CUSTOPS" plays --quiet --plays weekly.txt --customers 300 --seed 3 --from 2023-06-01 --to 2023-06-30 \
      --audience 'weekly=orders >= 1' --assume-consent sms --format json); rc=$?
[ $rc -eq 0 ] || { echo "not ok - json run (rc $rc)"; fail=1; }
if [ -x /usr/bin/python3 ]; then
    echo "$out" | /usr/bin/python3 -c '
import json, sys
r = json.load(sys.stdin)
t = r["totals"]
assert r["plays"] == ["weekly"], r["plays"]
assert r["actions"] == sum(t.values()) == r["enrolled"], (r["actions"], t, r["enrolled"])
assert t["suppressed_consent"] == 0 and t["suppressed_cap"] == 0, t
assert t["holdout"] > 0 and t["send"] > t["holdout"], t
days = [d for d in r["days"] if sum(d[k] for k in t) > 0]
assert [d["day"] for d in days] == ["2023-06-05", "2023-06-12", "2023-06-19", "2023-06-26"], days
assert sum(s["send"] for s in r["steps"]) == t["send"]
' || { echo "not ok - json report"; fail=1; }
fi
out=$("$CUSTOPS" plays --quiet --plays weekly.txt --customers 300 --seed 3 --from 2023-06-01 --to 2023-06-30 \
      --audience 'weekly=orders >= 1' --assume-consent sms); rc=$?
[ $rc -eq 0 ] && echo "$out" | grep -q "^weekly, play: .* treated, .* held out" && echo "$out" | grep -q "conversion" ||
    { echo "not ok - text report (rc $rc): $out"; fail=1; }
[ $fail -eq 0 ] && echo "ok - custops plays"
exit $fail
