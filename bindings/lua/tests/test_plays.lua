-- Journeys from Lua: events in, a list of due actions out.
local custops = require "custops"
local t = require "tap"

local plays = [[
play unpaid_reminder
  trigger event order_unpaid
  wait 15m
  stop if event order_paid same key
  send sms unpaid_first
end
]]
local j = custops.plays.journeys(plays, "Asia/Shanghai")
local t0 = custops.parse_time("2024-11-10 20:00", custops.zone("Asia/Shanghai"))
j:set_consent("c1", "sms")
j:event("c1", "order_unpaid", "o1", t0)
j:event("c2", "order_unpaid", "o2", t0)
j:event("c2", "order_paid", "o2", t0 + 60)
t.eq(#j:due(t0), 0, "nothing due yet")
local due = j:due(t0 + 900)
t.eq(#due, 1, "one action")
t.eq(due[1].customer_id, "c1", "for c1")
t.eq(due[1].status, "send", "status send")
t.eq(due[1].at, t0 + 900, "due at trigger + 15m")
t.eq(j:active(), 0, "journeys finished")
t.raises(function() j:due(t0) end, "time went backwards", "clock checks")
t.raises(function() custops.plays.journeys("hello") end, "expected 'play NAME'", "parse error")
t.done()
