-- sockaddr_pool.lua: per-family sockaddr pool exhaustion while route
-- caches fill (NetBSD 2007 pooled sockaddrs, reference 2.1).
--
--   c ---- r ---- g        r forwards c's pings to 10.0.9.x (aliases on g)
--
-- Every host route on r takes two AF_INET sockaddrs from r's pool (key
-- and gateway; a net route a third, its mask) and the forwarding route
-- cache takes one for the destination it remembers.  The scenario caps r's pool
-- (kern.sockaddr.pool.inet.limit) at exactly two more routes:
--
--   1. two `route add -host' succeed, the third fails with ENOBUFS
--      ("routing table overflow") and leaves nothing allocated behind;
--   2. the pool is now full, so the forwarding cache cannot store its
--      destination: rtcache_setdst fails with ENOMEM, ip_forward drops
--      the packet (no route) and the ping gets no answer -- handled, no
--      panic;
--   3. one more sockaddr of room, and forwarding works again;
--   4. after the routes are deleted the pool is back at its baseline
--      plus the one sockaddr the cache still holds: nothing leaked, and
--      no deleted route is still referenced.
--
-- Run:   build/knit run scenarios/sockaddr_pool.lua
local knit = require("knit")

local c = knit.host("c")
local r = knit.host("r", {cpus = 2, sysctl = {["net.inet.ip.forwarding"] = 1}})
local g = knit.host("g")
knit.link(c:nic(), r:nic())
knit.link(r:nic({irq_cpu = 1}), g:nic())
for _, l in ipairs({"ifconfig vnic0 inet 10.0.1.2/24", "ifconfig vnic0 up",
    "route add default 10.0.1.1"}) do c:config(l) end
for _, l in ipairs({"ifconfig vnic0 inet 10.0.1.1/24", "ifconfig vnic1 inet 10.0.2.1/24",
    "ifconfig vnic0 up", "ifconfig vnic1 up"}) do r:config(l) end
for _, l in ipairs({"ifconfig vnic0 inet 10.0.2.2/24", "ifconfig vnic0 up",
    "route add default 10.0.2.1"}) do g:config(l) end
for i = 1, 3 do g:config("ifconfig vnic0 inet 10.0.9." .. i .. "/32 alias") end

local function inuse()
	local _, out = r:run("sysctl -n kern.sockaddr.pool.inet.inuse")
	return tonumber(out)
end
local function ping(dst)
	local st = c:run("ping -c 1 -w 0.2 " .. dst)
	return st == 0
end

knit.sleep("1ms")
local base = inuse()
r:run("sysctl -w kern.sockaddr.pool.inet.limit=" .. (base + 4))

-- 1. routes until the pool is exhausted
local st1 = r:run("route add -host 10.0.9.1 10.0.2.2")
local st2 = r:run("route add -host 10.0.9.2 10.0.2.2")
local st3, out3, err3 = r:run("route add -host 10.0.9.3 10.0.2.2")
knit.expect(st1 == 0 and st2 == 0, "two routes fit in the pool")
knit.expect(st3 ~= 0 and err3:find("add host 10.0.9.3: gateway 10.0.2.2: routing table overflow", 1, true),
	"the third route fails with ENOBUFS: " .. err3)
knit.expect(inuse() == base + 4, "the failed add left nothing allocated (inuse " .. inuse() .. ")")

-- 2. the forwarding cache cannot take a sockaddr: the packet is dropped
knit.expect(not ping("10.0.9.1"), "with the pool full, forwarding fails (ENOMEM handled)")

-- 3. one sockaddr of room: the cache fills and forwarding works
r:run("sysctl -w kern.sockaddr.pool.inet.limit=" .. (base + 5))
knit.expect(ping("10.0.9.1"), "with room for the cache's destination, forwarding works")
knit.expect(ping("10.0.9.2"), "a new destination reuses the cache's sockaddr")
knit.expect(inuse() == base + 5, "routes plus the cache's destination (inuse " .. inuse() .. ")")

-- 4. nothing leaks
r:run("route delete -host 10.0.9.1")
r:run("route delete -host 10.0.9.2")
ping("10.0.9.3")		-- no route: moves the cache off the deleted entries
local _, trash = r:run("sysctl -n net.route.stats.trash")
knit.expect(tonumber(trash) == 0, "no deleted route is still referenced")
knit.expect(inuse() == base + 1, "back to the baseline plus the cache's destination (inuse " ..
	inuse() .. ", baseline " .. base .. ")")
print(string.format("sockaddr_pool: baseline %d, limit %d..%d, final %d", base, base + 4, base + 5, inuse()))
