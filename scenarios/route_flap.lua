-- route_flap.lua: route changes under continuous UDP traffic through a
-- router with 4 CPUs.
--
--   c ---- r ---- g1      r: 4 CPUs; each NIC interrupts a different CPU,
--   |      |      |          so forwarding (softints) runs on several
--   |      +----- g2         CPUs while `route' runs as a process on
--   +--- ret -----+          another: a route change is kernel work that
--                            races with forwarding.
--
-- c sends a steady stream of UDP datagrams (one every 500 us, from a
-- process over socket system calls) to 10.0.9.1:9000; an echo server on
-- g1 and on g2 sends each one back over the hub `ret' to c's receiver
-- (port 7000).  Meanwhile r flips the route to 10.0.9.1 between g1
-- (the /24) and g2 (a host route): `route add -host' and
-- `route delete -host' every `period'.  r's NICs towards g1 and g2 are
-- captured (nic:capture) to count the datagrams forwarded to each.
--
-- It shows, for the chosen invalidation policy (default list): every
-- datagram is echoed (no packet lost while routes change), traffic
-- reaches both next hops, no checker reports a violation, and after the
-- last delete nothing is left behind: once a packet has gone through
-- the cache again (an invalidated cache keeps its entry referenced until
-- its next lookup), no deleted-but-referenced route remains
-- (net.route.stats.trash == 0) and the rtentry pool is back to where it
-- was before the flapping.
--
-- With -D invalidation=none (the 1997 kernel) the forwarding cache keeps
-- the first route: every datagram goes to g1 and the run FAILS ("traffic
-- went to both next hops") -- kern/3508 under load.
--
-- Run:   build/knit run scenarios/route_flap.lua
--        build/knit run scenarios/route_flap.lua -D invalidation=generation -D flaps=20
local knit = require("knit")

local policy = knit.param("invalidation", "list")
local flaps = knit.param("flaps", 10)
local period = knit.param("period", "7ms")
-- datagrams every 500 us for the whole flapping, plus a little
local count = flaps * 2 * (knit.time(period) // 500000) + 4

local c = knit.host("c")
local r = knit.host("r", {cpus = 4, sysctl = {
	["net.inet.ip.forwarding"] = 1,
	["net.route.invalidation"] = policy,
}})
local g1, g2 = knit.host("g1"), knit.host("g2")
knit.link(c:nic(), r:nic({irq_cpu = 1}))
local r1, r2 = r:nic({irq_cpu = 2}), r:nic({irq_cpu = 3})
knit.link(r1, g1:nic())
knit.link(r2, g2:nic())
local ret = knit.hub("ret")
ret:attach(c:nic())
ret:attach(g1:nic())
ret:attach(g2:nic())

for _, l in ipairs({"ifconfig vnic0 inet 10.0.1.2/24", "ifconfig vnic1 inet 10.0.8.2/24",
    "ifconfig vnic0 up", "ifconfig vnic1 up", "route add default 10.0.1.1"}) do
	c:config(l)
end
for _, l in ipairs({"ifconfig vnic0 inet 10.0.1.1/24", "ifconfig vnic1 inet 10.0.2.1/24",
    "ifconfig vnic2 inet 10.0.3.1/24", "ifconfig vnic0 up", "ifconfig vnic1 up",
    "ifconfig vnic2 up", "route add -net 10.0.9.0/24 10.0.2.2"}) do
	r:config(l)
end
for i, g in ipairs({g1, g2}) do
	local n = i + 1
	for _, l in ipairs({"ifconfig vnic0 inet 10.0." .. n .. ".2/24",
	    "ifconfig vnic0 inet 10.0.9.1/32 alias",
	    "ifconfig vnic1 inet 10.0.8." .. (n + 1) .. "/24",
	    "ifconfig vnic0 up", "ifconfig vnic1 up",
	    "route add default 10.0." .. n .. ".1",
	    "route add -net 10.0.1.0/24 10.0.8.2"}) do
		g:config(l)
	end
end

local function sysctl(h, name)
	local _, out = h:run("sysctl -n " .. name)
	return tonumber(out)
end

-- Each gateway echoes datagrams to c's receiver until "stop" (which it
-- passes on, so the receiver knows both servers are done).
for _, g in ipairs({g1, g2}) do
	g:spawn("echo", function(p)
		local s = assert(p:socket("inet", "dgram"))
		assert(p:bind(s, "0.0.0.0:9000"))
		repeat
			local data, from = p:recvfrom(s, 100)
			p:sendto(s, data, from:match("^(.*):%d+$") .. ":7000")
		until data == "stop"
		p:close(s)
	end)
end
local receiver = c:spawn("receiver", function(p)
	local s = assert(p:socket("inet", "dgram"))
	assert(p:bind(s, "0.0.0.0:7000"))
	local seen, answered, stops = {}, 0, 0
	while stops < 2 do
		local data = p:recv(s, 100)
		if data == "stop" then
			stops = stops + 1
		elseif not seen[data] then
			seen[data] = true
			answered = answered + 1
		end
	end
	p:close(s)
	return answered
end)

knit.sleep("1ms")
local rt_before = sysctl(r, "net.route.pool.rtentry.inuse")
r1:capture(); r2:capture()
local sender = c:spawn("sender", function(p)
	local s = assert(p:socket("inet", "dgram"))
	local sent = 0
	for i = 1, count do
		if p:sendto(s, "seq " .. i, "10.0.9.1:9000") then
			sent = sent + 1
		end
		p:sleep("500us")
	end
	p:sleep("2ms")
	p:sendto(s, "stop", "10.0.2.2:9000")
	p:sendto(s, "stop", "10.0.3.2:9000")
	p:close(s)
	return sent
end)
local changes = 0
for i = 1, flaps do
	knit.sleep(period)
	local st = r:run("route add -host 10.0.9.1 10.0.3.2")
	knit.expect(st == 0, "route add -host #" .. i)
	knit.sleep(period)
	st = r:run("route delete -host 10.0.9.1")
	knit.expect(st == 0, "route delete -host #" .. i)
	changes = changes + 2
end
local sent = sender:wait()
local answered = receiver:wait()
local udp = {proto = "udp", dir = "tx", dst = "10.0.9.1"}
local via1, via2 = #r1:packets(udp), #r2:packets(udp)
print(string.format("route_flap (%s): %d route changes, %d datagrams, %d echoed; datagrams via g1 %d, via g2 %d",
	policy, changes, sent, answered, via1, via2))
knit.expect(sent == count and answered == count,
	"every datagram was echoed while routes changed (" .. answered .. "/" .. count .. ")")
knit.expect(via1 > flaps and via2 > flaps and via1 + via2 == count,
	"traffic went to both next hops")
-- A cache invalidated by the last delete still holds that entry until
-- its next lookup (NetBSD 5 semantics): one more packet releases it.
c:run("ping -c 1 10.0.9.1")
knit.expect(sysctl(r, "net.route.stats.trash") == 0, "no deleted route is still referenced")
knit.expect(sysctl(r, "net.route.pool.rtentry.inuse") == rt_before,
	"the rtentry pool is back to its size before the flapping")
