-- wrk script for benches/gateway.sh: POST /launch as a trusted proxy would
-- send it, count the answers that are not 303, and print one RESULT line.
--
--   LAUNCH_USER=bench wrk -t2 -c16 -d10s -s benches/gateway.lua http://GATEWAY/launch
--
-- A POST with neither Origin nor Sec-Fetch-Site is not from a browser, so
-- the gateway accepts it without a same-origin check.

wrk.method = "POST"
wrk.body = "console=dtc"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Remote-User"] = os.getenv("LAUNCH_USER") or "bench"

-- Each thread stops after this many answers (0: run for wrk's -d).
local limit = tonumber(os.getenv("LAUNCHES_PER_THREAD") or "0")

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  answers = 0
  not_303 = 0
  other_status = 0
end

function response(status, headers, body)
  answers = answers + 1
  if status ~= 303 then
    not_303 = not_303 + 1
    other_status = status
  end
  if limit > 0 and answers >= limit then
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local n, bad, other = 0, 0, 0
  for _, thread in ipairs(threads) do
    n = n + thread:get("answers")
    bad = bad + thread:get("not_303")
    if thread:get("other_status") ~= 0 then
      other = thread:get("other_status")
    end
  end
  local e = summary.errors
  io.write(string.format(
    "RESULT responses=%d failures=%d seconds=%.3f p50_us=%d p99_us=%d other_status=%d socket_errors=%d\n",
    n, bad, summary.duration / 1e6, latency:percentile(50), latency:percentile(99), other,
    e.connect + e.read + e.write + e.timeout))
end
