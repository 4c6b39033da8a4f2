#!/bin/sh
# custops run: outputs on the synthetic store, the operator's CSV and JSON
# Lines data, a campaign from a configuration file, and errors that stop
# with file:line:col while leaving the previous output exactly as it was.
set -u
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
no() { echo "not ok - $*"; fail=1; }
cd "$tmp"

"$CUSTOPS" run --help | grep -q "Usage: custops run" || no "help"

# the built-in synthetic store, default outputs
"$CUSTOPS" run --customers 400 --out out >summary.txt 2>err.txt || no "run on the synthetic store: $(cat err.txt)"
for f in customers.csv customers.jsonl audiences.csv reminders.csv report.html input/orders.csv; do
  [ -s "out/$f" ] || no "out/$f missing"
done
[ "$(wc -l < out/customers.csv)" -eq 401 ] || no "customers.csv rows: $(wc -l < out/customers.csv)"
[ "$(wc -l < out/customers.jsonl)" -eq 400 ] || no "customers.jsonl rows"
grep -q "BG/NBD  r=" summary.txt || no "summary: $(cat summary.txt)"
[ -s err.txt ] && no "noise on a non-terminal stderr: $(cat err.txt)"
ls | grep -q "tmp-" && no "staging directory left behind"
/usr/bin/python3 - <<'PY' || no "customers.jsonl is not valid JSON Lines"
import json
rows = [json.loads(l) for l in open("out/customers.jsonl")]
assert len(rows) == 400 and all("clv" in r and isinstance(r["audiences"], list) for r in rows)
PY

# the operator's own CSV files, and a campaign from a configuration file
"$CUSTOPS" synth --customers 300 --seed 3 --out data >/dev/null || no "synth"
cat > run.ini <<'INI'
[input]
zone = Asia/Shanghai
[clv]
holdout_weeks = 13
months = 6
[audience big_spenders]
define = spend > 2000 and orders >= 3
coupon = vip_gift
[audience sleepers]
define = lifecycle = "sleeping"
message = miss_you
INI
"$CUSTOPS" run --config run.ini --data data --out out2 --quiet >summary2.txt 2>&1 || no "run with config: $(cat summary2.txt)"
[ -s summary2.txt ] && no "--quiet printed: $(cat summary2.txt)"
[ "$(cut -d, -f1 out2/audiences.csv | tr '\n' ' ')" = "audience big_spenders sleepers " ] || no "audiences: $(cat out2/audiences.csv)"
[ -e out2/input ] && no "input/ written for the operator's own data"

# JSON Lines input
"$CUSTOPS" synth --customers 200 --seed 4 --jsonl --out jdata >/dev/null || no "synth jsonl"
"$CUSTOPS" run --jsonl jdata/store.jsonl --out out3 --quiet || no "run on JSON Lines"
[ "$(wc -l < out3/customers.csv)" -eq 201 ] || no "jsonl customers rows"

# errors stop with their place, and the previous output stays as it was
before=$(cat out2/customers.csv out2/report.html | cksum)
printf '[clv]\nhorizon_weeks = 12\nhorizont = 3\n' > typo.ini
"$CUSTOPS" run --config typo.ini --data data --out out2 2>err.txt && no "a typo in the config was accepted"
grep -q "typo.ini:3:1: unknown setting 'horizont' in \[clv\]" err.txt || no "typo message: $(cat err.txt)"
printf '[audience broken]\ndefine = spend >> 3\n' > bad.ini
"$CUSTOPS" run --config bad.ini --data data --out out2 2>err.txt && no "a bad audience was accepted"
grep -q "audience 'broken'.*1:" err.txt || no "audience error message: $(cat err.txt)"
mkdir -p baddata && cp data/customers.csv baddata/ && head -3 data/orders.csv > baddata/orders.csv
echo "o-bad,c1,2024-01-05T10:00:00+08:00,CNY,SKU1,,1,12;50,0,," >> baddata/orders.csv
"$CUSTOPS" run --data baddata --out out2 2>err.txt && no "bad CSV accepted"
grep -q "orders.csv:4:[0-9]*:" err.txt || no "bad CSV message: $(cat err.txt)"
"$CUSTOPS" run --data nowhere --out out2 2>err.txt && no "missing data folder accepted"
grep -q "nowhere/orders.csv: no such file" err.txt || no "missing folder message: $(cat err.txt)"
[ "$(cat out2/customers.csv out2/report.html | cksum)" = "$before" ] || no "a failed run changed the previous output"
"$CUSTOPS" run --data baddata --out fresh 2>/dev/null
[ -e fresh ] && no "a failed run left an output directory"
ls | grep -q "tmp-" && no "a failed run left its staging directory"
"$CUSTOPS" run --bogus 2>/dev/null; [ $? -eq 2 ] || no "usage error exit code"

[ $fail -eq 0 ] && echo "ok - custops run"
exit $fail
