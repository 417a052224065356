knit.host("r1")
local h = knit.get_host("r9")
