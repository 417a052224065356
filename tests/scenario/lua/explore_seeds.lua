-- Fails in two different ways depending on the run's seed (about one
-- run in ten each): knit explore must find and group both.
local r = math.random(1, 10)
if r == 3 then knit.fail("three") end
if r == 7 then knit.fail("seven") end
