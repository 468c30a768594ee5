-- wrk script: one path, requests spread over several logged-in members.
-- SESSIONS_FILE holds one Cookie header per line (session and CSRF cookies).
-- Usage: wrk ... -s bench/journey.lua URL -- SESSIONS_FILE PATH
-- Every response that is not 200 counts as an error (a 302 to the login
-- page would otherwise look like a fast success).
local sessions = {}
local path = "/"
local counter = 0
-- A global, not a local: done() reads each thread's through thread:get(),
-- which sees only globals (as a local it always read 0).
bad = 0
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("offset", #threads)
end

function init(args)
  for line in io.lines(args[1]) do
    if #line > 0 then table.insert(sessions, line) end
  end
  path = args[2]
  counter = offset or 0
  math.randomseed(os.time() * 100 + counter)
end

function request()
  counter = counter + 1
  local p = path
  if string.find(p, "%RANDEND%", 1, true) then
    -- A plan end date nobody asked for before (see COLD_PRINT in run.py).
    p = string.gsub(p, "%%RANDEND%%", string.format("%d-%02d-%02d", 2030 + math.random(0, 40), counter % 12 + 1, math.random(1, 28)))
  end
  local headers = {}
  if #sessions > 0 then
    headers["Cookie"] = sessions[(counter % #sessions) + 1]
  end
  return wrk.format("GET", p, headers)
end

function response(status, headers, body)
  if status ~= 200 then bad = bad + 1 end
end

function done(summary, latency, requests)
  local not_ok = 0
  for _, t in ipairs(threads) do not_ok = not_ok + (t:get("bad") or 0) end
  local e = summary.errors
  io.write(string.format(
    'JSON {"requests": %d, "duration_us": %d, "bytes": %d, "not_ok": %d, "connect": %d, "read": %d, "write": %d, "timeout": %d, "p50": %d, "p95": %d, "p99": %d, "max": %d}\n',
    summary.requests, summary.duration, summary.bytes, not_ok, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
