--- The customer profile store: CSV / JSON Lines in, features and columns out
-- as tables. The native store is freed by __gc (or at once with :close()).
local native = require "custops.native"

local M = {}
local Store = {}
Store.__index = Store
-- Lua 5.4 runs __gc on tables too: drop the native handle with the wrapper.
Store.__gc = function(self) self.h = nil end

local KINDS = { order_line = native.RECORD_ORDER_LINE, refund = native.RECORD_REFUND,
                event = native.RECORD_EVENT, customer = native.RECORD_CUSTOMER }
local PERIODS = { day = native.PERIOD_DAY, week = native.PERIOD_WEEK }
local EVENT_TYPES = { visit = 0, view = 1, cart_add = 2, favourite = 3, coupon_received = 4, coupon_used = 5, login = 6 }

local function handle(self)
  if not self.h then error("custops: store is closed", 3) end
  return self.h
end

-- A frame as {column = {values...}} (1-based arrays); frees the frame.
local function frame_table(f)
  local out = {}
  for i = 0, native.frame_ncols(f) - 1 do
    local name, kind = native.frame_col_name(f, i), native.frame_col_type(f, i)
    if kind == native.COL_INT64 then out[name] = native.frame_int64(f, i)
    elseif kind == native.COL_DOUBLE then out[name] = native.frame_double(f, i)
    else out[name] = native.frame_strings(f, i) end
  end
  return out, native.frame_nrows(f)
end

-- A frame as an array of row tables.
local function frame_rows(f)
  local cols, n = frame_table(f)
  local rows = {}
  for r = 1, n do
    local row = {}
    for name, values in pairs(cols) do row[name] = values[r] end
    rows[r] = row
  end
  return rows
end

--- New empty store: zone of naive times (default "UTC"), currency (default "CNY").
function M.new(zone, currency)
  return setmetatable({ h = native.store_new(zone or "UTC", currency or "CNY") }, Store)
end

--- Load a store saved with :save(path).
function M.load(path) return setmetatable({ h = native.store_load(path) }, Store) end

function Store:save(path) native.store_save(handle(self), path) end
function Store:close() self.h = nil end
function Store:zone() return native.store_zone(handle(self)) end
function Store:currency() return native.store_currency(handle(self)) end

--- {customers=, orders=, lines=, refunds=, events=, bytes=}
function Store:counts()
  local h, names, out = handle(self), { "customers", "orders", "lines", "refunds", "events", "bytes" }, {}
  for i, n in ipairs(names) do out[n] = native.store_count(h, i - 1) end
  return out
end

local function ingest(self, path, csv, opts)
  opts = opts or {}
  local kind = 0
  if opts.kind then
    kind = KINDS[opts.kind] or error("custops: unknown kind " .. tostring(opts.kind), 3)
  end
  local rows, accepted, rejected, rej = native.store_ingest_file(handle(self), path, csv and 1 or 0, kind,
    opts.skip and 1 or 0, opts.allow_unknown and 1 or 0)
  return { rows = rows, accepted = accepted, rejected = rejected, rejects = frame_rows(rej) }
end

--- Read a CSV file; opts: {kind=, skip=true, allow_unknown=true}. Returns
-- {rows=, accepted=, rejected=, rejects = {{line=, column=, message=}, ...}}.
function Store:ingest_csv(path, opts) return ingest(self, path, true, opts) end
--- Read a JSON Lines file (same options and result as ingest_csv).
function Store:ingest_jsonl(path, opts) return ingest(self, path, false, opts) end

--- Order lines as {column = {...}} sorted by (customer, time, order).
function Store:lines() return (frame_table(native.store_lines(handle(self)))) end
--- Events as {column = {...}} sorted by (customer, time).
function Store:events() return (frame_table(native.store_events(handle(self)))) end
--- A dictionary ("sku", "category", ..., "customer") as an array; code i is element i+1.
function Store:dict(name) return frame_table(native.store_dict(handle(self), name)).name end

--- Features as of `now`: an array of row tables; opts {zone=, period="day"|"week"}.
function Store:features(now, opts)
  opts = opts or {}
  local period = PERIODS[opts.period or "week"] or error("custops: period must be day or week", 2)
  return frame_rows(native.store_features_at(handle(self), now, opts.zone, period))
end

--- Orders per customer in (now - from_days, now - to_days] days: {customer_id = count}.
function Store:count_orders(now, from_days, to_days)
  local c = frame_table(native.store_count_orders(handle(self), now, from_days, to_days or 0))
  local out = {}
  for i, id in ipairs(c.customer_id) do out[id] = c.count[i] end
  return out
end

--- Events of a type ("cart_add", ...) per customer in the window: {customer_id = count}.
function Store:count_events(type, now, from_days, to_days)
  local code = EVENT_TYPES[type] or error("custops: unknown event type " .. tostring(type), 2)
  local c = frame_table(native.store_count_events(handle(self), code, now, from_days, to_days or 0))
  local out = {}
  for i, id in ipairs(c.customer_id) do out[id] = c.count[i] end
  return out
end

function Store:erase(customer_id) native.store_erase(handle(self), customer_id) end
function Store:purge(before) return native.store_purge_before(handle(self), before) end
function Store:export_customer(customer_id) return native.store_export_customer(handle(self), customer_id) end

M.Store = Store
return M
