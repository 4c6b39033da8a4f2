-- Message templates and the ad-text lint from Lua.
local custops = require "custops"
local t = require "tap"

local f = custops.frame({ { "nickname", { "小王", "" }, "string" }, { "coupon", { 1000, 500 }, "int" } })
local tpl = custops.message.template('{{nickname|default("亲")}}，送你{{coupon|money}}元券')
t.eq(table.concat(tpl:fields(), ","), "nickname,coupon", "fields")
t.eq(tpl:render(f, 1), "小王，送你10.00元券", "render row 1")
local all = tpl:render_all(f)
t.eq(all[2], "亲，送你5.00元券", "render all with default")
t.raises(function() custops.message.template("{{}}") end, "expected a field name", "syntax error")
local found = custops.message.ad_lint("全网最低价，国家级品质")
t.eq(#found, 2, "two findings")
t.eq(found[2].term, "国家级", "term")
t.eq(found[2].column, 7, "column in characters")
t.eq(#custops.message.ad_lint("最近浏览，第一次下单"), 0, "benign words pass")
t.done()
