--- Coupon redemption ledger: reserve, commit, release and reverse coupon
-- uses atomically and idempotently (memory, an SQLite file shared by several
-- processes, or PostgreSQL). Every transition takes `now` (Unix seconds) and
-- an optional idempotency key; money is in minor units. Errors raise a
-- table {message=, reason=} whose tostring() is the library's message;
-- reason names a refusal ("total_limit", "customer_limit", "budget",
-- "not_owned", ...) or is "ok"; status names the failure ("limit",
-- "conflict", "state", "busy", "not_found", "exists", ...). The handle is freed by __gc or :close().
local native = require "custops.native"

local M = {}
local Ledger = {}
Ledger.__index = Ledger

local LedgerError = {}
LedgerError.__index = LedgerError
LedgerError.__tostring = function(e) return e.message end
M.LedgerError = LedgerError

-- status of the failed call, by name, so callers can tell a conflict (same
-- key, other request) from a busy database or a missing reservation
local STATUS = {
  [native.EINVAL] = "invalid", [native.ENOMEM] = "nomem", [native.ERANGE] = "range",
  [native.ENOTFOUND] = "not_found", [native.EIO] = "io", [native.ECORRUPT] = "corrupt",
  [native.EVERSION] = "version", [native.ECONFLICT] = "conflict", [native.ESTATE] = "state",
  [native.ELIMIT] = "limit", [native.EEXISTS] = "exists", [native.EBUSY] = "busy",
  [native.EUNSUPPORTED] = "unsupported",
}

local function raise(err)
  error(setmetatable({ message = tostring(err), reason = native.ledger_reason_name(native.ledger_last_reason()),
    status = STATUS[native.ledger_open_status()] or "error" }, LedgerError), 3)
end

local function receipt(t) return t end -- native gives {state=, reason=, replayed=, seq=, amount=, expires=}

function Ledger:_h()
  if not self.h then error("custops: ledger is closed", 3) end
  return self.h
end

local function call(self, fn, ...)
  local h = self:_h()
  local ok, a, b, c = pcall(fn, h, ...)
  if not ok then raise(a) end
  return a, b, c
end

--- Open a ledger: "memory:", a file path (SQLite), "sqlite:PATH" or a
-- PostgreSQL URL. opts: {busy_timeout_ms=5000, durable=true, max_retries=8}.
function M.open(location, opts)
  opts = opts or {}
  local h = native.ledger_open(location or "memory:", opts.busy_timeout_ms or 5000,
    (opts.durable == nil or opts.durable) and 1 or 0, opts.max_retries or 8)
  if not h then
    error(setmetatable({ message = "custops: " .. native.last_error(), reason = "ok",
      status = STATUS[native.ledger_open_status()] or "error" }, LedgerError), 2)
  end
  return setmetatable({ h = h }, Ledger)
end

--- Close now (the collector does it otherwise).
function Ledger:close()
  if self.h then native.ledger_close(self.h); self.h = nil end
end
Ledger.__gc = Ledger.close
Ledger.__close = Ledger.close

function Ledger:backend() return native.ledger_backend(self:_h()) end

--- Issue a coupon: spec = {code=, owner=, campaign=, max_uses=0, max_per_customer=0,
-- valid_from=0, valid_until=0, restore_on_reversal=true, key=, now=}.
function Ledger:issue(spec)
  return receipt(call(self, native.ledger_issue, spec.code, spec.owner, spec.campaign, spec.max_uses or 0,
    spec.max_per_customer or 0, spec.valid_from or 0, spec.valid_until or 0,
    (spec.restore_on_reversal == nil or spec.restore_on_reversal) and 1 or 0, spec.key, spec.now))
end

function Ledger:budget_add(campaign, amount, now, key)
  return receipt(call(self, native.ledger_budget_add, campaign, amount, key, now))
end

--- Reserve: r = {code=, order=, customer=, amount=0, ttl=900, key=, now=}.
function Ledger:reserve(r)
  return receipt(call(self, native.ledger_reserve, r.code, r.customer, r.order, r.amount or 0, r.ttl or 900, r.key, r.now))
end

function Ledger:commit(order, code, now, key) return receipt(call(self, native.ledger_commit, order, code, key, now)) end
function Ledger:release(order, code, now, key) return receipt(call(self, native.ledger_release, order, code, key, now)) end

--- Reverse `amount` of the discount (nil: all that remains).
function Ledger:reverse(order, code, amount, now, key)
  return receipt(call(self, native.ledger_reverse, order, code, amount or -1, key, now))
end

function Ledger:expire(now) return call(self, native.ledger_expire, now) end

--- {limit=, used=, reserved=} of "code:CODE", "code:CODE/cust:ID" or "budget:CAMPAIGN".
function Ledger:counter(key)
  local lim, used, reserved = call(self, native.ledger_counter, key)
  return { limit = lim, used = used, reserved = reserved }
end

function Ledger:reservation(order, code) return receipt(call(self, native.ledger_reservation, order, code)) end
--- The whole state as a JSON text.
function Ledger:show() return call(self, native.ledger_show) end
--- The journal as JSON lines (records with seq > after, at most limit; 0 = all).
function Ledger:journal(after, limit) return call(self, native.ledger_journal, after or 0, limit or 0) end
--- Check the journal: returns records, head hash (hex); raises when tampered.
function Ledger:verify() return call(self, native.ledger_verify) end

local function split(text)
  local out = {}
  for c in text:gmatch("[^\n]+") do out[#out + 1] = c end
  return out
end

--- `count` new unique codes avoiding those issued here: opts = {prefix="", length=10, seed=1}.
function Ledger:codes(count, opts)
  opts = opts or {}
  return split(call(self, native.ledger_codes, count, opts.prefix or "", opts.length or 10, opts.seed or 1))
end

--- Unique codes without a ledger.
function M.codes(count, opts)
  opts = opts or {}
  local ok, text = pcall(native.ledger_codes, nil, count, opts.prefix or "", opts.length or 10, opts.seed or 1)
  if not ok then raise(text) end
  return split(text)
end

return M
