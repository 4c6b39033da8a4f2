--- The example storefront's checkout endpoints, run by nginx's Lua module
-- (LuaJIT). Everything expensive happens once per worker in init_worker();
-- a request only decodes its JSON body, calls the library and encodes the
-- answer. Errors from the library arrive as Lua errors carrying its message
-- and become HTTP 400 (bad input) or 409 (a conflict such as a spent coupon).
local custops = require "custops"
local cjson = require "cjson.safe"
local checkout = require "checkout"

local M = {}
local state = {}

--- Called from init_worker_by_lua_block with { rules=, ledger=, zone=, durable= }:
-- compiles the rules and opens this worker's own connection to the shared
-- ledger (after the fork, as SQLite requires), then issues the ledger
-- coupons of the rules (only the first worker writes; the rest replay).
-- A failure is logged and every checkout request then answers 503.
function M.init_worker(opts)
  state.opts = opts
  state.zone = custops.zone(opts.zone or "Asia/Shanghai")
  if opts.rules and opts.ledger then
    local ok, err = pcall(function()
      local co = checkout.new({ rules = opts.rules, ledger = opts.ledger, durable = opts.durable })
      for _, w in ipairs(co:setup(ngx.time())) do ngx.log(ngx.WARN, "storefront: ", w) end
      state.checkout = co
    end)
    if not ok then
      state.init_error = tostring(type(err) == "table" and err.message or err)
      ngx.log(ngx.ERR, "storefront: checkout unavailable: ", state.init_error)
    end
  end
  if M.on_init then M.on_init(state, opts) end
end

local function reply(status, body)
  ngx.status = status
  ngx.say(cjson.encode(body))
  return ngx.exit(status)
end
M.reply = reply

--- The raw body of a POST, or a 405/400 reply.
local function raw_body()
  if ngx.req.get_method() ~= "POST" then return nil, reply(405, { error = "POST a JSON body" }) end
  ngx.req.read_body()
  local raw = ngx.req.get_body_data()
  if not raw then return nil, reply(400, { error = "empty body" }) end
  return raw
end

--- The decoded JSON body of a POST, or a 400 reply.
local function body()
  local raw = raw_body()
  if not raw then return nil end
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

-- The checkout of this worker, or a 503 reply when the rules or the ledger
-- could not be loaded.
local function checkout_or_503()
  if state.checkout then return state.checkout end
  return nil, reply(503, { error = "checkout unavailable: " .. tostring(state.init_error or "not configured") })
end

local function send_json(status, text, headers)
  ngx.status = status
  ngx.header.content_type = "application/json"
  for k, v in pairs(headers or {}) do ngx.header[k] = v end
  ngx.print(text)
  return ngx.exit(status)
end

--- POST /quote with a cart (docs/coupons.md "Cart JSON": lines, shipping,
-- customer, ctx, codes, wallet): the best combination of rules, each
-- discount spread over lines and units, and why every other rule was not
-- used ("add 35.40 more to qualify"), as the library's quote JSON. The
-- cart goes to the library as text: no decode and re-encode in Lua. The
-- clock is the server's (a "now" in the cart is not trusted).
function M.quote()
  local co = checkout_or_503()
  if not co then return end
  local raw = raw_body()
  if not raw then return end
  local text = M.guard(function() return co:quote(raw, ngx.time()) end)
  if not text then return end
  return send_json(200, text)
end

--- POST /redeem?order=ID with the cart as body and an Idempotency-Key
-- header: quote the cart again (the server's prices and rules, not the
-- client's word), reserve every tracked coupon of the quote in the shared
-- ledger (all or nothing) and commit. 200 with the redeemed coupons and
-- the quote; 409 with the ledger's reason when a limit, budget or owner
-- refuses ("total_limit", "customer_limit", "budget", ...) or the key was
-- used for another request; 503 when the ledger stayed busy. A retry with
-- the same key answers the same and spends nothing more; the header
-- Idempotent-Replayed: true says so.
function M.redeem()
  local co = checkout_or_503()
  if not co then return end
  local raw = raw_body()
  if not raw then return end
  local key = ngx.req.get_headers()["idempotency-key"]
  local order = ngx.var.arg_order
  if type(key) ~= "string" or key == "" or #key > 100 then
    return reply(400, { error = "header Idempotency-Key (1..100 characters) is required" })
  end
  if type(order) ~= "string" or order == "" then return reply(400, { error = "query argument order is required" }) end
  order = ngx.unescape_uri(order)
  local ok, status, answer, replayed = pcall(co.redeem, co, { cart = raw, order = order, key = key, now = ngx.time() })
  if not ok then return reply(400, { error = tostring(type(status) == "table" and status.message or status) }) end
  return send_json(status, checkout.encode(answer), { ["Idempotent-Replayed"] = replayed and "true" or "false" })
end

--- GET /ledger/CODE[?customer=ID]: the coupon's usage in the shared ledger
-- ({code, limit, used, reserved}; limit -1 means none), after expiring
-- reservations whose time ran out; 404 for a code the ledger never issued.
function M.ledger(code)
  local co = checkout_or_503()
  if not co then return end
  if ngx.req.get_method() ~= "GET" then return reply(405, { error = "GET only" }) end
  code = ngx.unescape_uri(code or "")
  local customer = ngx.var.arg_customer and ngx.unescape_uri(ngx.var.arg_customer) or nil
  local ok, usage = pcall(co.usage, co, code, customer, ngx.time())
  if not ok then return reply(400, { error = tostring(type(usage) == "table" and usage.message or usage) }) end
  if not usage then return reply(404, { error = "no ledger coupon " .. code }) end
  return send_json(200, checkout.encode(usage))
end

return M
