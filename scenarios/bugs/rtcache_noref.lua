-- Bug corpus: an rtentry freed while a cache still references it
-- (debug.bug.rtcache_noref).
--
-- c sends a datagram to 10.0.9.1 through r, so r's forwarding cache
-- (ipforward_rt) holds the route 10.0.9.0/24 via g.  Then an
-- administrator on r replaces that route (route delete, route add) and
-- c sends a second datagram.  A route cache holds a reference on its
-- entry, so the deleted entry lives until the cache lets go.  With the
-- bug the cache holds none: the delete frees the entry (freed memory is
-- poisoned and quarantined), and forwarding the second datagram reads
-- it -- use after free, caught by the cache's check ("route cache ...
-- holds a freed rtentry", in rtcache_validate < rtcache_lookup2 <
-- ip_forward).  The delete always precedes the second datagram here, so
-- every schedule fails: each strategy finds it in its first run, and the
-- minimised schedule is the default one (0 deviations).
--
-- Find it (budgets of tests/scenario/test_corpus.c; exit 1):
--   knit explore scenarios/bugs/rtcache_noref.lua --runs 10
--   knit explore scenarios/bugs/rtcache_noref.lua --strategy pct --runs 10
--   knit explore scenarios/bugs/rtcache_noref.lua --strategy dfs --runs 10
-- With -D bug=0 the same campaigns find nothing (exit 0).
local knit = require("knit")

local bug = knit.param("bug", 1)
local c, g = knit.host("c"), knit.host("g")
local r = knit.host("r", {cpus = 2, sysctl = {
	["net.inet.ip.forwarding"] = 1,
	["debug.bug.rtcache_noref"] = bug}})
knit.link(c:nic(), r:nic({irq_cpu = 0}))
knit.link(r:nic({irq_cpu = 1}), g:nic())
c:config("ifconfig vnic0 inet 10.0.1.2/24 up")
c:config("route add default 10.0.1.1")
g:config("ifconfig vnic0 inet 10.0.2.2/24 up")
g:config("ifconfig vnic0 inet 10.0.9.1/32 alias")
g:config("route add default 10.0.2.1")
r:config("ifconfig vnic0 inet 10.0.1.1/24 up")
r:config("ifconfig vnic1 inet 10.0.2.1/24 up")
r:config("route add -net 10.0.9.0/24 10.0.2.2")

local sink = g:spawn("sink", function(p)
	local s = assert(p:socket("inet", "dgram"))
	assert(p:bind(s, "10.0.9.1:9"))
	return p:recv(s, 64), p:recv(s, 64)
end)
local function send(name)
	return c:spawn(name, function(p)
		local s = assert(p:socket("inet", "dgram"))
		assert(p:sendto(s, name, "10.0.9.1:9") == #name)
	end)
end
knit.sleep("10us")
send("first"):wait()
knit.sleep("100us")	-- r forwarded it: ipforward_rt holds 10.0.9.0/24
r:spawn("admin", function(p)
	assert(p:run("route delete -net 10.0.9.0/24") == 0)
	assert(p:run("route add -net 10.0.9.0/24 10.0.2.2") == 0)
end, {cpu = 0})
send("second")
local a, b = sink:wait()
knit.expect(a == "first" and b == "second", "g got both datagrams")
