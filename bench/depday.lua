-- wrk script of the deposit day (bench/depday.py): a fixed list of requests,
-- each sent once. Run with as many threads as connections (-tC -cC): each
-- connection is a thread of its own and walks its own members' pages one
-- request at a time, as a browser does. bench/depday.py writes the list,
-- one request a line,
--   CONNECTION <tab> COOKIE HEADER <tab> PATH
-- When a connection has its last answer it writes DONE_PREFIX.<connection>
-- and moves to PARK_PORT on loopback, a socket that takes connections and
-- never answers; bench/depday.py, seeing every connection's file,
-- interrupts wrk (SIGINT): the run's time is the list's, not wrk's -d (a
-- cap). A finished connection must neither stay on the server idle
-- (gunicorn closes every connection and wrk opens the next at once: a sync
-- worker would take that empty connection and wait on it until its timeout,
-- while the other connections' requests queue behind) nor keep asking
-- (its answers would be in the figures). Should the server keep a
-- connection open, the connection asks for PAD_PATH (the floor) meanwhile:
-- those answers are counted apart (`padded`), and left out of the requests.
-- Usage: wrk -tC -cC -dCAP -s bench/depday.lua URL -- LIST_FILE DONE_PREFIX PARK_PORT PAD_PATH
-- Every answer to the list that is not a 200 counts as an error.
local items = {}
local sent, received = 0, 0
local checked = false
local threads = {}
local done_file
local park_port
local pad_path
-- Globals, not locals: done() reads each thread's through thread:get().
bad = 0
padded = 0

function setup(thread)
  table.insert(threads, thread)
  thread:set("offset", #threads)
end

function init(args)
  local me = tostring(offset)
  for line in io.lines(args[1]) do
    local t, cookie, p = line:match("^(%d+)\t([^\t]*)\t(.+)$")
    if t == me then table.insert(items, {cookie, p}) end
  end
  done_file = args[2] .. "." .. me
  park_port = args[3]
  pad_path = args[4]
end

function request()
  if offset == 1 and not checked then
    -- wrk checks the script's request once before the threads run, on the
    -- first thread: that call sends nothing, so it must not use up a line.
    checked = true
    return wrk.format("GET", items[1][2], {Cookie = items[1][1]})
  end
  sent = sent + 1
  if sent <= #items then
    return wrk.format("GET", items[sent][2], {Cookie = items[sent][1]})
  end
  return wrk.format("GET", pad_path, {Cookie = items[1][1]})
end

function response(status, headers, body)
  received = received + 1
  if received > #items then
    padded = padded + 1
    return
  end
  if status ~= 200 then bad = bad + 1 end
  if received == #items then
    -- The next connection (the server closes this one) goes to the park.
    wrk.thread.addr = wrk.lookup("127.0.0.1", park_port)[1]
    local file = io.open(done_file, "w")
    file:write(tostring(received))
    file:close()
  end
end

function done(summary, latency, requests)
  local not_ok, pads = 0, 0
  for _, t in ipairs(threads) do
    not_ok = not_ok + (t:get("bad") or 0)
    pads = pads + (t:get("padded") or 0)
  end
  local e = summary.errors
  io.write(string.format(
    'JSON {"requests": %d, "padded": %d, "duration_us": %d, "bytes": %d, "not_ok": %d, "connect": %d, "read": %d, "write": %d, "timeout": %d, "p50": %d, "p95": %d, "p99": %d, "max": %d}\n',
    summary.requests, pads, summary.duration, summary.bytes, not_ok, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
