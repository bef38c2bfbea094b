-- wrk script for the signing scenario: every request a fresh, valid signature (a unique address that
-- starts with random characters, as real addresses are spread over the index; five countries; half
-- opted in; one in ten with a comment). Arguments: the form's path and a run id.
local path, run = "/campaigns/amazon-ring/signatures", "bench"
local n = 0
local places = { { "US", "12345" }, { "GB", "SW1A+1AA" }, { "DE", "10115" }, { "FR", "75001" }, { "CA", "K1A+0B1" } }
local headers = { ["Content-Type"] = "application/x-www-form-urlencoded" }

function init(args)
  path = args[1] or path
  run = args[2] or run
  math.randomseed(os.time() + tonumber(string.sub(run, -6), 36))
end

function request()
  n = n + 1
  local place = places[(n % #places) + 1]
  local body = "started=&website=&first_name=Bench&last_name=Signer+" .. n
    .. "&email=" .. string.format("%08x", math.random(0, 2147483647)) .. ".wrk-" .. run .. "-" .. n .. "%40example.org"
    .. "&country=" .. place[1] .. "&postal_code=" .. place[2]
    .. (n % 10 == 0 and "&comment=Signed+during+a+load+test." or "&comment=")
    .. (n % 2 == 1 and "&updates=yes" or "")
  return wrk.format("POST", path, headers, body)
end
