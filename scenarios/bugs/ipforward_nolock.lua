-- Bug corpus: a missing lock around the forwarding cache
-- (debug.bug.ipforward_nolock).
--
-- r forwards for two clients at once: c1's datagram arrives on vnic0
-- (interrupts on CPU 0) and goes out to s1, c2's arrives on vnic1 (CPU
-- 1) and goes to s2, so r's IP softints forward on both CPUs together
-- (and again for the ICMP errors coming back).  They
-- share one forwarding route cache, ipforward_rt, which softnet_lock
-- protects.  With the bug, ip_forward looks the cache up outside
-- softnet_lock (an "MP-safe" forwarding path that forgot the cache is
-- shared -- NetBSD made it per-CPU for that reason): when both CPUs are
-- in the cache at once, the route cache's serialisation check panics
-- ("route cache ... used concurrently", in rtcache_enter < ip_forward).
-- A first round of pings, one client at a time, fills the neighbour
-- caches; the default schedule never overlaps the two forwards, knit
-- explore does.
--
-- Find it (budgets of tests/scenario/test_corpus.c; exit 1):
--   knit explore scenarios/bugs/ipforward_nolock.lua --runs 50
--   knit explore scenarios/bugs/ipforward_nolock.lua --strategy pct --runs 400
--   knit explore scenarios/bugs/ipforward_nolock.lua --strategy dfs --preemptions 1 --runs 500
-- Add --stop-on-first --minimize for a short schedule to replay.  With
-- -D bug=0 the same campaigns find nothing (exit 0).
local knit = require("knit")

local bug = knit.param("bug", 1)
local c1, c2 = knit.host("c1"), knit.host("c2")
local s1, s2 = knit.host("s1"), knit.host("s2")
local r = knit.host("r", {cpus = 2, sysctl = {
	["net.inet.ip.forwarding"] = 1,
	["debug.bug.ipforward_nolock"] = bug}})
knit.link(c1:nic(), r:nic({irq_cpu = 0}))
knit.link(c2:nic(), r:nic({irq_cpu = 1}))
knit.link(r:nic({irq_cpu = 0}), s1:nic())
knit.link(r:nic({irq_cpu = 1}), s2:nic())
for i, h in ipairs({c1, c2, s1, s2}) do	-- net 10.0.i.0/24, r is .1
	h:config("ifconfig vnic0 inet 10.0." .. i .. ".2/24 up")
	h:config("route add default 10.0." .. i .. ".1")
	r:config("ifconfig vnic" .. (i - 1) .. " inet 10.0." .. i .. ".1/24 up")
end

-- One at a time: neighbour caches filled, nothing concurrent yet.
knit.expect(c1:run("ping -c 1 10.0.3.2") == 0, "c1 reaches s1")
knit.expect(c2:run("ping -c 1 10.0.4.2") == 0, "c2 reaches s2")

-- Nobody listens on port 9: s1 and s2 answer with ICMP port
-- unreachable, which r forwards back on both CPUs at once too.
local function source(h, to)
	return h:spawn("source", function(p)
		local s = assert(p:socket("inet", "dgram"))
		return p:sendto(s, "datagram", to)
	end)
end
knit.sleep("10us")
local a = source(c1, "10.0.3.2:9")	-- both reach r at the same time
local b = source(c2, "10.0.4.2:9")
knit.expect(a:wait() == 8 and b:wait() == 8, "datagrams sent")
knit.sleep("100us")
