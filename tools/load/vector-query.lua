-- wrk script: POST /collections/<c>/points/query with query vectors read from a file of JSON
-- arrays (one per line), cycling through them.
local bodies = {}
local path = os.getenv("LOAD_PATH") or "/collections/load/points/query"
local file = os.getenv("LOAD_QUERIES")
local kind = os.getenv("LOAD_KIND") or "vector"
local model = os.getenv("LOAD_MODEL") or "all-MiniLM-L6-v2"

for line in io.lines(file) do
  if kind == "text" then
    bodies[#bodies + 1] = '{"query":{"text":' .. line .. ',"model":"' .. model .. '"},"limit":10,"with_payload":false}'
  else
    bodies[#bodies + 1] = '{"query":' .. line .. ',"limit":10,"with_payload":false}'
  end
end

local counter = 0
local headers = { ["Content-Type"] = "application/json" }

request = function()
  counter = counter + 1
  return wrk.format("POST", path, headers, bodies[(counter % #bodies) + 1])
end

local non2xx = 0
response = function(status, headers, body)
  if status ~= 200 then non2xx = non2xx + 1 end
end

done = function(summary, latency, requests)
  io.write(string.format('{"requests":%d,"seconds":%.3f,"qps":%.1f,"p50_ms":%.3f,"p99_ms":%.3f,"errors":%d}\n',
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status + summary.errors.timeout))
end
