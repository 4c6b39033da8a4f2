-- Campaign analytics from Lua: published A/B figures, a hand-worked
-- repurchase cycle, cross-sell counts, KPIs and a calendar.
local custops = require "custops"
local a = custops.analytics
local t = require "tap"
local DAY = 86400

local r = a.ab_proportions(48, 80, 56, 70)
t.near(r.lo, 0.0524, 5e-5, "Newcombe lower bound")
t.near(r.hi, 0.3339, 5e-5, "Newcombe upper bound")
t.eq(a.ab_sample_size(0.10, 0.12), 3841, "3841 per arm")
t.near(a.ab_power(0.10, 0.12, 3841), 0.8, 1e-3, "power at 3841")
local w = a.ab_means({1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4}, {0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0})
t.near(w.t, -1.8608, 5e-5, "Welch t on the sleep data")
local seq = a.ab_sequential({100, 200}, {1000, 2000}, {100, 205}, {1000, 2000}, 0.02)
t.eq(#seq, 2, "two looks")
t.eq(seq[2].p_value, 1, "A/A stays at p = 1")
t.raises(function() a.ab_sequential({1}, {1, 2}, {1}, {1}) end, "same length", "looks must align")
t.raises(function() a.ab_sample_size(0.1, 0.1) end, "p_a and p_b are equal", "library errors raise")

-- sku 0: customer 0 on days 0, 10, 20; customer 1 on days 0, 14; one-off customer 2
local lines = {
  customer = {0, 0, 0, 1, 1, 2}, order = {0, 1, 2, 3, 4, 5},
  time = {0, 10 * DAY, 20 * DAY, 0, 14 * DAY, 5 * DAY},
  sku = {0, 0, 0, 0, 0, 0}, category = {7, 7, 7, 7, 7, 7}, qty = {1, 1, 1, 1, 1, 1}, amount = {1, 1, 1, 1, 1, 1},
}
local cy = a.repurchase_cycles(lines, { now = 30 * DAY, min_intervals = 3 })
t.eq(cy[1].median_days, 14, "KM median 14 days")
t.eq(cy[1].q1_days, 10, "KM Q1 10 days")
local due = a.repurchase_due(lines, { now = 30 * DAY, min_intervals = 3, lead_days = 4 })
t.eq(#due, 2, "two reminders")
t.eq(due[2].days_until, -2, "customer 1 two days overdue")

local baskets = { order = {1, 1, 2, 2, 2, 3}, sku = {10, 20, 10, 20, 30, 10}, customer = {0, 0, 0, 0, 0, 1} }
local pairs_ = a.cross_sell(baskets, { min_count = 1 })
t.eq(pairs_[1].item_a, 10, "first item 10")
t.eq(pairs_[1].item_b, 20, "its best partner 20")
t.near(pairs_[1].confidence, 2 / 3, 1e-12, "confidence 2/3")
t.near(pairs_[1].lift, 1.0, 1e-12, "lift (2/3) / (2/3) = 1")
local p2030
for _, p in ipairs(pairs_) do if p.item_a == 20 and p.item_b == 30 then p2030 = p end end
t.near(p2030.lift, 1.5, 1e-12, "20 -> 30: (1/2) / (1/3) = 1.5")

local ev = { customer = {0, 1}, time = {20 * 3600, 20 * 3600}, type = {0, 0} }
local st, hs = a.send_times({ events = ev, zone = "UTC", hour_strength = 1 })
t.eq(st[1].best_hour, 20, "best hour 20")
t.eq(hs, 1, "fixed strength reported")

local s = a.kpi_summary(lines, ev, { zone = "UTC", start = 0, ["end"] = 31 * DAY })
t.eq(s[1].gmv, 6, "GMV")
t.eq(s[1].uv, 2, "UV")
local co = a.kpi_cohorts(lines, { zone = "UTC", start = 0, ["end"] = 31 * DAY })
t.eq(co[1].cohort, 197001, "January 1970 cohort")
t.eq(co[1].cohort_size, 3, "three customers")

local cal = a.calendar([[
campaign "D11" zone Asia/Shanghai
phase burst from 2026-11-11 to 2026-11-12
  audience vip do coupon R-1, message hi
]])
t.eq(cal:name(), "D11", "campaign name")
local now = cal:now("2026-11-11 20:00", {"vip"})
t.eq(#now, 2, "two actions for vip")
t.eq(now[2].arg, "hi", "message template")
t.eq(#cal:now("2026-11-12 00:00", {"vip"}), 0, "burst over")
t.raises(function() a.calendar("campaign c zone UTC\nphase a from 2026-01-01\n") end, "<calendar>:2:1:", "line:col errors")
t.done()
