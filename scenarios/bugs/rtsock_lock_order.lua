-- Bug corpus: a lock-order inversion between a socket lock and the
-- routing-table lock (debug.bug.rtsock_lock_order).
--
-- One process asks the routing socket about a route (route get: the
-- socket's lock, then the table's); another lists the table (netstat
-- -rn: with the bug, the table's lock, then the routing sockets').  The
-- lock-order checker reports the cycle in any run that does both, even
-- when the two never meet; some schedules also deadlock.
--
--   knit explore scenarios/bugs/rtsock_lock_order.lua -D bug=1
--   knit explore scenarios/bugs/rtsock_lock_order.lua -D bug=0   (clean)
local knit = require("knit")

local bug = knit.param("bug", 1)
local rounds = knit.param("rounds", 2)
local h = knit.host("h", {cpus = 2,
	sysctl = {["debug.bug.rtsock_lock_order"] = bug}})

local getter = h:spawn("getter", function(p)
	for i = 1, rounds do p:run("route get 10.9.1.1") end
end, {cpu = 0})
local lister = h:spawn("lister", function(p)
	for i = 1, rounds do p:run("netstat -rn") end
end, {cpu = 1})
getter:wait()
lister:wait()
