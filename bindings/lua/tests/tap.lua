-- Minimal TAP-style assertions for the Lua tests (Lua 5.1-5.4).
local M, n, failed = {}, 0, 0
local function report(ok, desc, extra)
  n = n + 1
  if ok then print("ok " .. n .. " - " .. desc)
  else failed = failed + 1; print("not ok " .. n .. " - " .. desc .. (extra and (": " .. extra) or "")) end
end
function M.ok(v, desc) report(v and true or false, desc) end
function M.eq(got, want, desc) report(got == want, desc, "got " .. tostring(got) .. ", want " .. tostring(want)) end
function M.near(got, want, tol, desc) report(math.abs(got - want) <= tol, desc, "got " .. tostring(got) .. ", want " .. tostring(want)) end
function M.raises(fn, pattern, desc)
  local ok, err = pcall(fn)
  report(not ok and string.find(tostring(err), pattern, 1, true) ~= nil, desc, ok and "no error" or tostring(err))
end
function M.done()
  print(string.format("%d passed, %d failed", n - failed, failed))
  collectgarbage(); collectgarbage()
  os.exit(failed == 0 and 0 or 1, true)
end
return M
