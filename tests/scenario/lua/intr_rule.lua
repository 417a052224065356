-- The lock-order checker's interrupt rule on a forwarding router: r's
-- IP softint takes softnet_lock (adaptive) while threads hold it at
-- IPL_NONE.  -D rule=spin (the default) reports nothing; -D rule=all
-- (softints must never sleep) reports softnet_lock; -D rule=off nothing.
local rule = knit.param("rule", "spin")
if rule == "off" then rule = false end
knit.check{softint_rule = rule}
local c, r, s = knit.host("c"), knit.host("r", {cpus = 2}), knit.host("s")
knit.link(c:nic(), r:nic())
knit.link(r:nic({irq_cpu = 1}), s:nic())
c:config("ifconfig vnic0 inet 10.0.1.2/24 up")
c:config("route add default 10.0.1.1")
r:config("sysctl -w net.inet.ip.forwarding=1")
r:config("ifconfig vnic0 inet 10.0.1.1/24 up")
r:config("ifconfig vnic1 inet 10.0.2.1/24 up")
s:config("ifconfig vnic0 inet 10.0.2.2/24 up")
s:config("route add default 10.0.2.1")
knit.sleep("1ms")
r:spawn("netstat", function(p) p:run("netstat -rn") end)
knit.expect(c:run("ping -c 2 -i 0.01 10.0.2.2") == 0, "ping through r")
