-- HTTP/1.1 pipelining, TechEmpower's shape: each write carries <depth> copies of
-- the request (default 16), and wrk counts every response.
-- Usage: wrk -s pipeline.lua http://host:port/plaintext -- 16
-- wrk records latency per batch (first request sent to last response read).
init = function(args)
  local depth = tonumber(args[1]) or 16
  local r = {}
  for i = 1, depth do
    r[i] = wrk.format()
  end
  req = table.concat(r)
end

request = function()
  return req
end
