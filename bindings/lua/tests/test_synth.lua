-- The synthetic store from Lua: files, counts, columns, errors.
local custops = require "custops"
local t = require "tap"

local dir = os.tmpname()
os.remove(dir)
local res = custops.synth_write{ dir = dir, customers = 200, seed = 5 }
t.eq(res.seed, 5, "seed in truth.json")
t.eq(res.counts.customers, 200, "customer count")
t.ok(res.counts.orders >= 200 and res.counts.order_lines >= res.counts.orders, "orders and lines counted")

local lines = 0
local f = assert(io.open(dir .. "/orders.csv"))
local header = f:read("*l")
for _ in f:lines() do lines = lines + 1 end
f:close()
t.eq(header, "order_id,customer_id,time,currency,sku,category,qty,unit_price,discount,coupon_code,channel", "orders header")
t.eq(lines, res.counts.order_lines, "orders.csv rows match the count")

local cols, n = custops.synth_order_lines{ customers = 200, seed = 5 }
t.eq(n, res.counts.order_lines, "in-memory lines equal the file's")
t.eq(cols.names[1], "order_id", "first column")
t.eq(#cols.unit_price, n, "column length")
t.eq(cols.currency[1], "CNY", "currency")
local again = custops.synth_order_lines{ customers = 200, seed = 5 }
local same = true
for i = 1, n do if again.time[i] ~= cols.time[i] or again.sku[i] ~= cols.sku[i] then same = false end end
t.ok(same, "same seed, same lines")

local cat, ns = custops.synth_catalog{ skus = 30, categories = 4 }
t.eq(ns, 30, "catalogue size")
t.eq(cat.sku[30], "SKU00030", "sku names")

t.raises(function() custops.synth_order_lines{ customers = 0 } end, "customers", "zero customers")
t.raises(function() custops.synth_order_lines{ customers = 5, zone = "Nowhere/Land" } end, "zone", "bad zone")
t.raises(function() custops.synth_order_lines{ customers = 5, start = "2024/01/01" } end, "not a date", "bad date")
t.raises(function() custops.synth_write{ customers = 5 } end, "dir", "dir required")

for _, name in ipairs{ "orders.csv", "refunds.csv", "events.csv", "customers.csv", "truth.json" } do os.remove(dir .. "/" .. name) end
os.remove(dir)
t.done()
