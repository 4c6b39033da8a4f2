-- wrk script for bench_nginx.sh: POST /quote with a 5-line cart, and with
-- REDEEM_PERCENT (environment, default 0) of the requests POST /redeem of
-- the OPEN5 code instead, each with its own order and idempotency key.
local quote_cart = '{"lines":[' ..
  '{"id":"L1","sku":"SKU-A","category":["fresh"],"unit_price":"43.00","qty":2},' ..
  '{"id":"L2","sku":"SKU-B","unit_price":"14.00"},' ..
  '{"id":"L3","sku":"SKU-C","tags":["no_coupon"],"unit_price":"23.00"},' ..
  '{"id":"L4","sku":"SKU-D","unit_price":"99.90","qty":1},' ..
  '{"id":"L5","sku":"SKU-E","unit_price":"5.50","qty":3}],' ..
  '"shipping":"8.00","customer":{"id":"c1","paid_orders":3},"codes":["SAVE30","FLASH8"]}'
local redeem_cart = '{"lines":[{"id":"L1","sku":"SKU-A","unit_price":"43.00","qty":2}],' ..
  '"customer":{"id":"c%d-%d"},"codes":["OPEN5"]}'
local percent = tonumber(os.getenv("REDEEM_PERCENT") or "0")

local threads, counter = 0, 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

function init(args)
  math.randomseed(tid or 1)
end

function request()
  counter = counter + 1
  if percent > 0 and math.random(100) <= percent then
    local t = tid or 0
    return wrk.format("POST", "/redeem?order=o" .. t .. "-" .. counter,
      { ["Idempotency-Key"] = "k" .. t .. "-" .. counter, ["Content-Type"] = "application/json" },
      string.format(redeem_cart, t, counter))
  end
  return wrk.format("POST", "/quote", { ["Content-Type"] = "application/json" }, quote_cart)
end
