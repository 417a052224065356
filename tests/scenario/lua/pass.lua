-- A scenario whose expectations hold: timers, waiting, parameters.
local knit = require("knit")
local n = knit.param("n", 3)
local fired = {}
knit.at("2ms", function(tag) fired[#fired + 1] = tag .. "@" .. knit.now() end, "a")
knit.after(0.001, function() fired[#fired + 1] = "b@" .. knit.now() end)
knit.sleep("5ms")
knit.expect(knit.now() == 5000000, "main woke at 5ms")
knit.expect(table.concat(fired, ",") == "b@1000000,a@2000000", "timers in time order")
knit.expect(n == 3, "n is 3 (run with -D n=4 to fail)")
knit.run()
print("done at " .. knit.fmt_time(knit.now()))
