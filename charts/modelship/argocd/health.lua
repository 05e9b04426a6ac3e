-- Argo CD health check for modelship.io/ModelDeployment (install: README.md beside this file).
-- It reads only status, and agrees with kstatus (Helm 4, Flux): a status for an older generation,
-- Reconciling=True or a moving canary is Progressing; Stalled=True is Degraded. Argo CD adds what kstatus
-- cannot say: a canary held for a person (a pause step, or analysis inconclusive too often) is Suspended,
-- as Argo Rollouts' paused Rollouts are. Lua 5.1 only (Argo CD runs gopher-lua): no goto, no integer ops.
local hs = {}

local function condition(status, type)
  if status.conditions == nil then
    return nil
  end
  for _, c in ipairs(status.conditions) do
    if c.type == type then
      return c
    end
  end
  return nil
end

local function result(health, message)
  hs.status = health
  hs.message = message
  return hs
end

local status = obj.status
if status == nil then
  return result("Progressing", "Waiting for the modelship operator to report status")
end

local generation = obj.metadata.generation
if generation ~= nil and status.observedGeneration ~= nil and status.observedGeneration ~= generation then
  return result("Progressing", "Waiting for the operator to act on generation " .. generation
    .. " (observed " .. status.observedGeneration .. ")")
end

local stalled = condition(status, "Stalled")
if stalled ~= nil and stalled.status == "True" then
  return result("Degraded", stalled.message or stalled.reason or "Stalled")
end

local canary = status.canary
if canary ~= nil and canary.phase == "Paused" then
  return result("Suspended", canary.message or "The canary is paused")
end

local reconciling = condition(status, "Reconciling")
if reconciling ~= nil and reconciling.status == "True" then
  return result("Progressing", reconciling.message or reconciling.reason or "Reconciling")
end
if canary ~= nil and (canary.phase == "Progressing" or canary.phase == "Promoting") then
  return result("Progressing", canary.message or ("The canary is " .. canary.phase))
end

local ready = condition(status, "Ready")
if ready ~= nil and ready.status == "True" then
  return result("Healthy", ready.message or "Ready")
end
if ready ~= nil then
  return result("Progressing", ready.message or ready.reason or "Not ready yet")
end
return result("Progressing", "Waiting for the Ready condition")
