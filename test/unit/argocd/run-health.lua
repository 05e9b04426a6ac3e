-- Runs an Argo CD health script as Argo CD does: the object in the global `obj`, the script's return value
-- the health. Usage: lua5.4 run-health.lua <health.lua> < object.lua, where object.lua is a Lua table
-- literal (test/unit/argocd/lua-literal.ts writes it from JSON). Prints the status, then the message.
-- The script gets what Argo CD's sandbox opens (util/lua: the base functions and the table library; os only
-- in a "safe" subset, left out here): a script that used string, math, io or require would fail here too.
local script = assert(arg[1], "usage: run-health.lua <health.lua> < object.lua")
local obj = assert(load("return " .. io.read("a"), "=object", "t", {}))()

local env = {
  obj = obj,
  assert = assert, error = error, ipairs = ipairs, next = next, pairs = pairs, pcall = pcall,
  select = select, tonumber = tonumber, tostring = tostring, type = type, unpack = table.unpack,
  table = table,
}
local hs = assert(loadfile(script, "t", env))()
assert(type(hs) == "table", "the health script returns a table")
io.write(tostring(hs.status), "\n", tostring(hs.message), "\n")
