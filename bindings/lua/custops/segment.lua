--- Audiences, RFM, lifecycle and loyalty from Lua.
-- Customers go in as frames (custops.frame{...}); members come out as
-- iterators over 0-based customer rows (the frame's row index) or as tables.
local native = require "custops.native"

local M = {}
local Audience, Library, Loyalty = {}, {}, {}
Audience.__index, Library.__index, Loyalty.__index = Audience, Library, Loyalty

local function dict_frame(names)
  local f = native.frame_new()
  native.frame_add_string(f, "name", names)
  return f
end

--- Compile an audience. opts: customers (a custops.frame, required), now
-- (Unix seconds, required), lines, events (frames), dicts ({region = {"Tokyo", ...}}),
-- library (from M.library()), zone (custops.zone), money_cols ("clv,...").
function M.audience(text, opts)
  assert(type(opts) == "table" and opts.customers and opts.now, "custops.segment.audience: customers and now are required")
  -- the C context borrows every frame: the audience keeps the native handles
  -- themselves (not the wrappers), so that :close() on a frame the caller
  -- passed in cannot free memory the audience still reads
  local self = setmetatable({ text = text, customers_h = opts.customers.h, lines_h = opts.lines and opts.lines.h,
                              events_h = opts.events and opts.events.h, dicts = {},
                              zone_h = opts.zone and opts.zone.h, library_h = opts.library and opts.library.h }, Audience)
  local ctx = native.segment_ctx_new(opts.customers.h, opts.now)
  if opts.lines then native.segment_ctx_set_lines(ctx, opts.lines.h) end
  if opts.events then native.segment_ctx_set_events(ctx, opts.events.h) end
  for name, names in pairs(opts.dicts or {}) do
    local f = dict_frame(names)
    self.dicts[name] = f
    native.segment_ctx_add_dict(ctx, name, f)
  end
  if opts.zone then native.segment_ctx_set_zone(ctx, opts.zone.h) end
  if opts.library then native.segment_ctx_set_library(ctx, opts.library.h) end
  if opts.money_cols then native.segment_ctx_set_money_cols(ctx, opts.money_cols, opts.exponent or 2) end
  self.ctx = ctx
  self.h = native.audience_compile(text, ctx)
  return self
end

--- Member rows (0-based) as a table.
function Audience:ids()
  local bs = native.audience_evaluate(self.h)
  return native.bitset_ids(bs)
end

--- Iterator over member rows (0-based): for row in a:each() do ... end
function Audience:each()
  local ids, i = self:ids(), 0
  return function()
    i = i + 1
    return ids[i]
  end
end

--- Iterator over the members' customer_id values (the customers frame's string column).
function Audience:each_id()
  local col = native.frame_find(self.customers_h, "customer_id")
  local all = native.frame_strings(self.customers_h, col)
  local ids, i = self:ids(), 0
  return function()
    i = i + 1
    local row = ids[i]
    if row == nil then return nil end
    return all[row + 1], row
  end
end

--- Number of members.
function Audience:count() return native.bitset_count(native.audience_evaluate(self.h)) end

--- Why row (0-based) is or is not a member: returns member (boolean), text.
function Audience:explain(row)
  local text, member = native.audience_explain(self.h, row)
  return member, text
end

--- A library of named audiences.
function M.library() return setmetatable({ h = native.segment_library_new() }, Library) end
function M.load_library(path) return setmetatable({ h = native.segment_library_load(path) }, Library) end
function Library:define(name, text) native.segment_library_define(self.h, name, text) end
function Library:remove(name) native.segment_library_remove(self.h, name) end
function Library:get(name) return native.segment_library_get(self.h, name) end
function Library:save(path) native.segment_library_save(self.h, path) end
function Library:names()
  local out = {}
  for i = 0, native.segment_library_count(self.h) - 1 do out[#out + 1] = native.segment_library_name(self.h, i) end
  return out
end

local function frame_rows(f)
  local n, cols = native.frame_nrows(f), {}
  for i = 0, native.frame_ncols(f) - 1 do
    local name, kind = native.frame_col_name(f, i), native.frame_col_type(f, i)
    if kind == native.COL_INT64 then cols[name] = native.frame_int64(f, i)
    elseif kind == native.COL_DOUBLE then cols[name] = native.frame_double(f, i)
    else cols[name] = native.frame_strings(f, i) end
  end
  return cols, n
end

--- RFM scores: a table of columns {r = {...}, f = ..., m = ..., rfm = ..., segment = ...}.
function M.rfm(customers, recency, frequency, monetary)
  return frame_rows(native.rfm_score_cols(customers.h, recency or "days_since_last_order", frequency or "orders",
                                          monetary or "spend", 1, 0))
end

--- Lifecycle classes: {lifecycle_code = {...}, lifecycle = {...}}.
function M.lifecycle(customers, o)
  o = o or {}
  return frame_rows(native.lifecycle_classify_with(customers.h, o.new_days or 30, o.active_orders or 2,
    o.sleeping_days or 90, o.churned_days or 365, o.p_alive or "", o.sleeping_p or 0.5, o.churned_p or 0.2))
end

--- A loyalty program (tiers "member:0,silver:1000,...", multipliers "1,1.5,...").
function M.loyalty(o)
  o = o or {}
  return setmetatable({ h = native.loyalty_new_with(o.tiers or "member:0,silver:1000,gold:5000,black:20000",
    o.multipliers or "", o.points_per_unit or 1.0, o.exponent or 2, o.expiry_days or 365, o.window_days or 365) }, Loyalty)
end
function M.load_loyalty(path) return setmetatable({ h = native.loyalty_load(path) }, Loyalty) end
function Loyalty:purchase(customer, at, amount, promo) return native.loyalty_purchase(self.h, customer, at, amount, promo or 1.0) end
function Loyalty:redeem(customer, at, points) native.loyalty_redeem(self.h, customer, at, points) end
function Loyalty:balance(customer, at) return native.loyalty_balance(self.h, customer, at) end
function Loyalty:recalc(at) return native.loyalty_recalc(self.h, at) end
function Loyalty:tier(customer) return native.loyalty_tier(self.h, customer) end
function Loyalty:save(path) native.loyalty_save(self.h, path) end

return M
