--- Automated plays: journeys driven by your events and your clock.
local native = require "custops.native"

local M = {}
local Journeys = {}
Journeys.__index = Journeys

--- Compile plays into a journey engine (zone default "Asia/Shanghai").
function M.journeys(plays_text, zone)
  return setmetatable({ h = native.journeys_new(plays_text, zone or "Asia/Shanghai") }, Journeys)
end

--- Load an engine saved with :save(path).
function M.load(path) return setmetatable({ h = native.journeys_load(path) }, Journeys) end

function Journeys:save(path) native.journeys_save(self.h, path) end
function Journeys:event(customer, type, key, at) native.journeys_event(self.h, customer, type, key or "", at) end
function Journeys:set_consent(customer, channel, allowed)
  native.journeys_set_consent(self.h, customer, channel, (allowed == nil or allowed) and 1 or 0)
end
function Journeys:set_send_hour(customer, hour) native.journeys_set_send_hour(self.h, customer, hour) end
function Journeys:next_run(play, after) return native.journeys_next_run(self.h, play, after) end
function Journeys:enroll(play, customers, run_instant) native.journeys_enroll(self.h, play, customers, run_instant) end
function Journeys:active() return native.journeys_active(self.h) end

--- Actions due at `now`: an array of tables {action_key=, play=, step=, customer_id=, kind=, channel=, target=, at=, status=}.
function Journeys:due(now)
  local f = native.journeys_due(self.h, now)
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

return M
