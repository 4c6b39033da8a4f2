--- Customer lifetime value models: BG/NBD, MBG/NBD, Pareto/NBD, BG/BB and
-- Gamma-Gamma. Arrays are Lua tables (1-based); fits and predictions run in C.
--   local clv = require("custops").clv
--   local m = clv.fit("bgnbd", {frequency = f, recency = r, T = T})
--   local p = m:prob_alive(f, r, T)
local native = require "custops.native"

local M = {}
local Model = {}
Model.__index = Model

M.MODELS = { bgnbd = native.CLV_BGNBD, mbgnbd = native.CLV_MBGNBD, pareto_nbd = native.CLV_PARETO_NBD,
             bgbb = native.CLV_BGBB, gamma_gamma = native.CLV_GAMMA_GAMMA }

local function kind_of(model)
  local k = M.MODELS[model]
  if not k then error("custops.clv: unknown model '" .. tostring(model) .. "'", 3) end
  return k
end

-- a native frame of number columns; cols is an array of {name, values}
local function frame(cols)
  local f = native.frame_new()
  for _, c in ipairs(cols) do
    if c[2] ~= nil then native.frame_add_double(f, c[1], c[2]) end
  end
  return f
end

local function column(f, name) return native.frame_double(f, native.frame_find(f, name or "value")) end

local function wrap(h) return setmetatable({ h = h }, Model) end

--- Fit `model` on data = {frequency=, recency=, T=, weights=} (Gamma-Gamma:
-- {frequency=, monetary=, weights=}); opts = {penalty=, starts=, max_iter=}.
function M.fit(model, data, opts)
  opts = opts or {}
  local f = frame({ { "frequency", data.frequency }, { "recency", data.recency }, { "T", data.T },
                    { "monetary", data.monetary }, { "weights", data.weights } })
  return wrap(native.clv_fit_frame(kind_of(model), f, opts.penalty or 0, opts.starts or 0, opts.max_iter or 0))
end

--- A model from known parameters (array in the model's order).
function M.new(model, params) return wrap(native.clv_new(kind_of(model), params)) end

--- Load a model saved with :save(path).
function M.load(path) return wrap(native.clv_load(path)) end

function Model:save(path) native.clv_save(self.h, path) end
function Model:name() return native.clv_name(self.h) end
function Model:loglik() return native.clv_loglik(self.h) end

--- Parameters and standard errors as {name = value}.
function Model:params()
  local p = {}
  for i = 0, native.clv_nparams(self.h) - 1 do p[native.clv_param_name(self.h, i)] = native.clv_param(self.h, i) end
  return p
end
function Model:stderr()
  local p = {}
  for i = 0, native.clv_nparams(self.h) - 1 do p[native.clv_param_name(self.h, i)] = native.clv_stderr(self.h, i) end
  return p
end

--- {iterations=, grad_norm=, status=} of the fit.
function Model:convergence()
  return { iterations = native.clv_iterations(self.h), grad_norm = native.clv_grad_norm(self.h),
           status = native.clv_status(self.h) }
end

local function predict(self, what, cols, t, spend, o)
  o = o or {}
  local f = native.clv_predict_frame(self.h, spend and spend.h or nil, what, frame(cols), t or 0, o.months or 12,
                                     o.discount_rate or 0.01, o.periods_per_month or 30, o.margin or 1)
  return column(f)
end

--- P(alive) per customer.
function Model:prob_alive(frequency, recency, T)
  return predict(self, "alive", { { "frequency", frequency }, { "recency", recency }, { "T", T } })
end
--- Expected purchases in the next t given each history.
function Model:conditional_expected_purchases(t, frequency, recency, T)
  return predict(self, "conditional", { { "frequency", frequency }, { "recency", recency }, { "T", T } }, t)
end
--- Expected purchases of a new customer in (0, t] for each t.
function Model:expected_purchases(ts) return predict(self, "expected", { { "t", ts } }) end
--- P(X(t) = x) for each pair.
function Model:prob_purchases(ts, xs) return predict(self, "pmf", { { "t", ts }, { "x", xs } }) end
--- Gamma-Gamma expected average spend.
function Model:expected_spend(frequency, monetary)
  return predict(self, "spend", { { "frequency", frequency }, { "monetary", monetary } })
end
--- Discounted CLV; opts = {months=, discount_rate=, periods_per_month=, margin=}.
function Model:lifetime_value(spend, frequency, recency, T, monetary, opts)
  return predict(self, "clv", { { "frequency", frequency }, { "recency", recency }, { "T", T },
                                { "monetary", monetary } }, 0, spend, opts)
end

--- Simulate customers observed for T[i]: returns frequency, recency tables.
function Model:simulate(T, seed)
  local f = native.clv_simulate_frame(self.h, seed or 0, frame({ { "T", T } }))
  return column(f, "frequency"), column(f, "recency")
end

--- Expected and observed customers by repeat purchases (0..max_x, last bin max_x or more).
function Model:repeat_histogram(frequency, T, max_x)
  max_x = max_x or 7
  local f = native.clv_diag_frame(self.h, "histogram", frame({ { "frequency", frequency }, { "T", T } }),
                                  native.frame_new(), 0, 0, max_x)
  return column(f, "expected"), column(f, "observed")
end

M.Model = Model
return M
