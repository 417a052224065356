knit.after("3 parsecs", function() end)
