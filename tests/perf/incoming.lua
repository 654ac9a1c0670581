-- wrk script: every request is a new incoming call, signed as Twilio signs it. The CallSid is
-- unique per request (run, thread, counter), and X-Twilio-Signature is HMAC-SHA1 over the public
-- URL and the sorted parameters, keyed with the account's auth token, so each request takes the
-- webhook's full path: signature checked, caller looked up, call recorded and queued, TwiML.
--
-- Environment: WEBHOOK_URL (the URL the server checks signatures against), TWILIO_AUTH_TOKEN,
-- CALLER (E.164, default +81312345678), RUN (8 hex digits telling runs apart).

local bit = require("bit")
local band, bor, bxor, bnot = bit.band, bit.bor, bit.bxor, bit.bnot
local rol, tobit = bit.rol, bit.tobit
local byte, char, format = string.byte, string.char, string.format

local function sha1(msg)
  local h0, h1, h2, h3, h4 = 0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0
  local len = #msg
  msg = msg .. "\128" .. string.rep("\0", (55 - len) % 64)
  local bits = len * 8
  msg = msg .. char(0, 0, 0, 0,
    band(bit.rshift(bits, 24), 255), band(bit.rshift(bits, 16), 255),
    band(bit.rshift(bits, 8), 255), band(bits, 255))
  local w = {}
  for chunk = 1, #msg, 64 do
    for i = 0, 15 do
      local a, b, c, d = byte(msg, chunk + i * 4, chunk + i * 4 + 3)
      w[i] = bor(bit.lshift(a, 24), bit.lshift(b, 16), bit.lshift(c, 8), d)
    end
    for i = 16, 79 do
      w[i] = rol(bxor(w[i - 3], w[i - 8], w[i - 14], w[i - 16]), 1)
    end
    local a, b, c, d, e = h0, h1, h2, h3, h4
    for i = 0, 79 do
      local f, k
      if i < 20 then
        f, k = bor(band(b, c), band(bnot(b), d)), 0x5A827999
      elseif i < 40 then
        f, k = bxor(b, c, d), 0x6ED9EBA1
      elseif i < 60 then
        f, k = bor(band(b, c), band(b, d), band(c, d)), 0x8F1BBCDC
      else
        f, k = bxor(b, c, d), 0xCA62C1D6
      end
      local t = tobit(rol(a, 5) + f + e + k + w[i])
      e, d, c, b, a = d, c, rol(b, 30), a, t
    end
    h0, h1, h2, h3, h4 = tobit(h0 + a), tobit(h1 + b), tobit(h2 + c), tobit(h3 + d), tobit(h4 + e)
  end
  local out = {}
  for _, h in ipairs({ h0, h1, h2, h3, h4 }) do
    out[#out + 1] = char(band(bit.rshift(h, 24), 255), band(bit.rshift(h, 16), 255),
      band(bit.rshift(h, 8), 255), band(h, 255))
  end
  return table.concat(out)
end

local function hmac_sha1(key, msg)
  key = key .. string.rep("\0", 64 - #key)
  local ipad, opad = {}, {}
  for i = 1, 64 do
    ipad[i] = char(bxor(byte(key, i), 0x36))
    opad[i] = char(bxor(byte(key, i), 0x5c))
  end
  return sha1(table.concat(opad) .. sha1(table.concat(ipad) .. msg))
end

local alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
local function base64(s)
  local out = {}
  for i = 1, #s, 3 do
    local a, b, c = byte(s, i, i + 2)
    local n = a * 65536 + (b or 0) * 256 + (c or 0)
    local q = { bit.rshift(n, 18), band(bit.rshift(n, 12), 63), band(bit.rshift(n, 6), 63), band(n, 63) }
    for j = 1, 4 do
      out[#out + 1] = alphabet:sub(q[j] + 1, q[j] + 1)
    end
    if not b then
      out[#out - 1], out[#out] = "=", "="
    elseif not c then
      out[#out] = "="
    end
  end
  return table.concat(out)
end

local url = os.getenv("WEBHOOK_URL")
local token = os.getenv("TWILIO_AUTH_TOKEN")
local caller = os.getenv("CALLER") or "+81312345678"
local run = os.getenv("RUN") or "00000000"
local encoded_caller = caller:gsub("%+", "%%2B")

local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("thread_id", threads)
end

local counter = 0
function request()
  counter = counter + 1
  local sid = format("CA%s%04x%020d", run, thread_id or 0, counter)
  -- Parameters in the sorted order Twilio signs them in.
  local signed = url
    .. "AccountSidAC00000000000000000000000000000000"
    .. "ApiVersion2010-04-01"
    .. "CallSid" .. sid
    .. "CallStatusringing"
    .. "Called+81368000001"
    .. "Caller" .. caller
    .. "Directioninbound"
    .. "From" .. caller
    .. "To+81368000001"
  local body = "AccountSid=AC00000000000000000000000000000000&ApiVersion=2010-04-01&CallSid=" .. sid
    .. "&CallStatus=ringing&Called=%2B81368000001&Caller=" .. encoded_caller
    .. "&Direction=inbound&From=" .. encoded_caller .. "&To=%2B81368000001"
  return wrk.format("POST", nil, {
    ["content-type"] = "application/x-www-form-urlencoded",
    ["x-twilio-signature"] = base64(hmac_sha1(token, signed)),
  }, body)
end
