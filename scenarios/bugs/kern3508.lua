-- Bug corpus: PR kern/3508 again, a route addition that invalidates no
-- route cache (debug.bug.kern3508).
--
-- r forwards 10.0.9.0/24 to g1.  c sends a datagram to 10.0.9.1, which
-- fills r's forwarding cache (ipforward_rt) with that route; then a
-- more specific route appears on r (a host route 10.0.9.1 via g2, like
-- the PPP host route of the PR) and c sends again.  Under the list
-- policy (NetBSD 5) the addition flushes every cache of the family
-- (rtflushall), so the second datagram goes to g2.  With the bug the
-- flush is skipped and the cache keeps the /24: the datagram goes to g1,
-- as in 1997.  The frames r sends on each link are counted; the
-- addition always precedes the second datagram, so every schedule
-- fails the last expectation.  (scenarios/kern3508.lua shows the same
-- bug through the invalidation policies.)
--
-- Find it (budgets of tests/scenario/test_corpus.c; exit 1):
--   knit explore scenarios/bugs/kern3508.lua --runs 10
--   knit explore scenarios/bugs/kern3508.lua --strategy pct --runs 10
--   knit explore scenarios/bugs/kern3508.lua --strategy dfs --runs 10
-- With -D bug=0 the same campaigns find nothing (exit 0).
local knit = require("knit")

local bug = knit.param("bug", 1)
local c, g1, g2 = knit.host("c"), knit.host("g1"), knit.host("g2")
local r = knit.host("r", {cpus = 2, sysctl = {
	["net.inet.ip.forwarding"] = 1,
	["net.route.invalidation"] = "list",
	["debug.bug.kern3508"] = bug}})
knit.link(c:nic(), r:nic({irq_cpu = 0}))
local to_g1, to_g2 = r:nic({irq_cpu = 1}), r:nic({irq_cpu = 1})
knit.link(to_g1, g1:nic())
knit.link(to_g2, g2:nic())
c:config("ifconfig vnic0 inet 10.0.1.2/24 up")
c:config("route add default 10.0.1.1")
g1:config("ifconfig vnic0 inet 10.0.2.2/24 up")
g2:config("ifconfig vnic0 inet 10.0.3.2/24 up")
r:config("ifconfig vnic0 inet 10.0.1.1/24 up")
r:config("ifconfig vnic1 inet 10.0.2.1/24 up")
r:config("ifconfig vnic2 inet 10.0.3.1/24 up")
r:config("route add -net 10.0.9.0/24 10.0.2.2")
to_g1:capture()
to_g2:capture()

-- g1 and g2 do not forward: a datagram is seen once, on r's link.
local function send(name)
	return c:spawn(name, function(p)
		local s = assert(p:socket("inet", "dgram"))
		assert(p:sendto(s, name, "10.0.9.1:9") == #name)
	end)
end
local function udp(nic)
	return #nic:packets{proto = "udp", dir = "tx"}
end
knit.sleep("10us")
send("first"):wait()
knit.sleep("100us")	-- r forwarded it via g1: ipforward_rt holds the /24
knit.expect(udp(to_g1) == 1, "the first datagram went to g1")
local admin = r:spawn("admin", function(p)
	return p:run("route add -host 10.0.9.1 10.0.3.2")
end, {cpu = 0})
knit.expect(admin:wait() == 0, "route add -host 10.0.9.1 10.0.3.2")
send("second"):wait()
knit.sleep("100us")
knit.expect(udp(to_g2) == 1 and udp(to_g1) == 1, "the datagram sent after "
	.. "the host route went to g2 (it went to g1: kern/3508)")
