-- Packets kept per NIC: nic:capture, nic:packets, knit.expect_packets.
-- c pings s through r.  -D wrong=1 adds an expectation with a wrong
-- count: the run must fail (exit 1) and name it.
local wrong = knit.param("wrong", 0)
-- (softints take softnet_lock here: the lock-order checker's interrupt
-- rule covers spin mutexes only, so no knit.check{} is needed)
local c, r, s = knit.host("c"), knit.host("r"), knit.host("s")
local cn, rn1, rn2, sn = c:nic(), r:nic(), r:nic(), s:nic()
knit.link(cn, rn1)
knit.link(rn2, sn)
c:config("ifconfig vnic0 inet 10.0.1.2/24 up")
c:config("route add default 10.0.1.1")
r:config("sysctl -w net.inet.ip.forwarding=1")
r:config("ifconfig vnic0 inet 10.0.1.1/24 up")
r:config("ifconfig vnic1 inet 10.0.2.1/24 up")
s:config("ifconfig vnic0 inet 10.0.2.2/24 up")
s:config("route add default 10.0.2.1")
knit.sleep("1ms")

local ok, err = pcall(cn.packets, cn)
knit.expect(not ok and err:find("not captured"), "packets before capture is an error: " .. tostring(err))
cn:capture()
rn1:capture(); rn2:capture()
sn:capture(4)			-- keeps the last 4 frames only
local st = c:run("ping -c 3 -i 0.01 10.0.2.2")
knit.expect(st == 0, "ping exit " .. tostring(st))

local reqs = cn:packets{proto = "icmp", type = "echo-request", dir = "tx"}
knit.expect(#reqs == 3, "3 echo requests sent by c, got " .. #reqs)
local p = reqs[1]
knit.expect(p and p.src == "10.0.1.2" and p.dst == "10.0.2.2" and p.dir == "tx" and
	p.proto == "icmp" and p.type == "echo-request" and p.len >= 42 and
	p.summary:find("echo request") and p.time > 0, "first request fields")
knit.expect(reqs[2].time > reqs[1].time, "oldest first")
local all, lost = cn:packets()
knit.expect(lost == 0 and #all >= 6 + 2, "all frames of c (" .. #all .. "), ARP included")
knit.expect(#cn:packets{proto = "arp"} >= 2, "ARP request and reply")
knit.expect(#cn:packets{proto = "icmp", dir = "rx", src = "10.0.2.2"} == 3, "3 replies reach c")
knit.expect(#cn:packets{dst = "10.0.9.9"} == 0, "nothing to an unused address")
knit.expect(#cn:packets{type = 8} == 3, "ICMP type by number")
local kept, slost = sn:packets()
knit.expect(#kept == 4 and slost > 0, "s keeps only its last 4 frames (lost " .. slost .. ")")

knit.expect_packets{nic = cn, match = {proto = "icmp", type = "echo-request", dir = "tx"}, count = 3}
knit.expect_packets{nic = "r:vnic1", match = {proto = "icmp", type = "echo-reply", dir = "rx"}, count = 3}
knit.expect_packets{nic = rn1, match = {proto = "icmp"}, min = 6, max = 6}
if wrong == 1 then
	knit.expect_packets{nic = cn, match = {proto = "icmp", type = "echo-request", dir = "tx"}, count = 4,
		message = "four requests"}
end
