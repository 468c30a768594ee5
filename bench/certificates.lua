-- wrk script of bench/certificates.py: requests taken from a list, in turn.
-- Usage: wrk ... -s bench/certificates.lua URL -- LIST_FILE STATUS [TEXT]
-- LIST_FILE: one request a line, tab-separated: method, Cookie header (may be
-- empty), path, body (may be empty). In a body, %UUID% becomes a new random
-- UUID each time (a fresh form token: every POST issues a certificate).
-- An answer counts as an error unless its status is STATUS and, when TEXT is
-- given, its body holds TEXT (/verify/ answers a wrong code with a 200 too).
local requests = {}
local counter = 0
local status_wanted = 200
local text_wanted = nil
-- A global, not a local: done() reads each thread's through thread:get().
bad = 0
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("offset", #threads)
end

function init(args)
  for line in io.lines(args[1]) do
    local method, cookie, path, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t?(.*)$")
    if method and #method > 0 then
      table.insert(requests, {method = method, cookie = cookie, path = path, body = body})
    end
  end
  status_wanted = tonumber(args[2]) or 200
  if args[3] and #args[3] > 0 then text_wanted = args[3] end
  counter = offset or 0
  math.randomseed(os.time() * 100 + counter)
end

local function uuid4()
  local template = "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx"
  return (template:gsub("[xy]", function(c)
    local v = (c == "x") and math.random(0, 15) or math.random(8, 11)
    return string.format("%x", v)
  end))
end

function request()
  counter = counter + 1
  local r = requests[(counter % #requests) + 1]
  local headers = {}
  if #r.cookie > 0 then headers["Cookie"] = r.cookie end
  local body = nil
  if #r.body > 0 then
    body = (r.body:gsub("%%UUID%%", uuid4))
    headers["Content-Type"] = "application/x-www-form-urlencoded"
  end
  return wrk.format(r.method, r.path, headers, body)
end

function response(status, headers, body)
  if status ~= status_wanted or (text_wanted and not string.find(body, text_wanted, 1, true)) then
    bad = bad + 1
  end
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
