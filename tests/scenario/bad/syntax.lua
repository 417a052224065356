-- syntax error on line 3
local x =
knit.at(1, function() end
