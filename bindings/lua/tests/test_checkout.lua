-- The example storefront's checkout (examples/nginx/checkout.lua) without
-- nginx: quotes checked against amounts worked out by hand, redemption
-- through an SQLite ledger with limits, all-or-nothing and idempotent
-- retries. Needs lua-cjson (skips without it).
local examples = os.getenv("EXAMPLES")
if not examples or not pcall(require, "cjson.safe") then
  print("ok 1 - # SKIP lua-cjson or EXAMPLES missing")
  os.exit(0)
end
package.path = examples .. "/nginx/?.lua;" .. package.path
local custops = require "custops"
local checkout = require "checkout"
local cjson = require "cjson.safe"
local t = require "tap"

local T0 = 1764900000 -- 2025-12-05T02:00:00Z
local rules = examples .. "/nginx/rules.txt"
local tmpdir = os.getenv("TMPDIR") or "/tmp"
local path = string.format("%s/custops-lua-checkout-%d-%d.db", tmpdir, math.floor(os.clock() * 1e6), os.time() % 100000)
local function rm() os.remove(path); os.remove(path .. "-wal"); os.remove(path .. "-shm") end
rm()

local co = checkout.new({ rules = rules, ledger = path })
t.eq(#co:setup(T0), 0, "setup issues the ledger coupons without warnings")
local again = checkout.new({ rules = rules, ledger = path })
t.eq(#again:setup(T0 + 1), 0, "a second worker's setup replays")
again:close()

-- 43.00 + 14.00 + 23.00 = 80.00 with FLASH8 (8% = 6.40, cap 20.00) and the
-- automatic 满69减10, both judged on 80.00 (one lane, parallel). By hand:
--   6.40 over 43/14/23: 344 / 112 / 184 exactly;
--   10.00: 537.5 / 175 / 287.5 -> 538 / 175 / 287 (the odd cent to the lower line);
--   shipping 8.00 stays: free shipping needs 99.00, the order is 63.60 after
--   coupons, so "add 35.40 more".
local cart = [[{"lines":[{"id":"L1","sku":"A","unit_price":"43.00"},{"id":"L2","sku":"B","unit_price":"14.00"},
  {"id":"L3","sku":"C","unit_price":"23.00"}],"shipping":"8.00","customer":{"id":"c1"},"codes":["flash8"]}]]
local q = cjson.decode(co:quote(cart, T0))
t.eq(q.discount, 1640, "discount 6.40 + 10.00")
t.eq(q.total, 8000 - 1640 + 800, "total with shipping")
local alloc = {}
for _, line in ipairs(q.lines) do
  for _, a in ipairs(line.allocations) do alloc[#alloc + 1] = string.format("%s@%s=%d", a.rule, line.id, a.amount) end
end
t.eq(table.concat(alloc, " "),
  "flash8@L1=344 spend69_10@L1=538 flash8@L2=112 spend69_10@L2=175 flash8@L3=184 spend69_10@L3=287",
  "per-line allocation by hand")
local why = {}
for _, r in ipairs(q.not_applied) do why[r.rule] = r end
t.eq(why.ship99.reason, "SUBTOTAL_BELOW", "free shipping not reached")
t.eq(why.ship99.message, "add 35.40 more to qualify", "the gap to free shipping")
t.eq(why.save30.reason, "CODE_REQUIRED", "SAVE30 not presented")

-- FLASH8 has 5 uses: five orders get it, the sixth is refused
local function flash_cart(customer, price)
  return string.format('{"lines":[{"id":"L1","sku":"A","unit_price":"%s"}],"customer":{"id":"%s"},"codes":["FLASH8"]}',
    price or "50.00", customer)
end
local first
for i = 1, 5 do
  local status, ans = co:redeem({ cart = flash_cart("u" .. i), order = "F" .. i, key = "kf" .. i, now = T0 + i })
  t.eq(status, 200, "flash redeem " .. i)
  if i == 1 then first = ans end
end
t.eq(first.redeemed[1].amount, 400, "8% of 50.00 reserved and committed")
t.eq(first.redeemed[1].state, "committed", "committed")
local status, ans = co:redeem({ cart = flash_cart("u6"), order = "F6", key = "kf6", now = T0 + 6 })
t.eq(status, 409, "the sixth is refused")
t.eq(ans.reason, "total_limit", "with the ledger's reason")
t.ok(ans.error:find("limit", 1, true) ~= nil, "and its message: " .. tostring(ans.error))
local u = co:usage("FLASH8", nil, T0 + 7)
t.ok(u.limit == 5 and u.used == 5 and u.reserved == 0, "ledger: 5 of 5 used")

-- a retry with the same key: same answer to the byte, nothing spent
local s1, a1, r1 = co:redeem({ cart = flash_cart("u1"), order = "F1", key = "kf1", now = T0 + 100 })
t.ok(s1 == 200 and r1, "retry replays")
t.eq(checkout.encode(a1), checkout.encode(first), "retry answers the same bytes")
t.eq(co:usage("FLASH8").used, 5, "retry spends nothing")
-- the same key for another order is a conflict
status, ans = co:redeem({ cart = flash_cart("u1"), order = "F99", key = "kf1", now = T0 + 100 })
t.eq(ans.reason, "idempotency_conflict", "key reused for another order")
t.eq(status, 409, "conflict is 409")

-- SAVE30: needs an identified customer, once per customer, from a budget
local function save_cart(customer, codes)
  local cust = customer and string.format(',"customer":{"id":"%s"}', customer) or ""
  return string.format('{"lines":[{"id":"L1","sku":"A","unit_price":"250.00"}]%s,"codes":[%s]}', cust, codes)
end
status, ans = co:redeem({ cart = save_cart(nil, '"SAVE30"'), order = "S0", key = "ks0", now = T0 })
t.ok(status == 409 and ans.reason == "customer_required", "guest refused: " .. tostring(ans.reason))
status, ans = co:redeem({ cart = save_cart("c1", '"SAVE30"'), order = "S1", key = "ks1", now = T0 })
t.eq(status, 200, "c1 redeems SAVE30")
t.eq(ans.discount, 3000, "30.00 off 250.00")
status, ans = co:redeem({ cart = save_cart("c1", '"SAVE30"'), order = "S2", key = "ks2", now = T0 })
t.ok(status == 409 and ans.reason == "customer_limit", "c1 again refused")
t.eq(co:usage("SAVE30", "c1").used, 1, "c1 used SAVE30 once")
local budget = co.ledger:counter("budget:save30")
t.ok(budget.limit == 30000000 and budget.used == 3000, "budget 300000.00, 30.00 spent")

-- all or nothing: OPEN5 (reserved first, rules go in id order) with SAVE30,
-- which c1 has used: OPEN5 is given back
status, ans = co:redeem({ cart = save_cart("c1", '"OPEN5","SAVE30"'), order = "M1", key = "km1", now = T0 })
t.ok(status == 409 and ans.reason == "customer_limit" and ans.code == "SAVE30", "SAVE30 spent by c1")
u = co:usage("OPEN5")
t.ok(u.used == 0 and u.reserved == 0, "OPEN5 given back")
t.eq(co.ledger:reservation("M1", "OPEN5").state, "released", "released")
-- a retry of that key is refused the same way
local s2, a2 = co:redeem({ cart = save_cart("c1", '"OPEN5","SAVE30"'), order = "M1", key = "km1", now = T0 + 5 })
t.eq(s2 .. checkout.encode(a2), status .. checkout.encode(ans), "refusal replays the same answer")
t.eq(co:usage("OPEN5").reserved, 0, "and holds nothing")
-- once c1's SAVE30 is refunded, the same retry could pass, but its OPEN5 was
-- given back: the key is spent, and nothing stays held
co.ledger:reverse("S1", "SAVE30", nil, T0 + 6)
s2, a2 = co:redeem({ cart = save_cart("c1", '"OPEN5","SAVE30"'), order = "M1", key = "km1", now = T0 + 7 })
t.ok(s2 == 409 and a2.reason == "abandoned", "a given-up attempt stays given up")
t.ok(co:usage("SAVE30").reserved == 0 and co:usage("OPEN5").reserved == 0, "nothing held")
status, ans = co:redeem({ cart = save_cart("c1", '"OPEN5","SAVE30"'), order = "M1", key = "km1b", now = T0 + 8 })
t.ok(status == 200 and #ans.redeemed == 2, "a new key redeems both")
-- with FLASH8 spent, SAVE30 (after it in id order) is never reserved
status, ans = co:redeem({ cart = save_cart("c2", '"SAVE30","FLASH8"'), order = "M2", key = "km2", now = T0 })
t.ok(status == 409 and ans.reason == "total_limit" and ans.code == "FLASH8", "FLASH8 spent")
t.eq(co:usage("SAVE30").reserved, 0, "SAVE30 not held")

-- no tracked coupon: the answer is the quote, the ledger untouched
status, ans = co:redeem({ cart = '{"lines":[{"id":"L1","sku":"A","unit_price":"70.00"}]}', order = "A1", key = "ka1", now = T0 })
t.ok(status == 200 and ans.discount == 1000 and #ans.redeemed == 0, "automatic 满69减10 needs no ledger")
t.eq(co:usage("NOPE"), nil, "unknown code has no usage")
status, ans = co:redeem({ cart = '{"lines":[{"id":"L1","sku":"A","unit_price":"50.00"}],"codes":["OPEN5"]}',
  order = string.rep("x", 300), key = "klong", now = T0 })
t.ok(status == 400 and ans.reason == "bad_request" and ans.error:find("custops:", 1, true) == 1,
  "an order id the ledger rejects is a bad request: " .. tostring(ans.error))
t.raises(function() co:redeem({ cart = '{"lines":[{"id":"L1","sku":"A","unit_price":"1.001"}]}', order = "B", key = "kb", now = T0 }) end,
  "1.001", "a bad cart raises with the library's message")
t.eq(checkout.encode({ a = 1, quote = '{"x":2}\n' }), '{"a":1,"quote":{"x":2}}', "quote spliced into the answer")

-- changed limits: the ledger keeps its own, and says so
local changed = checkout.new({ ledger = path, rules_text = 'currency CNY; rule flash8 { code "FLASH8"; then amount_off 1.00; limit total 9; }' })
local warnings = changed:setup(T0)
t.ok(#warnings == 1 and warnings[1]:find("FLASH8 exists", 1, true) ~= nil, "warning for changed limits")
changed:close()
t.ok(co.ledger:verify() > 0, "journal verifies")
co:close()
rm()
t.done()
