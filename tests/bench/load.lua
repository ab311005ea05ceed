-- wrk script of the benchmark (tests/bench/run.py), configured by environment variables:
--   BENCH_REQUESTS       file of requests, one per line: METHOD <tab> PATH <tab> BODY (may be
--                        empty); each connection cycles through them from a random start
--   BENCH_IF_NONE_MATCH  sent as If-None-Match (a conditional GET)
--   BENCH_TOKEN          sent as Authorization: Bearer
--   BENCH_ACCEPT_ENCODING  sent as Accept-Encoding (none by default: identity)
--   BENCH_UNIQUE         "1": each GET gets a distinct, ignored `_bench` query parameter, so
--                        that no request is answered from a response cache
-- done() prints one line, "BENCH {json}", that the harness reads.

local requests = {}
local paths = {}
local counter = 0
local unique = os.getenv("BENCH_UNIQUE") == "1"
local thread_count = 0

function setup(thread)
  thread_count = thread_count + 1
  thread:set("thread_id", thread_count)
end

function init(args)
  local headers = {}
  local etag = os.getenv("BENCH_IF_NONE_MATCH")
  if etag and etag ~= "" then headers["If-None-Match"] = etag end
  local token = os.getenv("BENCH_TOKEN")
  if token and token ~= "" then headers["Authorization"] = "Bearer " .. token end
  local encoding = os.getenv("BENCH_ACCEPT_ENCODING")
  if encoding and encoding ~= "" then headers["Accept-Encoding"] = encoding end
  local file = os.getenv("BENCH_REQUESTS")
  for line in io.lines(file) do
    local method, path, body = line:match("^([^\t]*)\t([^\t]*)\t?(.*)$")
    if method then
      local h = {}
      for k, v in pairs(headers) do h[k] = v end
      if body == "" then
        body = nil
      else
        h["Content-Type"] = "application/json"
      end
      table.insert(requests, wrk.format(method, path, h, body))
      table.insert(paths, {method = method, path = path, headers = h})
    end
  end
  math.randomseed(os.time() * 100 + (thread_id or 0))
  counter = math.random(#requests) - 1
end

function request()
  counter = counter + 1
  local index = (counter % #requests) + 1
  if unique then
    local p = paths[index]
    local sep = p.path:find("?", 1, true) and "&" or "?"
    return wrk.format(p.method, p.path .. sep .. "_bench=" .. (thread_id or 0) .. "-" .. counter,
      p.headers)
  end
  return requests[index]
end

function done(summary, latency, requests_)
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests": %d, "duration_us": %d, "bytes": %d, "p50_us": %d, "p90_us": %d, ' ..
    '"p99_us": %d, "max_us": %d, "mean_us": %.1f, "errors_connect": %d, "errors_read": %d, ' ..
    '"errors_write": %d, "errors_status": %d, "errors_timeout": %d}\n',
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    latency.mean, e.connect, e.read, e.write, e.status, e.timeout))
end
