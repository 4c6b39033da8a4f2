-- Coupons from Lua: compile, round trip, quote tables, reasons, issue, errors.
local custops = require "custops"
local t = require "tap"
local coupon = custops.coupon

local rs = coupon.compile([[
group g exclusive;
rule shop { group g; code wallet; when subtotal() >= 69.00; then amount_off 10.00; limit per_customer 1; }
rule big { group g; when subtotal() >= 100.00; then amount_off 15.00; }
rule ref { on order_paid; when ctx.referrer != ""; then issue "CPN" to inviter; }
]], "t.rules")
t.eq(#rs:rule_ids(), 3, "three rules")
local j = rs:to_json()
t.eq(coupon.from_json(j):to_json(), j, "JSON round trip is byte-identical")

local cart = {
  lines = { { id = "L1", sku = "A", unit_price = "43.00" }, { id = "L2", sku = "B", unit_price = "37.00" } },
  customer = { id = "c1", paid_orders = 2 },
  wallet = { { id = "W1", rule = "shop" } },
}
local q = rs:quote(cart, 0)
t.eq(q:discount(), 1000, "10.00 off 80.00")
t.eq(q:total(), 7000, "total")
t.ok(q:exact(), "exact")
local sum = 0
for _, a in ipairs(q:allocations()) do sum = sum + a.amount end
t.eq(sum, 1000, "allocations sum to the discount")
local why = {}
for _, r in ipairs(q:reasons()) do why[r.rule] = r end
t.eq(why.big.reason, "SUBTOTAL_BELOW", "big is below its threshold")
t.eq(why.big.gap, 2000, "20.00 more")
t.eq(why.big.message, "add 20.00 more to get 15.00 off", "gap message")
t.eq(rs:quote(cart, 0):json(), q:json(), "deterministic JSON")
-- iterators give the same rows, in order, as the arrays
local n, amounts = 0, {}
for a, i in q:each_allocation() do n = n + 1; amounts[#amounts + 1] = a.line_id .. "=" .. a.amount; t.eq(i, n, "allocation index " .. i) end
-- 10.00 over 43.00 / 37.00 by largest remainder: 537.5 -> 538 (tie to the lower line), 462.5 -> 462
t.eq(table.concat(amounts, " "), "L1=538 L2=462", "allocations by hand")
local reasons = {}
for r in q:each_reason() do reasons[#reasons + 1] = r.rule .. ":" .. r.reason end
t.eq(table.concat(reasons, " "), "big:SUBTOTAL_BELOW", "one reason, through the iterator")
local ids = {}
for id, i in rs:each_rule() do ids[i] = id end
t.eq(table.concat(ids, ","), table.concat(rs:rule_ids(), ","), "rule iterator")

local issued = rs:issue("order_paid", { customer = { id = "c2", referrer = "c1" } })
t.eq(#issued, 1, "one coupon issued")
t.eq(issued[1].recipient, "c1", "to the inviter")

t.raises(function() coupon.compile("rule r { then amount_of 1.00; }", "x.rules") end, "x.rules:1:15: unknown effect", "error with line and column")
t.raises(function() rs:quote('{"currency":"USD"}', 0) end, "currency", "currency mismatch raises")
t.done()
