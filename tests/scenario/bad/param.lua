local policy = knit.param("policy", "list")
local count = knit.param("count", 3)
