--- Campaign analytics: A/B tests, repurchase cycles and reminders, send
-- times, cross-sell pairs, KPIs and funnels, campaign calendars.
-- Table inputs are frames (custops.frame{...}) or plain tables of int
-- columns {customer = {...}, time = {...}, ...} named as in the data
-- contract; table results come back as arrays of row tables.
local native = require "custops.native"

local M = {}


local function frame_handle(data)
  if data == nil then return nil end
  if data.h ~= nil then return data.h end
  local f = native.frame_new()
  local names = {}
  for name in pairs(data) do names[#names + 1] = name end
  table.sort(names) -- deterministic column order
  for _, name in ipairs(names) do native.frame_add_int64(f, name, data[name]) end
  return f
end

local function rows(f)
  local n, names, cols = native.frame_nrows(f), {}, {}
  for i = 0, native.frame_ncols(f) - 1 do
    local name = native.frame_col_name(f, i)
    local kind = native.frame_col_type(f, i)
    names[#names + 1] = name
    if kind == native.COL_INT64 then cols[name] = native.frame_int64(f, i)
    elseif kind == native.COL_DOUBLE then cols[name] = native.frame_double(f, i)
    else cols[name] = native.frame_strings(f, i) end
  end
  local out = {}
  for r = 1, n do
    local row = {}
    for _, name in ipairs(names) do row[name] = cols[name][r] end
    out[r] = row
  end
  return out
end

local function zone_handle(zone)
  if type(zone) == "table" and zone.h then return zone.h end
  return native.zone_open(zone or "UTC")
end

local function instant(t, zh)
  if type(t) == "string" then return native.time_parse(t, zh) end
  return t
end

-- A/B tests -----------------------------------------------------------------

--- Conversion of B against A: {diff, lo, hi, z, p_value} (Newcombe interval).
function M.ab_proportions(conv_a, n_a, conv_b, n_b, confidence)
  local d, lo, hi, z, p = native.abtest_proportions(conv_a, n_a, conv_b, n_b, confidence or 0.95)
  return { diff = d, lo = lo, hi = hi, z = z, p_value = p }
end

--- Welch's test of mean(b) - mean(a) from arrays: {diff, lo, hi, t, df, p_value}.
function M.ab_means(a, b, confidence)
  local d, lo, hi, t, df, p = native.abtest_means(a, b, confidence or 0.95)
  return { diff = d, lo = lo, hi = hi, t = t, df = df, p_value = p }
end

--- Users per arm to detect p_a -> p_b (alpha 0.05, power 0.8 by default).
function M.ab_sample_size(p_a, p_b, alpha, power)
  return native.abtest_sample_size(p_a, p_b, alpha or 0.05, power or 0.8)
end

--- Power with n users per arm.
function M.ab_power(p_a, p_b, n, alpha) return native.abtest_power(p_a, p_b, n, alpha or 0.05) end

--- Always-valid p-values of cumulative looks: array of {look, p_value}.
function M.ab_sequential(conv_a, n_a, conv_b, n_b, tau)
  if #conv_a ~= #n_a or #conv_a ~= #conv_b or #conv_a ~= #n_b then
    error("custops: conv_a, n_a, conv_b and n_b must have the same length", 2)
  end
  return rows(native.abtest_sequential_frame(conv_a, n_a, conv_b, n_b, tau or 0.01))
end

-- repurchase ------------------------------------------------------------------

--- Repurchase cycle per SKU. opts: zone, now (required), min_intervals, outlier_iqr.
function M.repurchase_cycles(lines, opts)
  local zh = zone_handle(opts.zone)
  return rows(native.repurchase_cycles_flat(frame_handle(lines), zh, instant(opts.now, zh),
                                            opts.min_intervals or 10, opts.outlier_iqr or 3.0))
end

--- Customers due for a reminder on the day of opts.now (cycles computed
-- from the same lines). opts: zone, now, min_intervals, outlier_iqr, lead_days, grace_days.
function M.repurchase_due(lines, opts)
  local zh = zone_handle(opts.zone)
  local lh, t = frame_handle(lines), instant(opts.now, zh)
  local cy = native.repurchase_cycles_flat(lh, zh, t, opts.min_intervals or 10, opts.outlier_iqr or 3.0)
  return rows(native.repurchase_due_flat(lh, cy, zh, t, opts.lead_days or 3, opts.grace_days or 7))
end

-- send time ---------------------------------------------------------------------

--- Best local hour and weekday per customer. opts: events, lines (one at
-- least), zone, hour_strength, weekday_strength, event_weight, order_weight.
-- Returns the rows and the prior strengths used (hours, weekdays).
function M.send_times(opts)
  local zh = zone_handle(opts.zone)
  local f, hs, ws = native.sendtime_flat(frame_handle(opts.events), frame_handle(opts.lines), zh,
                                         opts.customers or 0, opts.event_weight or 1, opts.order_weight or 3, 0x7f,
                                         opts.hour_strength or 0, opts.weekday_strength or 0, 0)
  return rows(f), hs, ws
end

-- cross-sell ---------------------------------------------------------------------

--- Top partners of every item. opts: by ("order"|"customer"), item ("sku"|"category"),
-- top_k, min_count, min_support, rank_by ("confidence"|"lift"), max_basket_items.
function M.cross_sell(lines, opts)
  opts = opts or {}
  local rank = ({ confidence = 0, lift = 1 })[opts.rank_by or "confidence"]
  if rank == nil then error("custops: rank_by must be 'confidence' or 'lift'", 2) end
  return rows(native.crosssell_flat(frame_handle(lines), opts.by or "order", opts.item or "sku",
                                    opts.min_count or 2, opts.min_support or 0, opts.top_k or 10, rank,
                                    opts.max_basket_items or 500))
end

-- KPIs ------------------------------------------------------------------------------

local function kpi(which, lines, events, opts)
  local zh = zone_handle(opts.zone)
  return rows(native.kpi_flat(which, frame_handle(lines), frame_handle(events), zh, instant(opts.start, zh),
                              instant(opts["end"], zh), opts.by_day and 1 or 0,
                              opts.ordered == false and 0 or 1))
end

--- Headline KPIs in [opts.start, opts["end"]) (opts.by_day for one row per day).
function M.kpi_summary(lines, events, opts) return kpi(0, lines, events, opts) end
--- The visit -> view -> cart_add -> order funnel.
function M.kpi_funnel(lines, events, opts) return kpi(1, lines, events, opts) end
--- Retention and LTV by first-order month (long format).
function M.kpi_cohorts(lines, opts) return kpi(2, lines, nil, opts) end

-- calendar -----------------------------------------------------------------------------

local Calendar = {}
Calendar.__index = Calendar

--- Compile a calendar from text (errors raise with <what>:<line>:<col>).
function M.calendar(text, what)
  return setmetatable({ h = native.calendar_parse_text(text, what or "<calendar>") }, Calendar)
end
--- Compile a calendar file.
function M.calendar_load(path) return setmetatable({ h = native.calendar_load(path) }, Calendar) end
function Calendar:name() return native.calendar_name(self.h) end
function Calendar:zone() return native.calendar_zone_name(self.h) end
--- Phases: array of {phase, start, end, bindings}.
function Calendar:phases() return rows(native.calendar_phases(self.h)) end
--- What runs at `at` (seconds or a text in the campaign zone) for the audiences.
function Calendar:now(at, audiences)
  if type(at) == "string" then at = native.time_parse(at, native.zone_open(self:zone())) end
  return rows(native.calendar_now_list(self.h, at, audiences or {}))
end

return M
