-- Audiences, RFM, lifecycle and loyalty from Lua.
local custops = require "custops"
local t = require "tap"

local NOW, DAY = 1718452800, 86400
local customers = custops.frame{
  {"customer_id", {"a", "b", "c", "d"}, "string"},
  {"orders", {3, 1, 0, 7}, "int"},
  {"spend", {25000, 1500, 0, 99900}, "int"},
  {"days_since_last_order", {5, 40, -1, 2}, "int"},
  {"tenure_days", {400, 40, 0, 20}, "int"},
  {"region", {0, 1, 1, 0}, "int"},
  {"clv", {120.5, 10, 0, 900}, "number"},
}
local lines = custops.frame{
  {"customer", {0, 3}, "int"}, {"order", {1, 2}, "int"}, {"time", {NOW - 2 * DAY, NOW - DAY}, "int"},
  {"sku", {0, 0}, "int"}, {"category", {0, 0}, "int"}, {"amount", {100, 200}, "int"}, {"refunded", {0, 0}, "int"},
}
local a = custops.segment.audience('spend > 100 and region = "Tokyo"',
  { customers = customers, now = NOW, dicts = { region = {"Tokyo", "Osaka"} } })
local rows = {}
for row in a:each() do rows[#rows + 1] = row end
t.eq(#rows, 2, "two members")
t.eq(rows[1], 0, "first row 0")
t.eq(rows[2], 3, "second row 3")
local names = {}
for id in a:each_id() do names[#names + 1] = id end
t.eq(table.concat(names, ","), "a,d", "customer ids")
t.eq(a:count(), 2, "count")
local w = custops.segment.audience("orders in -7d..now and clv in top 50%", { customers = customers, now = NOW, lines = lines })
t.eq(table.concat(w:ids(), ","), "0,3", "window and percentile")
local member, why = w:explain(1)
t.eq(member, false, "row 1 is out")
t.eq(why, "out: orders in -7d..now is false (orders = 0)", "explanation")
t.raises(function() custops.segment.audience("orders >", { customers = customers, now = NOW }) end,
  "audience:1:9: expected a number", "line:col error")

local lib = custops.segment.library()
lib:define("big", "spend > 100")
lib:define("vip", "segment big and orders > 5")
t.raises(function() lib:define("big", "segment vip") end, "cycle", "cycles rejected")
t.eq(table.concat(lib:names(), ","), "big,vip", "names")
t.eq(custops.segment.audience("segment vip", { customers = customers, now = NOW, library = lib }):count(), 1, "reference")

local r = custops.segment.rfm(customers)
t.eq(r.segment[3], "prospect", "no orders: prospect")
t.eq(r.f[4], 4, "most orders of 3: 1 + floor(5 * 2 / 3) = F4")
local lc = custops.segment.lifecycle(customers)
t.eq(table.concat(lc.lifecycle, ","), "active,potential,prospect,new", "lifecycle")

local p = custops.segment.loyalty{ tiers = "member:0,gold:100", multipliers = "1,2" }
t.eq(p:purchase("x", NOW, 20000), 200, "earn")
t.eq(p:recalc(NOW + 1), 1, "tier change")
t.eq(p:tier("x"), "gold", "gold")
t.eq(p:purchase("x", NOW + 2, 1000), 20, "gold earns double")
p:redeem("x", NOW + 3, 100)
t.eq(p:balance("x", NOW + 3), 120, "balance")
t.raises(function() p:redeem("x", NOW + 4, 1000) end, "fewer than", "overdraft refused")
-- closing a frame the audience was compiled against must not free what it reads
do
  local f = custops.frame{ {"customer_id", {"a", "b", "c"}, "string"}, {"orders", {0, 3, 7}, "int"} }
  local aud = custops.segment.audience("orders >= 3", { customers = f, now = NOW })
  f:close()
  f = nil
  collectgarbage(); collectgarbage()
  t.eq(aud:count(), 2, "audience outlives its closed frame")
  local got = {}
  for id in aud:each_id() do got[#got + 1] = id end
  t.eq(table.concat(got, ","), "b,c", "ids after the frame was closed")
end
t.done()
