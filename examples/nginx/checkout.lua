--- Checkout logic of the example storefront, free of nginx so that plain
-- Lua 5.4 and LuaJIT tests can drive it too: quote a cart against the
-- compiled rules, and redeem the chosen coupons through the shared ledger.
--
-- Which rules the ledger tracks: a rule with a code (ledger coupon = the
-- code), a wallet coupon (ledger coupon = the wallet instance id, issued to
-- its owner by whoever filled the wallet), and an automatic rule with a
-- usage limit or budget (ledger coupon = "rule:<id>"). setup() issues the
-- coupons of the first and last kind once, with the rule's limits; a redeem
-- reserves every tracked coupon of the quote for the order, all or nothing,
-- then commits them. Every ledger call carries a key derived from the
-- caller's idempotency key, so a retry replays instead of spending twice.
local custops = require "custops"
local cjson = require "cjson.safe"

local M = {}
local Checkout = {}
Checkout.__index = Checkout

local RESERVE_TTL = 900 -- seconds a reservation holds if the commit never comes

local function read_file(path)
  local f, err = io.open(path, "rb")
  if not f then error("custops: cannot read rules: " .. tostring(err), 0) end
  local text = f:read("*a")
  f:close()
  return text
end

--- What the ledger needs to know of each rule, from the canonical JSON:
-- { [rule id] = { code=, max_uses=, max_per_customer=, budget=, notes={} } }
-- for the rules it tracks (see the header); wallet rules have no code here.
local function tracked_rules(rs, exponent)
  local doc = assert(cjson.decode(rs:to_json()), "canonical ruleset JSON")
  local out = {}
  for _, r in ipairs(doc.rules) do
    local t = { rule = r.id, max_uses = 0, max_per_customer = 0, notes = {} }
    local limited = false
    for _, l in ipairs(r.limits) do
      if l.kind == "total" or l.kind == "per_code" then
        -- the tighter of the two wins
        if t.max_uses == 0 or l.n < t.max_uses then t.max_uses = l.n end
        limited = true
      elseif l.kind == "per_customer" then
        t.max_per_customer = l.n
        limited = true
        if l.period ~= "none" then
          -- the ledger counts uses for ever: a per-period limit becomes a
          -- lifetime one (stricter, never overspent)
          t.notes[#t.notes + 1] = "per_customer " .. l.n .. " per " .. l.period .. " counted for all time"
        end
      elseif l.kind == "budget" then
        t.budget = custops.money_parse(l.n, exponent)
        limited = true
      end -- qty_per_customer and per_order are enforced by the quote itself
    end
    if r.code.mode == "required" then
      t.code = r.code.value
      out[r.id] = t
    elseif r.code.mode == "none" and limited then
      t.code = "rule:" .. r.id
      out[r.id] = t
    elseif r.code.mode == "wallet" then
      out[r.id] = t -- the instance id comes with each cart
    end
  end
  return out
end

--- Compile the rules and open the ledger. opts = { rules = PATH or
-- rules_text = TEXT, ledger = LOCATION, busy_timeout_ms = 2000,
-- durable = true }. durable = false lets SQLite skip the fsync of every
-- transaction: a redemption then survives a crash of nginx but not of the
-- machine (two to four times the redeem throughput in bench/bench_nginx.sh).
function M.new(opts)
  local text = opts.rules_text or read_file(opts.rules)
  local rs = custops.coupon.compile(text, opts.rules or "<rules>")
  local currency = cjson.decode(rs:to_json()).currency
  local exponent = custops.currency_exponent(currency)
  local self = setmetatable({
    rules = rs,
    currency = currency,
    exponent = exponent,
    tracked = tracked_rules(rs, exponent),
    ledger = custops.ledger.open(opts.ledger or "memory:", { busy_timeout_ms = opts.busy_timeout_ms or 2000,
      durable = opts.durable ~= false }),
  }, Checkout)
  return self
end

--- Issue the ledger coupons of the tracked rules (and fund their budgets).
-- Idempotent: every worker calls it at start and only the first one
-- writes. Returns an array of warnings (text) for coupons the ledger
-- already holds with other limits: the ledger's limits stay in force.
function Checkout:setup(now)
  local warnings = {}
  local ids = {}
  for id in pairs(self.tracked) do ids[#ids + 1] = id end
  table.sort(ids)
  for _, id in ipairs(ids) do
    local t = self.tracked[id]
    for _, n in ipairs(t.notes) do warnings[#warnings + 1] = id .. ": " .. n end
    if t.code then
      local key = string.format("setup:%s:%d:%d:%s", t.code, t.max_uses, t.max_per_customer, tostring(t.budget))
      local ok, err = pcall(self.ledger.issue, self.ledger, {
        code = t.code, campaign = t.budget and id or nil, max_uses = t.max_uses,
        max_per_customer = t.max_per_customer, key = key, now = now })
      if not ok then
        if type(err) == "table" and (err.status == "exists" or err.status == "conflict") then
          warnings[#warnings + 1] = id .. ": ledger coupon " .. t.code .. " exists with other limits; the ledger's stay"
        else
          error(err, 0)
        end
      elseif t.budget then
        self.ledger:budget_add(id, t.budget, now, "setup-budget:" .. id)
      end
    end
  end
  return warnings
end

--- Quote a cart (JSON text or table) at now: the library's quote JSON.
function Checkout:quote(cart, now)
  return self.rules:quote(cart, now):json()
end

--- The ledger coupons one quote uses: array of {rule=, code=, amount=}.
local function ledger_uses(self, quote)
  local uses = {}
  for _, a in ipairs(quote.applied) do
    local t = self.tracked[a.rule]
    if t then
      local code = t.code
      if type(a.via) == "table" then code = a.via.code or a.via.wallet or code end
      if code then uses[#uses + 1] = { rule = a.rule, code = code, amount = a.amount } end
    end
  end
  return uses
end

-- HTTP-like status of a ledger refusal.
local REFUSED = { total_limit = true, customer_limit = true, budget = true, not_owned = true,
  not_started = true, ended = true, customer_required = true }
local function failure(err, use)
  local e = type(err) == "table" and err or { message = tostring(err), reason = "ok", status = "error" }
  local out = { error = tostring(e.message), rule = use and use.rule, code = use and use.code }
  if REFUSED[e.reason] then out.status, out.reason = 409, e.reason
  elseif e.status == "conflict" then out.status, out.reason = 409, "idempotency_conflict"
  elseif e.status == "exists" then out.status, out.reason = 409, "order_holds_coupon"
  elseif e.status == "not_found" then out.status, out.reason = 409, "not_issued"
  elseif e.status == "busy" then out.status, out.reason = 503, "busy"
  elseif e.status == "invalid" or e.status == "range" or e.status == "limit" then
    out.status, out.reason = 400, "bad_request" -- an id too long, a control character, ...
  else out.status, out.reason = 500, e.status or "error" end
  return out
end

local function customer_of(cart)
  if type(cart) == "string" then cart = cjson.decode(cart) end
  if type(cart) == "table" and type(cart.customer) == "table" and type(cart.customer.id) == "string"
    and cart.customer.id ~= "" then
    return cart.customer.id
  end
  return nil
end

--- Redeem a cart: r = { cart = JSON text, order = ID, key = IDEMPOTENCY KEY,
-- now = SECONDS }. Returns status (200, 409, 503, ...), the answer (a
-- table; the quote's JSON text under `quote` for 200) and whether the
-- ledger replayed an earlier identical request. A retry with the same key
-- and cart gets the same answer and spends nothing more; the same key with
-- another cart or order is an idempotency conflict (409).
function Checkout:redeem(r)
  local qtext = self:quote(r.cart, r.now)
  local quote = assert(cjson.decode(qtext), "quote JSON")
  local customer = customer_of(r.cart)
  local uses = ledger_uses(self, quote)
  local led = self.ledger
  local held, replayed, stale = {}, #uses > 0, nil
  local function give_back() -- all or nothing: release what this attempt holds
    for i = #held, 1, -1 do
      pcall(led.release, led, r.order, held[i].code, r.now, r.key .. ":release:" .. held[i].code)
    end
  end
  for _, u in ipairs(uses) do
    local ok, rec = pcall(led.reserve, led, { code = u.code, order = r.order, customer = customer, amount = u.amount,
      ttl = RESERVE_TTL, key = r.key .. ":reserve:" .. u.code, now = r.now })
    if not ok then
      give_back()
      local out = failure(rec, u)
      out.order = r.order
      return out.status, out, replayed
    end
    replayed = replayed and rec.replayed
    local state = rec.replayed and led:reservation(r.order, u.code).state
    if state == "released" or state == "expired" then
      -- an earlier attempt with this key was refused later on (and gave
      -- this back) or timed out: keep going, so that a refusal that still
      -- holds answers as it did the first time
      stale = stale or { use = u, state = state }
    else
      u.expires = rec.expires
      held[#held + 1] = u
    end
  end
  if stale then
    give_back()
    return 409, { order = r.order, rule = stale.use.rule, code = stale.use.code, status = 409, reason = "abandoned",
      error = "custops: the attempt with this idempotency key was given up (" .. stale.state
        .. "); retry with a new key" }, replayed
  end
  if replayed and held[1] then
    -- a retry: answer with the quote as of the first attempt (its clock is
    -- the reservation's deadline minus the time to live), so that the
    -- answer is the same to the byte and not just in its amounts
    local then_ = held[1].expires - RESERVE_TTL
    if then_ ~= r.now then qtext = self:quote(r.cart, then_) end
  end
  local redeemed = {}
  for _, u in ipairs(held) do
    local ok, rec = pcall(led.commit, led, r.order, u.code, r.now, r.key .. ":commit:" .. u.code)
    if not ok then
      -- the reservations stay pending (and expire by themselves): a retry
      -- with the same key replays them and commits
      local out = failure(rec, u)
      out.order = r.order
      return out.status, out, replayed
    end
    redeemed[#redeemed + 1] = { rule = u.rule, code = u.code, amount = rec.amount, seq = rec.seq, state = rec.state }
  end
  return 200, { order = r.order, discount = quote.discount, total = quote.total, redeemed = redeemed,
    quote = qtext }, replayed
end

--- Usage of a ledger coupon: {code=, limit=, used=, reserved=} (limit -1:
-- none), for one customer when given; nil when the ledger has no such coupon.
function Checkout:usage(code, customer, now)
  local led = self.ledger
  if now then led:expire(now) end
  local key = "code:" .. code .. (customer and ("/cust:" .. customer) or "")
  local ok, c = pcall(led.counter, led, key)
  if not ok then
    if type(c) == "table" and c.status == "not_found" then return nil end
    error(c, 0)
  end
  return { code = code, customer = customer, limit = c.limit, used = c.used, reserved = c.reserved }
end

--- Close the ledger now (the collector does it otherwise).
function Checkout:close() self.ledger:close() end

--- JSON text of an answer table: keys sorted, and a `quote` field (the
-- library's JSON text) spliced in as is.
function M.encode(answer)
  local q = answer.quote
  if not q then return custops.coupon.json(answer) end
  answer.quote = nil
  local head = custops.coupon.json(answer)
  answer.quote = q
  return head:sub(1, -2) .. (head == "{}" and "" or ",") .. '"quote":' .. q:gsub("%s+$", "") .. "}"
end

return M
