-- POST a 1 MiB body (application/octet-stream) on every request; wrk adds the
-- Content-Length. Used against POST /echo, which streams the body back.
-- Usage: wrk -s post-1mb.lua http://host:port/echo [-- <bytes>]
init = function(args)
  local size = tonumber(args[1]) or 1048576
  wrk.method = "POST"
  wrk.body = string.rep("x", size)
  wrk.headers["Content-Type"] = "application/octet-stream"
  req = wrk.format()
end

request = function()
  return req
end
