--- Campaign messages: templates with personal fields and the ad-text lint.
local native = require "custops.native"

local M = {}
local Template = {}
Template.__index = Template

--- Compile a template ("{{nickname|default(\"亲\")}}，送你{{coupon|money}}元券").
function M.template(text)
  return setmetatable({ h = native.template_compile(text) }, Template)
end

--- Names of the fields the template uses.
function Template:fields()
  local out = {}
  for i = 0, native.template_nfields(self.h) - 1 do out[#out + 1] = native.template_field(self.h, i) end
  return out
end

--- Render one row (1-based) of a custops frame.
function Template:render(frame, row)
  return native.template_render(self.h, frame.h, (row or 1) - 1)
end

--- Render every row of a frame; returns a table of strings.
function Template:render_all(frame)
  local out = native.template_render_frame(self.h, frame.h)
  return native.frame_strings(out, 0)
end

--- Forbidden absolute claims in ad text: a list of {term=, line=, column=, rule=, start=, stop=}.
function M.ad_lint(text)
  local f = native.ad_lint(text)
  local n, cols = native.frame_nrows(f), {}
  for _, name in ipairs({ "start", "end", "line", "column" }) do cols[name] = native.frame_int64(f, native.frame_find(f, name)) end
  local terms = native.frame_strings(f, native.frame_find(f, "term"))
  local rules = native.frame_strings(f, native.frame_find(f, "rule"))
  local out = {}
  for i = 1, n do
    out[i] = { term = terms[i], rule = rules[i], line = cols.line[i], column = cols.column[i], start = cols.start[i], stop = cols["end"][i] }
  end
  return out
end

return M
