-- fragments.lua: IPv4 fragmentation and reassembly through a router
-- whose second link has a smaller MTU; IPv6, where routers never
-- fragment.
--
--   a ---- r ---- b        a - r: MTU 1500; r - b: MTU 1400
--
-- a pings b with 8000 bytes of data.  a cuts the echo request into
-- fragments of at most 1500 bytes, r cuts each of those again for the
-- 1400-byte link, b reassembles the request and sends its reply in
-- fragments that r cuts again on the way back; a reassembles the reply.
-- Over IPv6 a first fragments for its own link: r answers packet too
-- big and that ping gets no reply; a keeps the MTU r gave (path MTU
-- discovery, a host route) and the next ping6 crosses in 1400-byte
-- fragments.
--
-- Run:
--   build/knit run scenarios/fragments.lua
--       passes; prints b's IPv4 counters (netstat -s -f inet) with the
--       fragments received and the datagrams reassembled.
--   build/knit run scenarios/fragments.lua -D size=1300
--       a request that fits everywhere: no fragment at all.
--   build/knit run scenarios/fragments.lua -D size=30000
--       fails: the first request is 21 fragments at a, all queued while
--       a resolves r's address, and the hold queue keeps 16 (the oldest
--       5 are dropped); netstat -s on a counts them under "arp".
--   build/knit run scenarios/fragments.lua -D size=30000 -D hold=32
--       passes: every host holds up to 32 packets per unresolved
--       neighbour (net.inet.arp.maxhold, net.inet6.nd6.maxhold).
local knit = require("knit")

local SIZE = knit.param("size", 8000)
local HOLD = knit.param("hold", 16)
local function sysctls(t)
	t["net.inet.arp.maxhold"] = HOLD
	t["net.inet6.nd6.maxhold"] = HOLD
	return {sysctl = t}
end
local a = knit.host("a", sysctls({}))
local r = knit.host("r", sysctls({
	["net.inet.ip.forwarding"] = 1,
	["net.inet6.ip6.forwarding"] = 1,
}))
local b = knit.host("b", sysctls({}))
knit.link(a:nic(), r:nic())
knit.link(r:nic(), b:nic(), {mtu = 1400})

local function cfg(h, lines)
	for _, l in ipairs(lines) do h:config(l) end
end
cfg(a, {"ifconfig vnic0 inet 10.0.1.1/24", "ifconfig vnic0 inet6 2001:db8:1::1/64",
	"ifconfig vnic0 up",
	"route add default 10.0.1.2", "route add -inet6 default 2001:db8:1::2"})
cfg(r, {"ifconfig vnic0 inet 10.0.1.2/24", "ifconfig vnic0 inet6 2001:db8:1::2/64",
	"ifconfig vnic1 inet 10.0.2.1/24", "ifconfig vnic1 inet6 2001:db8:2::1/64",
	"ifconfig vnic0 up", "ifconfig vnic1 up"})
cfg(b, {"ifconfig vnic0 inet 10.0.2.2/24", "ifconfig vnic0 inet6 2001:db8:2::2/64",
	"ifconfig vnic0 up",
	"route add default 10.0.2.1", "route add -inet6 default 2001:db8:2::1"})

local function stat(h, name)
	local st, out = h:run("sysctl -n net.inet" .. name)
	knit.expect(st == 0, "sysctl net.inet" .. name)
	return tonumber(out)
end

local st, out = a:run("ping -c 2 -i 0.01 -s " .. SIZE .. " 10.0.2.2")
knit.expect(st == 0 and out:find("2 packets received") ~= nil,
	"ping -s " .. SIZE .. " across the 1400-byte link: " .. out ..
	"a's arp: " .. select(2, a:run("sysctl net.inet.arp.stats")))
local cut = SIZE + 28 > 1400
local reass = stat(b, ".ip.stats.reassembled")
knit.expect(reass == (cut and 2 or 0), "b reassembled " .. reass .. " requests")
knit.expect((stat(r, ".ip.stats.fragmented") > 0) == cut, "r cut the packets again")
knit.expect(stat(r, ".ip.stats.fragments") == 0, "r never reassembles")
knit.expect(stat(a, ".ip.stats.reassembled") == (cut and 2 or 0),
	"a reassembled the replies")

local big6 = SIZE + 48 > 1400
local st6 = a:run("ping6 -c 1 -i 0.01 -s " .. SIZE .. " 2001:db8:2::2")
knit.expect((st6 == 0) == not big6,
	"ping6 -s " .. SIZE .. ": routers do not fragment")
-- a learnt the path MTU from r's packet too big: now it fits
st6 = a:run("ping6 -c 1 -i 0.01 -s " .. SIZE .. " 2001:db8:2::2")
knit.expect(st6 == 0, "ping6 -s " .. SIZE .. " after path MTU discovery")
local reass6 = stat(b, "6.ip6.stats.reassembled")
knit.expect(reass6 == (big6 and 1 or 0), "b reassembled " .. reass6 .. " IPv6 requests")

print(select(2, b:run("netstat -s -f inet")))
print(string.format("fragments: size %d, b reassembled %d, r fragmented %d, IPv6 %d",
	SIZE, reass, stat(r, ".ip.stats.fragmented"), reass6))
