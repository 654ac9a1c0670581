#!/usr/bin/env bash
# Throughput and latency over loopback: wrk against the release-built local runtime (the same
# routers the Lambdas run, with the embedded store and the Twilio simulator), for the CRM lookup
# (the screen pop) and the incoming-call webhook. Run by `tests/bench loopback`; needs `wrk`
# (Debian package). Figures are printed, never asserted.
#
# The webhook is sent with one signed body (wrk cannot sign each request), so after the first
# request it takes the path of a webhook Twilio retries: signature checked, caller looked up, the
# call found already recorded, the caller parked — the same work less one write.
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v wrk > /dev/null || { echo "wrk is not installed (apt-get install wrk)" >&2; exit 2; }
cargo build -q --release -p local
data=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
target/release/local --data "$data/console.sqlite" --port "$port" > "$data/local.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$data"' EXIT
base="http://127.0.0.1:$port"
for _ in $(seq 200); do curl -sf "$base/config.json" > /dev/null && break; sleep 0.1; done
token=$(curl -sf -XPOST "$base/api/dev/sign-in" -H 'content-type: application/json' -d '{"user_id":"op-sato"}' |
  python3 -c 'import sys, json; print(json.load(sys.stdin)["token"])')
secret="$data/console.secret"
# The simulator's auth token derives from the runtime's dev secret, as the runtime computes it.
auth=$(python3 - "$secret" <<'PY'
import hashlib, sys
seed = open(sys.argv[1], "rb").read()
print(hashlib.sha256(b"auth token" + seed).hexdigest()[:32])
PY
)
body='AccountSid=AC00000000000000000000000000000000&ApiVersion=2010-04-01&CallSid=CA0123456789abcdef0123456789abcdef&CallStatus=ringing&Called=%2B81368000001&Caller=%2B81312345678&Direction=inbound&From=%2B81312345678&To=%2B81368000001'
signature=$(python3 - "$auth" "$base/twilio/voice/incoming" "$body" <<'PY'
import base64, hashlib, hmac, sys, urllib.parse
token, url, body = sys.argv[1:]
params = sorted(urllib.parse.parse_qsl(body))
data = url + "".join(k + v for k, v in params)
print(base64.b64encode(hmac.new(token.encode(), data.encode(), hashlib.sha1).digest()).decode())
PY
)
status=$(curl -s -o /dev/null -w '%{http_code}' -XPOST "$base/twilio/voice/incoming" -H "x-twilio-signature: $signature" \
  -H 'content-type: application/x-www-form-urlencoded' --data "$body")
[ "$status" = 200 ] || { echo "the signed webhook was refused ($status)" >&2; exit 1; }
cat > "$data/post.lua" <<LUA
wrk.method = "POST"
wrk.body = "$body"
wrk.headers["content-type"] = "application/x-www-form-urlencoded"
wrk.headers["x-twilio-signature"] = "$signature"
LUA
echo
echo "wrk over loopback, 2 threads, 16 connections, 10 s each (release build, embedded store)"
echo
echo "### GET /api/crm/lookup (screen pop)"
wrk -t2 -c16 -d10s --latency -H "authorization: Bearer $token" "$base/api/crm/lookup?phone=03-1234-5678" |
  grep -E "Requests/sec|Latency  |50%|99%|Non-2xx"
echo
echo "### POST /twilio/voice/incoming (signed webhook)"
wrk -t2 -c16 -d10s --latency -s "$data/post.lua" "$base/twilio/voice/incoming" |
  grep -E "Requests/sec|Latency  |50%|99%|Non-2xx"
