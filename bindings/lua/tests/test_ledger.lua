-- The redemption ledger from Lua: receipts as tables, refusals as errors
-- with a reason, handles freed by __gc.
local custops = require "custops"
local t = require "tap"

local T0 = 1700000000
local tmpdir = os.getenv("TMPDIR") or "/tmp"
local path = string.format("%s/custops-lua-ledger-%d.db", tmpdir, math.floor(os.clock() * 1e6) + T0 % 997)
for _, loc in ipairs({ "memory:", path }) do
  local led = custops.ledger.open(loc)
  t.eq(led:backend(), loc == "memory:" and "memory" or "sqlite", "backend " .. loc)
  led:issue { code = "D11", max_uses = 2, max_per_customer = 1, campaign = "d11", now = T0 }
  led:budget_add("d11", 1000, T0, "fund")
  local r = led:reserve { code = "D11", order = "o1", customer = "alice", amount = 400, ttl = 60, key = "r1", now = T0 }
  t.eq(r.state, "pending", "reserved")
  t.eq(r.expires, T0 + 60, "deadline")
  local again = led:reserve { code = "D11", order = "o1", customer = "alice", amount = 400, ttl = 60, key = "r1", now = T0 + 1 }
  t.ok(again.replayed and again.seq == r.seq, "retry replays")
  local ok, err = pcall(led.reserve, led, { code = "D11", order = "o2", customer = "alice", now = T0 })
  t.ok(not ok and err.reason == "customer_limit", "customer limit reason")
  t.eq(err.status, "limit", "a refusal's status")
  t.ok(string.find(tostring(err), "reached the limit", 1, true) ~= nil, "message")
  ok, err = pcall(led.reserve, led, { code = "D11", order = "o3", customer = "bob", amount = 700, now = T0 })
  t.ok(not ok and err.reason == "budget", "budget reason")
  t.raises(function() led:reserve { code = "D11", order = "o1", customer = "alice", amount = 1, key = "r1", now = T0 } end,
    "different request", "idempotency conflict")
  ok, err = pcall(led.reserve, led, { code = "D11", order = "o1", customer = "alice", amount = 1, key = "r1", now = T0 })
  t.ok(not ok and err.status == "conflict" and err.reason == "ok", "a conflict's status")
  t.eq(led:commit("o1", "D11", T0 + 2).state, "committed", "commit")
  local c = led:counter("budget:d11")
  t.ok(c.limit == 1000 and c.used == 400 and c.reserved == 0, "budget counter")
  t.eq(led:reverse("o1", "D11", 100, T0 + 3).state, "partially_reversed", "partial refund")
  local full = led:reverse("o1", "D11", nil, T0 + 4)
  t.ok(full.state == "reversed" and full.amount == 300, "full refund")
  t.eq(led:counter("code:D11").used, 0, "use restored")
  led:reserve { code = "D11", order = "o4", customer = "carol", ttl = 5, now = T0 }
  t.eq(led:expire(T0 + 5), 1, "expired one")
  t.eq(led:reservation("o4", "D11").state, "expired", "state expired")
  local n, head = led:verify()
  t.ok(n == 8 and #head == 64, "journal verifies")
  t.ok(string.find(led:show(), '"records":8', 1, true) ~= nil, "show")
  local j = led:journal(7)
  t.ok(j:sub(1, 9) == '{"seq":8,' and select(2, j:gsub("\n", "")) == 1, "journal tail")
  local codes = led:codes(20, { prefix = "L-", length = 6, seed = 3 })
  t.eq(#codes, 20, "codes")
  t.raises(function() led:commit("nope", "D11", T0) end, "no reservation", "not found")
  ok, err = pcall(led.commit, led, "nope", "D11", T0)
  t.eq(not ok and err.status, "not_found", "a missing reservation's status")
  led:close()
  led:close()
  t.raises(function() led:counter("code:D11") end, "closed", "closed ledger")
end
os.remove(path); os.remove(path .. "-wal"); os.remove(path .. "-shm")
local a, b = custops.ledger.codes(50, { seed = 7 }), custops.ledger.codes(50, { seed = 7 })
t.ok(#a == 50 and table.concat(a) == table.concat(b), "seeded codes")
t.raises(function() custops.ledger.codes(0) end, "count", "bad count")
t.raises(function() custops.ledger.open("/nonexistent/dir/x.db") end, "unable to open", "open error")
-- a ledger left to the collector is freed by __gc
do local _ = custops.ledger.open("memory:") end
collectgarbage(); collectgarbage()
t.done()
