knit.sleep("2ms")
knit.at("1ms", function() end)
