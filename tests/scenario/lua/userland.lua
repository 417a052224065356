-- Commands inside a host (sysctl), host configuration, and socket
-- system calls from a Lua process (AF_LOCAL stream sockets).
local h = knit.host("h1", {cpus = 2, sysctl = {["net.route.invalidation"] = "none"}})

local st, out = h:run("sysctl net.route.invalidation")
knit.expect(st == 0 and out == "net.route.invalidation = none\n",
	"the host's sysctl table was applied before the first command: " .. out)
st, out = h:run("sysctl -w net.route.invalidation=generation")
knit.expect(st == 0 and out == "net.route.invalidation: none -> generation\n", out)
st, out = h:run("sysctl -n net.route.invalidation")
knit.expect(out == "generation\n", "sysctl -n prints the value only")
local st2, out2, err2 = h:run("sysctl net.no.such.knob")
knit.expect(st2 == 1 and err2:find("net.no.such.knob"), "unknown sysctl fails: " .. err2)
local st3, _, err3 = h:run("frobnicate -x")
knit.expect(st3 == 127 and err3 == "sh: frobnicate: not found\n", "unknown program")

local p = h:spawn("unix", function(p)
	local s = assert(p:socket("local", "stream"))
	assert(p:bind(s, "/tmp/srv"))
	assert(p:listen(s, 5))
	local c = assert(p:socket("local", "stream"))
	assert(p:connect(c, "/tmp/srv"))
	local a = assert(p:accept(s))
	assert(p:send(c, "hello") == 5)
	local data = p:recv(a, 100)
	local ok, ename = p:connect(assert(p:socket("local", "stream")), "/tmp/nobody")
	p:close(a); p:close(c); p:close(s)
	return data, ok, ename
end)
local data, ok, ename = p:wait()
knit.expect(data == "hello", "data crossed the socket pair")
knit.expect(ok == nil and ename == "ENOENT", "connect to a missing path: " .. tostring(ename))
