-- Bug corpus: the route-cache list changed without its lock
-- (debug.bug.rtcache_nolock).
--
-- Every filled route cache is on its family's list, which
-- V_rtcache_lock protects; adding a route walks that list to invalidate
-- the caches (rtflushall, policy list).  A UDP sender on CPU 0 switches
-- its socket's cache between two destinations (each switch unlinks and
-- relinks it) under softnet_lock, while "route add" on CPU 1 invalidates
-- the list under the table's lock.  With the bug the cache side skips
-- V_rtcache_lock: the two update the list at once.  The race detector
-- reports it (write in rtcache_clear1 against rtcache_invalidate_list);
-- it needs the race build, and the scenario makes a run stop at its
-- first race, before the corrupting access (knit.check{race_halt}).
-- (Without the race detector the corrupted list can crash knit itself.)  Different caches, same list: a missing lock
-- distinct from ipforward_nolock's, which is about one cache.
--
-- Find it (budgets of tests/scenario/test_corpus.c; exit 1):
--   knit-race explore scenarios/bugs/rtcache_nolock.lua --race --runs 20
--   knit-race explore scenarios/bugs/rtcache_nolock.lua --race --strategy pct --runs 20
--   knit-race explore scenarios/bugs/rtcache_nolock.lua --race --strategy dfs --runs 20
-- With -D bug=0 the same campaigns find nothing (exit 0).
local knit = require("knit")

knit.check{race_halt = true}
local bug = knit.param("bug", 1)
local h = knit.host("h", {cpus = 2,
	sysctl = {["debug.bug.rtcache_nolock"] = bug}})
h:config("ifconfig lo0 inet 127.0.0.1/8 up")

local sender = h:spawn("sender", function(p)
	local s = assert(p:socket("inet", "dgram"))
	for i = 1, 3 do
		assert(p:sendto(s, "x", "127.0.0.1:9") == 1)
		assert(p:sendto(s, "x", "127.0.0.2:9") == 1)
	end
end, {cpu = 0})
local admin = h:spawn("admin", function(p)
	for i = 1, 3 do
		assert(p:run("route add -host 10.9.9." .. i .. " 127.0.0.1") == 0)
	end
end, {cpu = 1})
sender:wait()
admin:wait()
