--- The example storefront's checkout endpoints, run by nginx's Lua module
-- (LuaJIT). Everything expensive happens once per worker in init_worker();
-- a request only decodes its JSON body, calls the library and encodes the
-- answer. Errors from the library arrive as Lua errors carrying its message
-- and become HTTP 400 (bad input) or 409 (a conflict such as a spent coupon).
local custops = require "custops"
local cjson = require "cjson.safe"

local M = {}
local state = {}

--- Called from init_worker_by_lua_block with { rules=, ledger=, zone= }.
function M.init_worker(opts)
  state.opts = opts
  state.zone = custops.zone(opts.zone or "Asia/Shanghai")
  if M.on_init then M.on_init(state, opts) end
end

local function reply(status, body)
  ngx.status = status
  ngx.say(cjson.encode(body))
  return ngx.exit(status)
end
M.reply = reply

--- The decoded JSON body of a POST, or a 400 reply.
local function body()
  if ngx.req.get_method() ~= "POST" then return nil, reply(405, { error = "POST a JSON body" }) end
  ngx.req.read_body()
  local raw = ngx.req.get_body_data()
  if not raw then return nil, reply(400, { error = "empty body" }) end
  local doc, err = cjson.decode(raw)
  if type(doc) ~= "table" or #doc > 0 then return nil, reply(400, { error = "body is not a JSON object: " .. tostring(err) }) end
  return doc
end
M.body = body

--- Run f(doc) and turn library errors into 400/409 replies.
function M.guard(f, doc)
  local ok, res = pcall(f, doc)
  if ok then return res end
  local msg = tostring(res)
  local status = msg:find("conflict", 1, true) and 409 or 400
  return nil, reply(status, { error = msg })
end

--- POST /lint {"text": "..."}: forbidden absolute claims in ad copy, with
-- their line, column and rule, so the storefront's editor can mark them.
function M.lint()
  local doc = body()
  if not doc then return end
  if type(doc.text) ~= "string" then return reply(400, { error = "field 'text' must be a string" }) end
  local findings = M.guard(custops.message.ad_lint, doc.text)
  if not findings then return end
  return reply(200, { ok = #findings == 0, count = #findings, findings = findings })
end

return M
