-- CLV from Lua: fit, predict, simulate, save and errors (tables in and out).
local custops = require "custops"
local clv = custops.clv
local t = require "tap"

-- simulate 3000 BG/NBD customers, fit, and find the truth within 5 standard errors
local truth = clv.new("bgnbd", { 0.8, 5.0, 0.7, 3.0 })
local T = {}
for i = 1, 3000 do T[i] = 20 + (i % 20) end
local f, r = truth:simulate(T, 11)
t.eq(#f, 3000, "one simulated customer per T")
local f2 = truth:simulate(T, 11)
t.eq(f2[17], f[17], "simulation is deterministic for a seed")
local m = clv.fit("bgnbd", { frequency = f, recency = r, T = T })
t.eq(m:name(), "bgnbd", "model name")
local p, se = m:params(), m:stderr()
local want = { r = 0.8, alpha = 5.0, a = 0.7, b = 3.0 }
for k, v in pairs(want) do t.ok(math.abs(p[k] - v) < 5 * se[k], "recovers " .. k) end
t.ok(string.find(m:convergence().status, "^converged") ~= nil, "converged")
local pa = m:prob_alive({ 0, 2, 10 }, { 0, 5, 30 }, { 30, 30, 30 })
t.eq(pa[1], 1, "no repeat purchase: alive under BG/NBD")
t.ok(pa[3] > pa[2], "frequent recent buyer more alive")
local e = m:expected_purchases({ 0, 10 })
t.eq(e[1], 0, "nothing expected in no time")
local pm = m:prob_purchases({ 10, 10 }, { 0, 1 })
t.ok(pm[1] > pm[2] and pm[2] > 0, "pmf")
local ex, ob = m:repeat_histogram(f, T, 5)
local s = 0
for i = 1, #ob do s = s + ob[i] end
t.eq(s, 3000, "histogram counts every customer")

-- Gamma-Gamma and CLV
local gg = clv.new("gamma_gamma", { 6.25, 3.74, 15.44 })
local sp = gg:expected_spend({ 0, 2 }, { 0, 22.35 })
t.near(sp[1], 6.25 * 15.44 / 2.74, 1e-9, "population mean spend")
local v = m:lifetime_value(gg, { 2 }, { 10 }, { 30 }, { 22.35 }, { months = 12, periods_per_month = 4.345 })
t.ok(v[1] > 0, "CLV positive")

-- save and load
local path = os.tmpname()
m:save(path)
local back = clv.load(path)
os.remove(path)
t.eq(back:params().alpha, p.alpha, "load gives the saved parameters")

-- errors name the argument and index
t.raises(function() clv.fit("bgnbd", { frequency = { 1, 2 }, recency = { 2, 6 }, T = { 3, 5 } }) end,
  "recency[1] = 6 is greater than T[1] = 5", "recency > T")
t.raises(function() clv.fit("bgnbd", { frequency = { 0, 0 }, recency = { 0, 0 }, T = { 3, 5 } }) end,
  "no repeat buyers", "no repeat buyers")
t.raises(function() clv.fit("nope", {}) end, "unknown model", "unknown model")
t.done()
