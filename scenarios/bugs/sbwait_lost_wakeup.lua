-- Bug corpus: a lost wakeup in sbwait (debug.bug.sbwait_lost_wakeup).
--
-- A server on CPU 0 accepts one Unix stream connection, waits for one
-- message and answers it; the client on CPU 1 sends the message and
-- waits for the answer.  With the bug on, sbwait drops the socket lock
-- before sleeping: when the client's send (and its sorwakeup) lands in
-- that window, the server sleeps on data that is already there, the
-- client waits for an answer that never comes, and the run ends with
-- both asleep (the main chunk never finishes).  The default schedule
-- does not hit the window; knit explore does.
--
--   knit explore scenarios/bugs/sbwait_lost_wakeup.lua -D bug=1
--   knit explore scenarios/bugs/sbwait_lost_wakeup.lua -D bug=0   (clean)
local knit = require("knit")

local bug = knit.param("bug", 1)
local h = knit.host("h", {cpus = 2,
	sysctl = {["debug.bug.sbwait_lost_wakeup"] = bug}})

local server = h:spawn("server", function(p)
	local s = assert(p:socket("local", "stream"))
	assert(p:bind(s, "/tmp/lw"))
	assert(p:listen(s, 4))
	local a = assert(p:accept(s))
	local msg = p:recv(a, 64)
	assert(p:send(a, "re:" .. msg) > 0)
	p:close(a)
	p:close(s)
	return msg
end, {cpu = 0})

knit.sleep("10us")
local client = h:spawn("client", function(p)
	local s = assert(p:socket("local", "stream"))
	while not p:connect(s, "/tmp/lw") do	-- until the server listens
		p:close(s)
		p:sleep("5us")
		s = assert(p:socket("local", "stream"))
	end
	assert(p:send(s, "ping") > 0)
	local reply = p:recv(s, 64)
	p:close(s)
	return reply
end, {cpu = 1})

knit.expect(server:wait() == "ping", "the server got the message")
knit.expect(client:wait() == "re:ping", "the client got the answer")
