-- unix_storm.lua: a Unix-domain socket connect/accept/close storm across
-- CPUs.
--
-- One host with 4 CPUs.  A server process on CPU 0 listens on
-- /tmp/storm and accepts connections; client processes on CPUs 1-3 each
-- open `conns' connections, send one message, and close -- half of them
-- close before the server has accepted (the listen queue then holds a
-- disconnected socket).  The socket layer's locks (the listen queue,
-- the connected pair's shared lock) are exercised from several CPUs at
-- once.
--
-- It shows: every message arrives exactly once, every connection is
-- accepted, no checker reports a violation (lock misuse, lock order,
-- deadlock, KASSERT), and no AF_LOCAL sockaddr is left allocated at the
-- end (kern.sockaddr.pool.local.inuse returns to 0).
--
-- Run:   build/knit run scenarios/unix_storm.lua
--        build/knit run scenarios/unix_storm.lua -D conns=50 --strategy random --seed 7
local knit = require("knit")

local clients = knit.param("clients", 3)
local conns = knit.param("conns", 20)
local h = knit.host("h", {cpus = 4})

local expected = clients * conns
local got = {}

local server = h:spawn("server", function(p)
	local s = assert(p:socket("local", "stream"))
	assert(p:bind(s, "/tmp/storm"))
	assert(p:listen(s, 128))
	local accepted = 0
	while accepted < expected do
		local a, e = p:accept(s)
		assert(a, e)
		accepted = accepted + 1
		local msg = p:recv(a, 64)
		if msg and #msg > 0 then
			got[msg] = (got[msg] or 0) + 1
		end
		p:close(a)
	end
	p:close(s)
	return accepted
end, {cpu = 0})

-- Clients start once the server listens.
knit.sleep("100us")
local procs = {}
for c = 1, clients do
	procs[c] = h:spawn("client" .. c, function(p)
		local sent = 0
		for i = 1, conns do
			local s = assert(p:socket("local", "stream"))
			local ok, e = p:connect(s, "/tmp/storm")
			assert(ok, e)
			assert(p:send(s, c .. ":" .. i) > 0)
			sent = sent + 1
			p:close(s)
			if i % 2 == 0 then p:sleep("5us") end
		end
		return sent
	end, {cpu = 1 + (c - 1) % 3})
end

local total = 0
for c = 1, clients do total = total + procs[c]:wait() end
local accepted = server:wait()

local distinct, dup = 0, 0
for _, n in pairs(got) do
	distinct = distinct + 1
	if n > 1 then dup = dup + 1 end
end
knit.expect(total == expected, "every client sent all its messages")
knit.expect(accepted == expected, "the server accepted " .. accepted .. " of " .. expected)
knit.expect(distinct == expected and dup == 0,
	"each message arrived exactly once (" .. distinct .. " distinct, " .. dup .. " duplicated)")
local _, inuse = h:run("sysctl -n kern.sockaddr.pool.local.inuse")
knit.expect(tonumber(inuse) == 0, "no AF_LOCAL sockaddr left allocated: " .. inuse)
print(string.format("unix storm: %d clients x %d connections, %d accepted, %d messages",
	clients, conns, accepted, distinct))
