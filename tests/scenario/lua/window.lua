-- A race window: the client's connect is held inside unp_connect (at the
-- probe between its lock drops) while another process connects and
-- closes; then the held connect completes.
local h = knit.host("h", {cpus = 2})
local order = {}

h:spawn("server", function(p)
	local s = assert(p:socket("local", "stream"))
	assert(p:bind(s, "/tmp/w"))
	assert(p:listen(s, 8))
	for i = 1, 2 do
		local a = assert(p:accept(s))
		order[#order + 1] = "accepted"
		p:close(a)
	end
	p:close(s)
end, {cpu = 0})

knit.on_probe("unp:connect:unlocked", {host = h, once = true}, function(p, args)
	order[#order + 1] = "window:" .. args.probe
	local s = assert(p:socket("local", "stream"))
	assert(p:connect(s, "/tmp/w"))
	order[#order + 1] = "window-connected"
	p:close(s)
end)

knit.sleep("50us")
local c = h:spawn("client", function(p)
	local s = assert(p:socket("local", "stream"))
	local ok, e = p:connect(s, "/tmp/w")
	order[#order + 1] = "held-connect-returned"
	p:close(s)
	return ok, e
end, {cpu = 1})
local ok, e = c:wait()
knit.run()
print(table.concat(order, " "))
knit.expect(ok == true, "the held connect succeeds: " .. tostring(e))
knit.expect(knit.probe_count("unp:connect:unlocked") == 1, "the window opened once")
knit.expect(order[1] == "window:socket:unp:connect:unlocked" and
	order[2] == "window-connected", "the window's connect ran while the client was held")
local held, wc
for i, v in ipairs(order) do
	if v == "held-connect-returned" then held = i end
	if v == "window-connected" then wc = i end
end
knit.expect(held and wc and wc < held, "the held connect returned after the window closed")
