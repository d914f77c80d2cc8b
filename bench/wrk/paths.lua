-- Public reads: cycles through the paths in JCM_PATHS (separated by spaces).
local paths = {}
for p in string.gmatch(os.getenv("JCM_PATHS") or "/", "%S+") do
  table.insert(paths, p)
end
local i = 0

request = function()
  i = i + 1
  return wrk.format("GET", paths[(i % #paths) + 1])
end

done = function(summary, latency, requests)
  io.write("JCM-LATENCY-P99-US ", latency:percentile(99), "\n")
  io.write("JCM-LATENCY-P50-US ", latency:percentile(50), "\n")
end
