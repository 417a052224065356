-- kern3508.lua: NetBSD PR kern/3508, "ipforward_rt cache broken" (1997),
-- and its 2002 follow-ups, replayed on the simulated stack.
--
-- Topology (one copy per route-cache invalidation policy):
--
--   c ---- r ---- g1      c: client 10.0.1.2; r: router (2 CPUs)
--   |      |      |       g1, g2: two next hops that both answer for the
--   |      +----- g2      destination 10.0.9.1 (and 2001:db8:9::1)
--   |             |
--   +--- ret -----+       ret: a hub that carries the echo replies
--                         straight back to c
--
-- Replies bypass r on purpose: ipforward_rt holds one route, and a reply
-- forwarded by r would replace it -- "forwarding a packet to any other
-- destination ... magically fixes it", as the PR says.
-- r forwards 10.0.9.0/24 to g1.  c pings 10.0.9.1 through r, which fills
-- r's forwarding route cache (ipforward_rt).  Then the table changes and
-- c pings again; the frames counted on the r-g1 and r-g2 links show which
-- next hop r really used:
--
--   pr        (the PR as filed) a more specific route appears: a host
--             route 10.0.9.1 via g2, like the PPP host route in the PR.
--   delete    (2002, Tad Hunt) the more specific route is deleted again:
--             traffic must fall back to the /24 via g1.
--   ifdown    (2002) r's interface to g1 goes down and up again; the
--             route via g1 must carry traffic again afterwards.
--   inet6     the PR's variant over IPv6 (ip6_forward's cache).
--
-- With net.route.invalidation = none (the 1997 kernel: a cached entry is
-- used while it is RTF_UP) r keeps forwarding to g1 after the host route
-- via g2 appears: the bug.  With list (NetBSD 5: rtflushall on every
-- change) and generation (a table generation number) the new next hop
-- is used at once.
--
-- Run:
--   build/knit run scenarios/kern3508.lua
--       all three policies side by side; prints a verdict table; passes
--       when each policy behaves as documented (none: the bug, list and
--       generation: fixed).
--   build/knit run scenarios/kern3508.lua -D invalidation=none
--       only the 1997 behaviour: reports "bug reproduced" and FAILS
--       (exit 1), because the router kept the stale next hop.
--   build/knit run scenarios/kern3508.lua -D invalidation=list   (or generation)
--       passes: the new next hop is used at once.
local knit = require("knit")

local only = knit.param("invalidation", "all")
local policies
if only == "all" then
	policies = {"none", "list", "generation"}
elseif only == "none" or only == "list" or only == "generation" then
	policies = {only}
else
	error("-D invalidation must be none, list or generation (got '" .. only .. "')")
end
local COUNT = knit.param("count", 3)
local PING = "-c " .. COUNT .. " -i 0.01"

local function topology(policy)
	local t = {policy = policy}
	local sfx = "-" .. policy
	t.c = knit.host("c" .. sfx)
	t.r = knit.host("r" .. sfx, {cpus = 2, sysctl = {
		["net.inet.ip.forwarding"] = 1,
		["net.inet6.ip6.forwarding"] = 1,
		["net.route.invalidation"] = policy,
	}})
	t.g1 = knit.host("g1" .. sfx)
	t.g2 = knit.host("g2" .. sfx)
	knit.link(t.c:nic(), t.r:nic())			-- c vnic0, r vnic0
	t.l1 = knit.link(t.r:nic({irq_cpu = 1}), t.g1:nic())	-- r vnic1
	t.l2 = knit.link(t.r:nic({irq_cpu = 1}), t.g2:nic())	-- r vnic2
	local ret = knit.hub("ret" .. sfx)			-- vnic1 of c, g1, g2
	ret:attach(t.c:nic())
	ret:attach(t.g1:nic())
	ret:attach(t.g2:nic())
	local function cfg(h, lines)
		for _, l in ipairs(lines) do h:config(l) end
	end
	cfg(t.c, {
		"ifconfig vnic0 inet 10.0.1.2/24", "ifconfig vnic0 inet6 2001:db8:1::2/64",
		"ifconfig vnic1 inet 10.0.8.2/24", "ifconfig vnic1 inet6 2001:db8:8::2/64",
		"ifconfig vnic0 up", "ifconfig vnic1 up",
		"route add default 10.0.1.1", "route add -inet6 default 2001:db8:1::1",
	})
	cfg(t.r, {
		"ifconfig vnic0 inet 10.0.1.1/24", "ifconfig vnic0 inet6 2001:db8:1::1/64",
		"ifconfig vnic1 inet 10.0.2.1/24", "ifconfig vnic1 inet6 2001:db8:2::1/64",
		"ifconfig vnic2 inet 10.0.3.1/24", "ifconfig vnic2 inet6 2001:db8:3::1/64",
		"ifconfig vnic0 up", "ifconfig vnic1 up", "ifconfig vnic2 up",
		"route add -net 10.0.9.0/24 10.0.2.2",
		"route add -inet6 -net 2001:db8:9::/64 2001:db8:2::2",
	})
	for i, g in ipairs({t.g1, t.g2}) do
		local n = i + 1
		cfg(g, {
			"ifconfig vnic0 inet 10.0." .. n .. ".2/24",
			"ifconfig vnic0 inet6 2001:db8:" .. n .. "::2/64",
			"ifconfig vnic0 inet 10.0.9.1/32 alias",
			"ifconfig vnic0 inet6 2001:db8:9::1/128 alias",
			"ifconfig vnic1 inet 10.0.8." .. (n + 1) .. "/24",
			"ifconfig vnic1 inet6 2001:db8:8::" .. (n + 1) .. "/64",
			"ifconfig vnic0 up", "ifconfig vnic1 up",
			"route add default 10.0." .. n .. ".1",
			"route add -inet6 default 2001:db8:" .. n .. "::1",
			-- replies to c go over the hub, not through r
			"route add -net 10.0.1.0/24 10.0.8.2",
			"route add -inet6 -net 2001:db8:1::/64 2001:db8:8::2",
		})
	end
	return t
end

-- Frames delivered on each next hop's link while fn runs.
local function measure(t, fn)
	local a1, a2 = t.l1:stats().delivered, t.l2:stats().delivered
	local ok = fn()
	return ok, t.l1:stats().delivered - a1, t.l2:stats().delivered - a2
end

local function ping(t, v6)
	local st, out = t.c:run((v6 and "ping6 " or "ping ") .. PING ..
		(v6 and " 2001:db8:9::1" or " 10.0.9.1"))
	return st == 0 and out:find(COUNT .. " packets received") ~= nil
end

local function run(cmd_host, cmd)
	local st, out, err = cmd_host:run(cmd)
	knit.expect(st == 0, cmd .. ": " .. out .. err)
end

-- One variant: warm the cache, change the table, ping again; returns
-- "fresh" when r used the route the table now gives, "STALE" when it
-- kept the old next hop, "lost" when pings failed.
local function variant(t, v6, change, want_g2)
	ping(t, v6)				-- fills ipforward_rt via g1
	change()
	local ok, f1, f2 = measure(t, function() return ping(t, v6) end)
	-- the echo requests (COUNT of them) went where?  (A few neighbour
	-- discovery frames may cross either link as well.)
	local used_g2 = f2 >= COUNT and f1 < COUNT
	local used_g1 = f1 >= COUNT and f2 < COUNT
	if not ok then return "lost", f1, f2 end
	if (want_g2 and used_g2) or (not want_g2 and used_g1) then
		return "fresh", f1, f2
	end
	return "STALE", f1, f2
end

local results = {}
local function check_policy(t)
	local r = {}
	-- The PR: a more specific host route via g2 appears.
	r.pr = variant(t, false, function()
		run(t.r, "route add -host 10.0.9.1 10.0.3.2")
	end, true)
	-- 2002: the more specific route is deleted: back to g1.
	r.delete = variant(t, false, function()
		run(t.r, "route delete -host 10.0.9.1")
	end, false)
	-- 2002: the outbound interface goes down and comes back.
	r.ifdown = variant(t, false, function()
		run(t.r, "ifconfig vnic1 down")
		ping(t, false)			-- nothing can go out via g1 now
		run(t.r, "ifconfig vnic1 up")
	end, false)
	-- IPv6: a more specific route via g2 appears.
	r.inet6 = variant(t, true, function()
		run(t.r, "route add -inet6 -host 2001:db8:9::1 2001:db8:3::2")
	end, true)
	results[t.policy] = r
end

local topos = {}
for _, p in ipairs(policies) do topos[p] = topology(p) end
for _, p in ipairs(policies) do check_policy(topos[p]) end

-- The verdict table.
local variants = {
	{"pr", "more specific route appears (the PR)"},
	{"delete", "more specific route deleted (2002)"},
	{"ifdown", "outbound interface down/up (2002)"},
	{"inet6", "IPv6: more specific route appears"},
}
print("PR kern/3508: did the router forward along the table's current route?")
local line = string.format("%-40s", "variant")
for _, p in ipairs(policies) do line = line .. string.format("%-12s", p) end
print(line)
for _, v in ipairs(variants) do
	line = string.format("%-40s", v[2])
	for _, p in ipairs(policies) do line = line .. string.format("%-12s", results[p][v[1]]) end
	print(line)
end

-- Expectations: what each policy is documented to do.
for _, p in ipairs(policies) do
	local r = results[p]
	if p == "none" then
		if r.pr == "STALE" then
			print("none: bug reproduced: the router kept forwarding 10.0.9.1 to the old next hop g1")
		end
		-- In the bug-demonstration mode the run fails because the
		-- router used a stale route; with all policies, reproducing
		-- the bug is the documented outcome for `none'.
		if #policies == 1 then
			knit.expect(r.pr == "fresh", "none: the router used the new next hop (it did not: kern/3508)")
			knit.expect(r.inet6 == "fresh", "none: IPv6 used the new next hop (it did not: kern/3508)")
		else
			knit.expect(r.pr == "STALE", "none reproduces kern/3508 (got " .. r.pr .. ")")
			knit.expect(r.inet6 == "STALE", "none reproduces kern/3508 over IPv6 (got " .. r.inet6 .. ")")
		end
		knit.expect(r.delete == "fresh", "none: a deleted route is not RTF_UP any more (got " .. r.delete .. ")")
	else
		for _, v in ipairs(variants) do
			knit.expect(r[v[1]] == "fresh", p .. ": " .. v[2] .. ": " .. r[v[1]])
		end
	end
end
