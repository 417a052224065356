-- Prints what the sandbox makes deterministic.
local t = {}
for i, k in ipairs({"zeta", "alpha", "mid", "beta", "omega", "k1", "k2"}) do t[k] = i end
t[10] = true; t[2] = true; t[true] = "yes"; t[false] = "no"
local keys = {}
for k in pairs(t) do keys[#keys + 1] = tostring(k) end
print("pairs: " .. table.concat(keys, " "))
-- integers and floats interleave by value; strings in byte order with
-- embedded zeros ("a" < "a\0a" < "a\0b" < "ab"), uppercase first
local m = {[1.5] = 1, [2] = 1, [-3] = 1, [10] = 1, [0.25] = 1,
	[math.huge] = 1, [-math.huge] = 1, [2^53] = 1, [2^53 + 1] = 1,
	a = 1, ["a\0b"] = 1, ["a\0a"] = 1, [""] = 1, B = 1, ab = 1}
local mk = {}
for k in pairs(m) do mk[#mk + 1] = (tostring(k):gsub("%z", "0")) end
print("pairs mixed: " .. table.concat(mk, " "))
-- many keys (inserted out of order), some removed during the walk: the
-- walk skips them and stays in order
local big, n, prev, ok = {}, 0, nil, true
for i = 0, 299 do big[(i * 7919) % 300 + 1] = i; big["k" .. (i * 104729) % 1000] = i end
for k in pairs(big) do
	if type(k) == "number" and k % 2 == 1 then big[k + 1] = nil end
	if type(k) == "number" and k % 2 == 0 then ok = false end
	if prev ~= nil and type(prev) == type(k) and not (prev < k) then ok = false end
	if prev ~= nil and type(prev) == "string" and type(k) == "number" then ok = false end
	prev = k; n = n + 1
end
print("pairs big: " .. n .. " " .. tostring(ok))
print("random: " .. math.random(1, 1000000) .. " " .. math.random(1, 1000000))
knit.sleep("1500ms")
print("os.time: " .. os.time() .. " os.clock: " .. os.clock())
print("io: " .. tostring(pcall(function() return io.open("/etc/passwd") end)))
print("require: " .. tostring(pcall(require, "socket")))
print("load binary: " .. tostring(load(string.dump(function() end)) ~= nil))
