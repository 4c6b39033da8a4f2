--- Coupons and promotions: compile rules, quote carts, issue on events.
local native = require "custops.native"

local M = {}
local Ruleset, Quote = {}, {}
Ruleset.__index = Ruleset
Quote.__index = Quote

-- A small JSON encoder for cart tables (arrays are tables with 1..n keys).
local function encode(v, out)
  local t = type(v)
  if t == "table" then
    local n = #v
    if n > 0 or next(v) == nil then
      out[#out + 1] = "["
      for i = 1, n do
        if i > 1 then out[#out + 1] = "," end
        encode(v[i], out)
      end
      out[#out + 1] = "]"
    else
      local keys = {}
      for k in pairs(v) do keys[#keys + 1] = tostring(k) end
      table.sort(keys)
      out[#out + 1] = "{"
      for i, k in ipairs(keys) do
        if i > 1 then out[#out + 1] = "," end
        encode(k, out)
        out[#out + 1] = ":"
        encode(v[k], out)
      end
      out[#out + 1] = "}"
    end
  elseif t == "string" then
    out[#out + 1] = '"' .. v:gsub('[%c"\\]', function(c)
      return string.format("\\u%04x", c:byte())
    end) .. '"'
  elseif t == "number" then
    out[#out + 1] = (math.type and math.type(v) == "integer" or v == math.floor(v)) and string.format("%d", v)
      or tostring(v)
  elseif t == "boolean" then
    out[#out + 1] = tostring(v)
  else
    out[#out + 1] = "null"
  end
end
function M.json(v) local out = {}; encode(v, out); return table.concat(out) end

local function rows(f)
  local n, cols = native.frame_nrows(f), {}
  for i = 0, native.frame_ncols(f) - 1 do
    local name = native.frame_col_name(f, i)
    if native.frame_col_type(f, i) == native.COL_INT64 then cols[name] = native.frame_int64(f, i)
    else cols[name] = native.frame_strings(f, i) end
  end
  local out = {}
  for r = 1, n do
    local row = {}
    for name, values in pairs(cols) do row[name] = values[r] end
    out[r] = row
  end
  return out
end

-- Iterator over an array: for row in each(list) do ... end (the index comes second).
local function each(list)
  local i = 0
  return function()
    i = i + 1
    local v = list[i]
    if v ~= nil then return v, i end
  end
end

local function cart_handle(cart)
  return native.coupon_cart_text(type(cart) == "table" and M.json(cart) or cart)
end

--- Compile rule text ("what" names the source in error messages).
function M.compile(text, what) return setmetatable({ h = native.coupon_compile_text(text, what or "<rules>") }, Ruleset) end
--- Build from canonical JSON.
function M.from_json(text) return setmetatable({ h = native.coupon_from_json_text(text) }, Ruleset) end

function Ruleset:to_json() return native.coupon_ruleset_json(self.h) end
function Ruleset:rule_ids()
  local out = {}
  for i = 0, native.ruleset_nrules(self.h) - 1 do out[#out + 1] = native.ruleset_rule_id(self.h, i) end
  return out
end
--- Iterator over the rule ids: for id in rs:each_rule() do ... end
function Ruleset:each_rule()
  local i, n = -1, native.ruleset_nrules(self.h)
  return function()
    i = i + 1
    if i < n then return native.ruleset_rule_id(self.h, i), i + 1 end
  end
end
--- Lint findings: array of {rule=, line=, column=, code=, message=}.
function Ruleset:lint() return rows(native.coupon_lint(self.h)) end
--- Quote a cart (table or JSON text) at now (Unix seconds).
function Ruleset:quote(cart, now)
  local q = native.coupon_quote(self.h, cart_handle(cart), now)
  return setmetatable({ h = q, rs = self }, Quote) -- keep the ruleset alive while the quote lives
end
--- Coupons an event issues: array of {rule=, template=, recipient=, issue_key=, cost_points=}.
function Ruleset:issue(event, cart, now) return rows(native.coupon_issue(self.h, event, cart_handle(cart), now or 0)) end

function Quote:discount() return native.quote_discount(self.h) end
function Quote:total() return native.quote_total(self.h) end
function Quote:points() return native.quote_points(self.h) end
function Quote:exact() return native.quote_exact(self.h) == 1 end
function Quote:json() return native.coupon_quote_json(self.h) end
--- Allocations: array of {rule=, lane=, line_id=, amount=, unit_high=, units_high=, unit_low=}.
function Quote:allocations() return rows(native.coupon_allocations(self.h)) end
--- Reasons for rules not used: array of {rule=, reason=, need=, have=, gap=, value=, other=, message=}.
function Quote:reasons() return rows(native.coupon_reasons(self.h)) end
--- Iterator over the allocations: for a in q:each_allocation() do ... end
function Quote:each_allocation() return each(self:allocations()) end
--- Iterator over the reasons: for r in q:each_reason() do print(r.rule, r.message) end
function Quote:each_reason() return each(self:reasons()) end

return M
