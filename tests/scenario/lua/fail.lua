-- One expectation fails at 1ms: the run fails (exit 1).
knit.after("1ms", function()
	knit.expect(1 + 1 == 3, "arithmetic is broken")
end)
knit.expect(true, "this one holds")
