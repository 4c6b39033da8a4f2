--- The synthetic store: a deterministic demo shop whose customers follow
-- known models (BG/NBD purchases, Gamma-Gamma spend), for demos and tests.
-- Options come as one table; fields left out keep the library defaults:
--   customers (10000), seed (42), start / end ("YYYY-MM-DD", end exclusive;
--   2023-01-01 / 2025-01-01), zone ("Asia/Shanghai"), currency ("CNY"),
--   skus (200), categories (12), r, alpha (days), a, b (the CDNOW fit),
--   p, q, gamma (major units), acquisition_share, coupon_propensity,
--   refund_rate, events_per_order, double11 (true), jsonl (false).
local native = require "custops.native"

local M = {}
local KEEP = native.synth_keep()
local NAN = 0 / 0

local function day(text, name)
  if text == nil then return KEEP end
  local y, m, d = string.match(tostring(text), "^(%d%d%d%d)%-(%d%d)%-(%d%d)$")
  if not y then error("custops: " .. name .. ": '" .. tostring(text) .. "' is not a date YYYY-MM-DD", 3) end
  return native.date_to_day(tonumber(y), tonumber(m), tonumber(d))
end

local function int(v, name)
  if v == nil then return KEEP end
  if type(v) ~= "number" or v ~= math.floor(v) then error("custops: " .. name .. ": expected an integer", 3) end
  return v
end

local function num(v) if v == nil then return NAN end return v end
local function flag(v) if v == nil then return KEEP end return v and 1 or 0 end

local function args(o, jsonl)
  if type(o) ~= "table" then error("custops: synth options must be a table", 3) end
  local seed = int(o.seed, "seed")
  if seed ~= KEEP and seed < 0 then error("custops: seed: must be >= 0", 3) end
  return seed, int(o.customers, "customers"), day(o.start, "start"), day(o["end"], "end"), o.zone, o.currency,
    int(o.skus, "skus"), int(o.categories, "categories"), num(o.r), num(o.alpha), num(o.a), num(o.b), num(o.p),
    num(o.q), num(o.gamma), num(o.acquisition_share), num(o.coupon_propensity), num(o.refund_rate),
    num(o.events_per_order), flag(o.double11), jsonl and flag(o.jsonl) or KEEP
end

local function columns(f)
  local out = { names = {} }
  for i = 0, native.frame_ncols(f) - 1 do
    local name = native.frame_col_name(f, i)
    out.names[#out.names + 1] = name
    if native.frame_col_type(f, i) == native.COL_INT64 then out[name] = native.frame_int64(f, i)
    else out[name] = native.frame_strings(f, i) end
  end
  return out, native.frame_nrows(f)
end

--- Write the store into o.dir: orders.csv, refunds.csv, events.csv,
-- customers.csv (or store.jsonl when o.jsonl) and truth.json. Returns a
-- table {dir=, seed=, counts={customers=, orders=, order_lines=, refunds=, events=}}.
function M.write(o)
  if type(o) ~= "table" or type(o.dir) ~= "string" then error("custops: synth_write needs {dir = \"...\", ...}", 2) end
  native.synth_write_kw(o.dir, args(o, true))
  local f = assert(io.open(o.dir .. "/truth.json", "r"))
  local text = f:read("*a")
  f:close()
  local counts = {}
  for k, v in string.gmatch(string.match(text, '"counts": (%b{})'), '"([%w_]+)": (%d+)') do counts[k] = tonumber(v) end
  return { dir = o.dir, seed = tonumber(string.match(text, '"seed": (%d+)')), counts = counts }
end

--- The order lines, generated in memory: a table of columns
-- (order_id, customer_id, time, currency, sku, category, qty, unit_price,
-- discount, coupon_code, channel; money in minor units) with .names in
-- order, and the row count as a second result.
function M.order_lines(o)
  return columns(native.synth_order_lines_kw(args(o or {}, false)))
end

--- The product catalogue: columns sku, category, list_price, cycle_days.
function M.catalog(o)
  return columns(native.synth_catalog_kw(args(o or {}, false)))
end

return M
