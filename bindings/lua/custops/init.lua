--- libcustops for Lua: customer operations at C speed.
-- Errors raise with the library's message; handles are freed by __gc (or at
-- once with :close()); tables go in and out. Works on Lua 5.4 and LuaJIT.
local native = require "custops.native"

local M = {}
M.native = native
M.VERSION = native.VERSION

--- Version of the loaded C library.
function M.version() return native.version() end

--- Minor-unit exponent of an ISO 4217 currency ("CNY" -> 2).
function M.currency_exponent(code) return native.currency_exponent(code) end

--- "69.90" -> 6990 (minor units); never rounds.
function M.money_parse(text, exponent) return native.money_parse(text, exponent or 2) end

--- 6990 -> "69.90".
function M.money_format(minor, exponent) return native.money_format(minor, exponent or 2) end

-- Zone ---------------------------------------------------------------------
local Zone = {}
Zone.__index = Zone

--- Open a time zone ("Asia/Shanghai", "UTC", "+08:00").
function M.zone(name)
  return setmetatable({ h = native.zone_open(name or "UTC") }, Zone)
end
function Zone:name() return native.zone_name(self.h) end
function Zone:offset(instant) return native.zone_offset(self.h, instant) end
function Zone:local_day(instant) local day = native.zone_local(self.h, instant); return day end

--- Parse "2024-11-11 00:00" local to zone (default UTC) into Unix seconds.
function M.parse_time(text, zone) return native.time_parse(text, zone and zone.h or nil) end
--- Format Unix seconds as ISO 8601 in zone (default UTC).
function M.format_time(instant, zone) return native.time_format(instant, zone and zone.h or nil) end

-- Frame --------------------------------------------------------------------
local Frame = {}
Frame.__index = Frame
M.Frame = Frame

local function wrap_frame(h) return setmetatable({ h = h }, Frame) end
M._wrap_frame = wrap_frame

--- Build a frame from {name = values, ...} with an explicit column order.
-- columns: array of {name, values, kind} where kind is "int", "number" or "string".
function M.frame(columns)
  local f = wrap_frame(native.frame_new())
  for _, c in ipairs(columns or {}) do
    local name, values, kind = c[1], c[2], c[3] or "number"
    if kind == "int" then native.frame_add_int64(f.h, name, values)
    elseif kind == "string" then native.frame_add_string(f.h, name, values)
    else native.frame_add_double(f.h, name, values) end
  end
  return f
end

function Frame:nrows() return native.frame_nrows(self.h) end
function Frame:columns()
  local out = {}
  for i = 0, native.frame_ncols(self.h) - 1 do out[#out + 1] = native.frame_col_name(self.h, i) end
  return out
end
--- One column as a Lua table (1-based).
function Frame:column(name)
  local col = native.frame_find(self.h, name)
  local kind = native.frame_col_type(self.h, col)
  if kind == native.COL_INT64 then return native.frame_int64(self.h, col)
  elseif kind == native.COL_DOUBLE then return native.frame_double(self.h, col)
  else return native.frame_strings(self.h, col) end
end
--- Iterate rows as tables {column = value}.
function Frame:rows()
  local names, cols = self:columns(), {}
  for i, n in ipairs(names) do cols[i] = self:column(n) end
  local r, n = 0, self:nrows()
  return function()
    r = r + 1
    if r > n then return nil end
    local row = {}
    for i, name in ipairs(names) do row[name] = cols[i][r] end
    return row
  end
end
function Frame:write_csv(path) native.frame_write_csv(self.h, path) end
--- Free the native frame now (otherwise __gc does it).
function Frame:close() self.h = nil end

M.message = require "custops.message"
M.plays = require "custops.plays"
M.store = require "custops.store"
M.segment = require "custops.segment"
M.coupon = require "custops.coupon"
M.ledger = require "custops.ledger"
M.analytics = require "custops.analytics"
M.synth = require "custops.synth"; M.synth_write, M.synth_order_lines, M.synth_catalog = M.synth.write, M.synth.order_lines, M.synth.catalog
M.clv = require "custops.clv"

return M
