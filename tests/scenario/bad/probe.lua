knit.on_probe("no-such-probe", function(p) end)
