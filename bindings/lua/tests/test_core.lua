-- Foundation: the module loads, errors raise with messages, tables go in and out.
local custops = require "custops"
local t = require "tap"

t.eq(custops.version(), custops.VERSION, "version matches")
t.eq(custops.money_parse("69.90"), 6990, "money parse")
t.eq(custops.money_format(6990), "69.90", "money format")
t.eq(custops.currency_exponent("JPY"), 0, "JPY exponent")
t.raises(function() custops.money_parse("1.005") end, "more than 2 decimals", "no rounding")

local z = custops.zone("Asia/Shanghai")
local instant = custops.parse_time("2024-11-11 00:00", z)
t.eq(instant, 1731254400, "shanghai midnight")
t.eq(custops.format_time(instant), "2024-11-10T16:00:00Z", "formatted in UTC")
t.eq(z:offset(instant), 28800, "offset")
t.eq(z:local_day(instant), 20038, "local day")
t.raises(function() custops.parse_time("2024-13-01") end, ":1:6:", "parse error column")
t.raises(function() custops.zone("Mars/Base") end, "unknown time zone", "bad zone")

local f = custops.frame({ { "id", { 1, 2, 3 }, "int" }, { "v", { 0.5, 1.5, 2.5 } }, { "name", { "a", "b", "c" }, "string" } })
t.eq(f:nrows(), 3, "rows")
t.eq(table.concat(f:columns(), ","), "id,v,name", "columns")
t.eq(f:column("v")[2], 1.5, "double column")
t.eq(f:column("id")[3], 3, "int column")
t.eq(f:column("name")[1], "a", "string column")
local seen = 0
for row in f:rows() do seen = seen + row.id end
t.eq(seen, 6, "row iterator")
t.raises(function() custops.native.frame_add_int64(f.h, "short", { 1 }) end, "has 1 rows", "length mismatch")
t.raises(function() custops.native.frame_add_int64(f.h, "bad", { 1.5, 2, 3 }) end, "not a int64_t", "type check")
f = nil
collectgarbage()
t.done()
