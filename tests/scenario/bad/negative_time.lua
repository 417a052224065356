knit.after("-3ms", function() end)
