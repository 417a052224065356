-- knit.preempt on its own (tests/scenario/test_emit.c): two processes
-- named "w" on a one-CPU host ("w@h" and "w@h#2") each create and close
-- three sockets.  The default strategy runs the first to the end, then
-- the second; a window at the first one's hit-th socket creation lets
-- the second run there.  -D hit=0: no window.
local knit = require("knit")

local h = knit.host("h", {cpus = 1})
local hit = knit.param("hit", 0)
local at = knit.param("at", "w@h")
local site = knit.param("site", "mutex in socreate")
local run = knit.param("run", "w@h#2")
local order = {}

local w
if hit > 0 then
	w = knit.preempt{at = at, site = site, hit = hit, run = run}
end

local function worker(tag)
	return function(p)
		for i = 1, 3 do
			order[#order + 1] = tag .. i
			p:close(assert(p:socket("local", "dgram")))
		end
	end
end
local a = h:spawn("w", worker("a"))
local b = h:spawn("w", worker("b"))
a:wait()
b:wait()
print("order " .. table.concat(order, " "))
if w then
	print("window", w:fired(), w:hits(), w:missed())
end
