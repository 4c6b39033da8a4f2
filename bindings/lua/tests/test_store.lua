-- The profile store from Lua: files in, features and columns as tables.
local custops = require "custops"
local t = require "tap"

local dir = os.tmpname()
os.remove(dir)
local orders = dir .. "-orders.csv"
local f = assert(io.open(orders, "w"))
f:write("order_id,customer_id,time,currency,sku,category,qty,unit_price,discount,coupon_code,channel\n",
        "o1,alice,2024-11-01 10:00:00,CNY,sku1,shoes,2,100.00,20.00,,app\n",
        "o2,bob,2024-11-02T09:30:00+08:00,CNY,sku1,shoes,1,100,,C10,web\n",
        "o3,alice,2024-11-08 18:00:00,CNY,sku3,shoes,1,50.50,,,app\n")
f:close()
local events = dir .. "-events.jsonl"
f = assert(io.open(events, "w"))
f:write('{"kind":"event","customer_id":"bob","time":"2024-11-10 12:00:00","type":"cart_add"}\n',
        '{"kind":"event","customer_id":"bob","time":"2024-11-10 12:00:00","type":"poke"}\n')
f:close()

local s = custops.store.new("Asia/Shanghai", "CNY")
local r = s:ingest_csv(orders)
t.eq(r.accepted, 3, "three lines accepted")
t.raises(function() s:ingest_jsonl(events) end, "-events.jsonl:2:73: unknown event type 'poke'", "bad event type with line:col")
r = s:ingest_jsonl(events, { skip = true })
t.eq(r.rejected, 1, "skip: one rejected")
t.eq(r.rejects[1].line, 2, "rejected row line")
local zone = custops.zone("Asia/Shanghai")
local feats = s:features(custops.parse_time("2024-11-15 00:00:00", zone), { period = "day" })
t.eq(#feats, 2, "two customers")
t.eq(feats[1].customer_id, "alice", "alice first")
t.eq(feats[1].frequency, 1, "alice frequency")
t.near(feats[1].recency, 7, 1e-12, "alice recency in days")
t.near(feats[1].T, 14, 1e-12, "alice T in days")
t.eq(feats[1].spend, 23050, "alice spend in minor units")
local lines = s:lines()
t.eq(#lines.amount, 3, "three lines")
t.eq(lines.amount[1], 18000, "net line amount")
t.eq(s:dict("sku")[lines.sku[2] + 1], "sku3", "sku dictionary")
local carts = s:count_events("cart_add", custops.parse_time("2024-11-12 00:00:00", zone), 10, 0)
t.eq(carts.bob, 1, "cart adds in the last 10 days")
t.ok(s:export_customer("alice"):find('"order_id":"o3"', 1, true) ~= nil, "export holds the orders")
s:erase("alice")
t.eq(s:counts().customers, 1, "erase removes the customer")
local path = dir .. ".stor"
s:save(path)
local s2 = custops.store.load(path)
t.eq(s2:counts().lines, 1, "round trip keeps the lines")
t.eq(s2:zone(), "Asia/Shanghai", "round trip keeps the zone")
s2:close()
t.raises(function() s2:lines() end, "store is closed", "closed store raises")
f = assert(io.open(path, "wb")); f:write("junk"); f:close()
t.raises(function() custops.store.load(path) end, "not a libcustops save file", "corrupt file raises")
os.remove(orders); os.remove(events); os.remove(path)
s = nil
collectgarbage()
t.done()
