-- knit run --race (tests/scenario/test_race_run.c): the corpus's
-- unlocked route-cache list (debug.bug.rtcache_nolock, -D bug=1, the
-- default here) as one run.  A UDP sender on CPU 0 moves its socket's
-- route cache between two destinations (unlink, relink) while "route
-- add" on CPU 1 walks the list to invalidate the caches.  With the bug
-- the two touch the list at once (the default schedule, random seeds
-- 1-6): the race detector reports it; with -D bug=0 it is clean.
local knit = require("knit")

local h = knit.host("h", {cpus = 2,
	sysctl = {["debug.bug.rtcache_nolock"] = knit.param("bug", 1)}})
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
