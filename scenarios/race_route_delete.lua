-- race_route_delete.lua: delete a route while the forwarding path holds
-- the entry it has just validated.
--
--   c ---- r ---- g        r forwards c's pings to 10.0.9.1 via g
--
-- knit.on_probe holds r's forwarding LWP at the probe
-- knit:ip:ip_output:rtcache_validated -- ip_output has validated the
-- forwarding cache's route and is about to use the entry (its interface
-- and gateway) -- and meanwhile runs `route delete -net 10.0.9.0/24' as
-- a process on another CPU of r.  The delete unlinks the entry from the
-- table, but the cache still holds a reference, so the entry must stay
-- allocated: the held packet goes out with it after the window closes,
-- and the entry is freed (probe rtfree:freed) only when the cache lets
-- go of it at its next lookup -- never inside the window -- and no
-- memory checker reports a use after free.
--
-- Run:   build/knit run scenarios/race_route_delete.lua --trace 1
local knit = require("knit")

local c = knit.host("c")
local r = knit.host("r", {cpus = 2, sysctl = {["net.inet.ip.forwarding"] = 1}})
local g = knit.host("g")
knit.link(c:nic(), r:nic())
knit.link(r:nic({irq_cpu = 1}), g:nic())
for _, l in ipairs({"ifconfig vnic0 inet 10.0.1.2/24", "ifconfig vnic0 up",
    "route add default 10.0.1.1"}) do c:config(l) end
for _, l in ipairs({"ifconfig vnic0 inet 10.0.1.1/24", "ifconfig vnic1 inet 10.0.2.1/24",
    "ifconfig vnic0 up", "ifconfig vnic1 up", "route add -net 10.0.9.0/24 10.0.2.2"}) do
	r:config(l)
end
for _, l in ipairs({"ifconfig vnic0 inet 10.0.2.2/24", "ifconfig vnic0 inet 10.0.9.1/32 alias",
    "ifconfig vnic0 up", "route add default 10.0.2.1"}) do g:config(l) end

local log = {}
local held_rt, freed_in_window, freed_after = nil, false, false
local in_window = false

-- Every free of a route entry: was it the held one, and when?
knit.on_probe("rtfree:freed", {host = r, once = false}, function(p, args)
	if held_rt ~= nil and args[1] == held_rt then
		if in_window then freed_in_window = true else freed_after = true end
		log[#log + 1] = "freed"
	end
end)

knit.sleep("1ms")
-- Warm up ARP and the cache, then open the window on the next packet.
c:run("ping -c 1 10.0.9.1")
knit.on_probe("ip_output:rtcache_validated", {host = r, once = true}, function(p, args)
	in_window = true
	held_rt = args[2]
	log[#log + 1] = "window"
	local st, out = p:run("route delete -net 10.0.9.0/24")
	log[#log + 1] = (st == 0) and "deleted" or ("delete failed: " .. out)
	in_window = false
end)
local st, out = c:run("ping -c 1 10.0.9.1")
log[#log + 1] = "ping " .. st
-- the route is gone now: the next ping finds no route, and its lookup
-- makes the cache release the deleted entry
local st2 = c:run("ping -c 1 -w 0.2 10.0.9.1")
local _, trash = r:run("sysctl -n net.route.stats.trash")
print("race_route_delete: " .. table.concat(log, ", "))

knit.expect(knit.probe_count("ip_output:rtcache_validated") == 1, "the window opened once")
knit.expect(log[1] == "window" and log[2] == "deleted", "the route was deleted inside the window")
knit.expect(not freed_in_window, "the held entry was not freed while the forwarding path held it")
knit.expect(st == 0 and out:find("1 packets received"), "the held packet was forwarded with the deleted entry")
knit.expect(freed_after, "the entry was freed once released")
knit.expect(st2 ~= 0, "after the delete there is no route")
knit.expect(tonumber(trash) == 0, "no deleted entry is still referenced")
