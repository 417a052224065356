-- runtime error inside a timer callback, two calls deep
local function inner() error("boom in inner") end
local function outer() inner() end
knit.after("1ms", function() outer() end)
