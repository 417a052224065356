-- Prints what the sandbox makes deterministic.
local t = {}
for i, k in ipairs({"zeta", "alpha", "mid", "beta", "omega", "k1", "k2"}) do t[k] = i end
t[10] = true; t[2] = true; t[true] = "yes"; t[false] = "no"
local keys = {}
for k in pairs(t) do keys[#keys + 1] = tostring(k) end
print("pairs: " .. table.concat(keys, " "))
print("random: " .. math.random(1, 1000000) .. " " .. math.random(1, 1000000))
knit.sleep("1500ms")
print("os.time: " .. os.time() .. " os.clock: " .. os.clock())
print("io: " .. tostring(pcall(function() return io.open("/etc/passwd") end)))
print("require: " .. tostring(pcall(require, "socket")))
print("load binary: " .. tostring(load(string.dump(function() end)) ~= nil))
