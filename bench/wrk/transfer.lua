-- One single-unit transfer per request, each with its own idempotency key.
-- Environment: JCM_TOKEN, JCM_SOURCE, JCM_DESTINATION.
local counter = 0
local thread_id = 0
local token = os.getenv("JCM_TOKEN")
local source = os.getenv("JCM_SOURCE")
local destination = os.getenv("JCM_DESTINATION")

function setup(thread)
  thread_id = thread_id + 1
  thread:set("tid", thread_id)
end

function init(args)
  math.randomseed(os.time() + (tid or 0))
  prefix = string.format("bench-%d-%d-", tid or 0, math.random(1, 1000000000))
end

request = function()
  counter = counter + 1
  local body = string.format(
    '{"source":"%s","destination":"%s","quantity":1}', source, destination)
  local headers = {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. token,
    ["Idempotency-Key"] = prefix .. counter,
  }
  return wrk.format("POST", "/api/v1/transfers", headers, body)
end

statuses = {}
response = function(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

done = function(summary, latency, requests)
  io.write("JCM-LATENCY-P99-US ", latency:percentile(99), "\n")
  io.write("JCM-LATENCY-P50-US ", latency:percentile(50), "\n")
end
