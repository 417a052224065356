-- knit.preempt at the scheduler's own decisions (tests/scenario/test_emit.c):
-- with two hosts, the world's first decision (which host's boot LWP runs
-- first) is made with no LWP at a point: at = "scheduler", site = "idle".
local knit = require("knit")

local w = knit.preempt{at = "scheduler", site = "idle", hit = 1,
	run = knit.param("run", "boot@h2")}
local h1, h2 = knit.host("h1"), knit.host("h2")
local booted = {}
local a = h1:spawn("a", function(p) booted[#booted + 1] = "h1" end)
local b = h2:spawn("b", function(p) booted[#booted + 1] = "h2" end)
a:wait()
b:wait()
print("window", w:fired(), w:hits(), w:missed())
