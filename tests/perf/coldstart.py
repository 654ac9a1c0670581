"""Cold start and warm latency of every function, next to a Node.js peer, through a Lambda
Runtime API harness on loopback.

Each function binary (the release build Lambda runs) is started as Lambda starts it: environment
from the deployment (table, public URL, Twilio secret ARN), `AWS_LAMBDA_RUNTIME_API` pointing at
this harness, the store and Secrets Manager answered by moto on loopback. The clock runs from
spawning the process to the harness receiving the first response (cold start: process start,
secret read, clients built, first request handled with its store requests); then the same process
answers more invocations (warm latency: from handing out the event to receiving the response).
Peak memory is the process's VmHWM. Every store and
Secrets Manager request goes through a timing proxy in front of moto, so the time a start spent
waiting on moto (slow: tens of milliseconds a request, where DynamoDB in the function's region
answers in a few) is printed beside it, and the start's own time (cold start minus that wait)
is compared too. The Node.js peer (`node-peer/index.mjs`, the incoming-call
webhook as Twilio's docs write it) runs through the same harness with the same event.

The environment is Lambda's: in particular no `SSL_CERT_FILE` or `SSL_CERT_DIR` (Lambda sets
neither), even when the shell running the harness has them — with one set, every function
reads and parses that CA bundle or directory at start (see shared/src/tls.rs), 3-5 ms of
voice's CPU on this machine that a deployed function never spends. `--ca-from-env` passes them on, to
measure that path.

`--breakdown` says where each function's CPU goes before its first answer: `perf record` runs
system-wide during its starts and every sample of the function's processes (all threads) is put
in a phase by its call stack — process start (kernel exec, dynamic loader, libc), logging,
AWS configuration, TLS roots and the SDK's connectors, SDK clients built, the start's own
requests (the Twilio secret), the phone-number library, the first request's store requests,
the rest of the first request, process exit — with the share of each that was page faults.
It needs perf and a build with symbols and frame pointers, e.g.
  CARGO_TARGET_DIR=target/breakdown CARGO_PROFILE_RELEASE_STRIP=false \
    RUSTFLAGS="-C force-frame-pointers=yes" cargo build --release -p voice
  python coldstart.py --bin-dir target/breakdown/release --only voice --warm 0 --breakdown
Sampling slows the process, so its milliseconds are larger than the table's CPU column: read
the shares.

Figures are printed as tables with ratios, never asserted: the machine is shared and noisy.

usage: python coldstart.py --bin-dir target/release [--starts 20] [--warm 200] [--only NAME…]
                           [--ca-from-env] [--breakdown]
(run by `tests/bench coldstart`, which builds the binaries and the peer first)
"""

import argparse
import base64
import collections
import re
import shutil
import tempfile
import http.client
import hashlib
import hmac
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
TABLE = "console-bench"
BASE = "https://voice.example.jp"
AUTH_TOKEN = "0123456789abcdef0123456789abcdef"
SECRET = {
    "account_sid": "AC" + "1" * 32,
    "api_key_sid": "SK" + "2" * 32,
    "api_key_secret": "bench-api-key-secret",
    "auth_token": AUTH_TOKEN,
    "twiml_app_sid": "AP" + "3" * 32,
}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class QuietHandler(BaseHTTPRequestHandler):
    """HTTP/1.1 with keep-alive, no access log."""

    protocol_version = "HTTP/1.1"
    # Headers and body go out as separate writes: with Nagle's algorithm on, the body waits for
    # the client's delayed ACK (40 ms on Linux) and every request looks slow.
    disable_nagle_algorithm = True

    def log_message(self, *args):
        pass


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # A process killed while its long poll or a store request waits resets the connection:
        # expected.
        pass


class RuntimeApi:
    """The Lambda Runtime API for one process: hands out `events` in order, records when each
    was handed out and when its response came back."""

    def __init__(self, events):
        self.events = list(events)
        self.handed = []
        self.asked = []
        self.answered = []
        self.errors = []
        self.done = threading.Event()
        self.first = threading.Event()
        api = self

        class Handler(QuietHandler):

            def do_GET(self):
                if not self.path.endswith("/runtime/invocation/next"):
                    self.send_error(404)
                    return
                api.asked.append(time.perf_counter())
                index = len(api.handed)
                if index >= len(api.events):
                    api.done.wait()
                    self.send_error(410)
                    return
                body = json.dumps(api.events[index]).encode()
                api.handed.append(time.perf_counter())
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Lambda-Runtime-Aws-Request-Id", f"req-{index}")
                self.send_header("Lambda-Runtime-Deadline-Ms", str(int(time.time() * 1000) + 30000))
                self.send_header("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:ap-northeast-1:123456789012:function:bench")
                self.send_header("Lambda-Runtime-Trace-Id", "Root=1-00000000-000000000000000000000000")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                now = time.perf_counter()
                if self.path.endswith("/response"):
                    api.answered.append((now, body))
                    if len(api.answered) == len(api.events):
                        api.done.set()
                    api.first.set()
                else:
                    api.errors.append(body.decode(errors="replace"))
                    api.first.set()
                    api.done.set()
                self.send_response(202)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = QuietServer(("127.0.0.1", 0), Handler)
        self.address = f"127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.done.set()
        self.server.shutdown()
        self.server.server_close()


class StoreTimer:
    """A forwarding HTTP proxy in front of moto that records when each request waited for it;
    overlapping requests (a function's parallel reads) count once."""

    def __init__(self, upstream):
        self.upstream = urllib.parse.urlsplit(upstream)
        self.lock = threading.Lock()
        self.intervals = []
        timer = self

        class Handler(QuietHandler):

            def forward(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("connection", "keep-alive")}
                conn = getattr(self, "upstream_conn", None)
                if conn is None:
                    conn = self.upstream_conn = http.client.HTTPConnection(timer.upstream.hostname, timer.upstream.port)
                started = time.perf_counter()
                conn.request(self.command, self.path, body=body, headers=headers)
                reply = conn.getresponse()
                data = reply.read()
                with timer.lock:
                    timer.intervals.append((started, time.perf_counter()))
                self.send_response(reply.status)
                for k, v in reply.getheaders():
                    if k.lower() not in ("connection", "keep-alive", "transfer-encoding", "content-length"):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = forward

        self.server = QuietServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def take(self):
        """Seconds during which at least one request waited, and the number of requests, since the
        last call."""
        with self.lock:
            intervals, self.intervals = sorted(self.intervals), []
        waited, end = 0.0, float("-inf")
        for start, stop in intervals:
            if stop > end:
                waited += stop - max(start, end)
                end = stop
        return waited, len(intervals)


def signature(url, params):
    data = url + "".join(k + v for k, v in sorted(params.items()))
    return base64.b64encode(hmac.new(AUTH_TOKEN.encode(), data.encode(), hashlib.sha1).digest()).decode()


def http_event(method, path, query="", body=None, headers=None, claims=None):
    event = {
        "version": "2.0",
        "routeKey": f"{method} {path}",
        "rawPath": path,
        "rawQueryString": query,
        "headers": {"host": "api.example.jp", "user-agent": "bench", **(headers or {})},
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "bench",
            "domainName": "api.example.jp",
            "domainPrefix": "api",
            "http": {"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1", "userAgent": "bench"},
            "requestId": "bench",
            "routeKey": f"{method} {path}",
            "stage": "$default",
            "time": "24/Nov/2026:00:00:00 +0000",
            "timeEpoch": 1795392000000,
        },
        "isBase64Encoded": False,
    }
    if query:
        event["queryStringParameters"] = dict(urllib.parse.parse_qsl(query))
    if body is not None:
        event["body"] = body
    if claims:
        event["requestContext"]["authorizer"] = {"jwt": {"claims": claims, "scopes": None}}
    return event


def incoming_events(n):
    """Incoming-call webhooks, each a new call from a number the CRM does not know."""
    out = []
    for i in range(n):
        params = {
            "AccountSid": SECRET["account_sid"],
            "ApiVersion": "2010-04-01",
            "CallSid": "CA%032x" % (0xBE7C4 * 1_000_000 + i + int(time.time() * 1000) % 1_000_000 * 1000),
            "CallStatus": "ringing",
            "Called": "+81368000001",
            "Caller": "+81355550000",
            "Direction": "inbound",
            "From": "+81355550000",
            "To": "+81368000001",
        }
        path = "/twilio/voice/incoming"
        out.append(
            http_event(
                "POST",
                path,
                body=urllib.parse.urlencode(params),
                headers={
                    "content-type": "application/x-www-form-urlencoded",
                    "x-twilio-signature": signature(BASE + path, params),
                },
            )
        )
    return out


# The user pool (on moto) the users function lists and the issuer the live authorizer trusts.
USER_POOL = {"id": "ap-northeast-1_bench"}

OPERATOR = {"sub": "op-bench", "name": "ベンチ 太郎", "cognito:groups": "[operator]"}
ADMIN = {"sub": "admin-bench", "name": "管理 花子", "cognito:groups": "[admin]"}

# One representative request per function: (package, event factory, what a good answer is).
API_REQUESTS = {
    "crm": lambda: http_event("GET", "/api/crm/lookup", "phone=03-5555-0000", claims=OPERATOR),
    "history": lambda: http_event("GET", "/api/history/calls", "phone=03-5555-0000", claims=OPERATOR),
    "settings": lambda: http_event("GET", "/api/settings", claims=OPERATOR),
    "memos": lambda: http_event("GET", "/api/memos/CA" + "9" * 32, claims=OPERATOR),
    "operators": lambda: http_event("GET", "/api/operators/me", claims=OPERATOR),
    "calls": lambda: http_event("GET", "/api/calls/current", claims=OPERATOR),
    "token": lambda: http_event("GET", "/api/token", claims=OPERATOR),
    "call-lists": lambda: http_event("GET", "/api/call-lists", claims=ADMIN),
    "users": lambda: http_event("GET", "/api/users", claims=ADMIN),
}


def live_connect_events(n):
    """`$connect` of the live channel's routes, as API Gateway sends it after the authorizer allowed it."""
    return [
        {
            "requestContext": {
                "routeKey": "$connect",
                "eventType": "CONNECT",
                "connectionId": f"bench-{i}-{time.time_ns()}=",
                "requestId": "bench",
                "apiId": "bench",
                "stage": "live",
                "domainName": "live.example.jp",
                "authorizer": {"sub": OPERATOR["sub"], "role": "operator", "name": OPERATOR["name"], "principalId": OPERATOR["sub"]},
            },
            "headers": {"Sec-WebSocket-Protocol": "console.v1"},
            "isBase64Encoded": False,
        }
        for i in range(n)
    ]


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class Issuer:
    """An OpenID issuer on loopback for the live channel's authorizer: an RSA key, its JWKS at
    `{issuer}/.well-known/jwks.json`, and ID tokens signed with it (as Cognito signs them)."""

    AUDIENCE = "bench-client"

    def __init__(self):
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding, rsa

        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self._sign = lambda data: self._key.sign(data, padding.PKCS1v15(), hashes.SHA256())
        numbers = self._key.public_key().public_numbers()
        as_bytes = lambda n: n.to_bytes((n.bit_length() + 7) // 8, "big")
        jwks = json.dumps(
            {"keys": [{"kty": "RSA", "kid": "bench", "use": "sig", "alg": "RS256", "n": b64url(as_bytes(numbers.n)), "e": b64url(as_bytes(numbers.e))}]}
        ).encode()

        class Handler(QuietHandler):
            def do_GET(self):
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(jwks)))
                self.end_headers()
                self.wfile.write(jwks)

        self.server = QuietServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/pool"

    def token(self):
        now = int(time.time())
        header = b64url(json.dumps({"alg": "RS256", "kid": "bench", "typ": "JWT"}).encode())
        claims = {"iss": self.url, "aud": self.AUDIENCE, "sub": OPERATOR["sub"], "name": OPERATOR["name"], "cognito:groups": ["operator"], "token_use": "id", "iat": now, "exp": now + 3600}
        body = b64url(json.dumps(claims).encode())
        signed = f"{header}.{body}".encode()
        return f"{header}.{body}.{b64url(self._sign(signed))}"

    def events(self, n):
        """`$connect` REQUEST authorizer events, the ID token offered as a subprotocol."""
        return [
            {
                "type": "REQUEST",
                "methodArn": "arn:aws:execute-api:ap-northeast-1:123456789012:bench/live/$connect",
                "headers": {"Sec-WebSocket-Protocol": f"console.v1, bearer.{self.token()}"},
                "requestContext": {"routeKey": "$connect", "eventType": "CONNECT", "connectionId": "bench="},
            }
            for _ in range(n)
        ]

    def close(self):
        self.server.shutdown()


def push_events(n):
    """Stream batches of the table: an operator's memo typed (the change the push function posts
    to the supervisors' boards), one record a batch."""
    out = []
    for i in range(n):
        call = "CA%032x" % (0xB0A4D * 1_000_000 + i)
        key = {"PK": {"S": f"CALL#{call}"}, "SK": {"S": "MEMO"}}
        image = lambda text: {**key, "text": {"S": text}, "status": {"S": "open"}, "version": {"N": str(len(text))}, "operator_id": {"S": OPERATOR["sub"]}, "call_sid": {"S": call}}
        out.append(
            {
                "Records": [
                    {
                        "eventID": f"bench-{i}",
                        "eventName": "MODIFY",
                        "eventSource": "aws:dynamodb",
                        "awsRegion": "ap-northeast-1",
                        "dynamodb": {"Keys": key, "SequenceNumber": str(1000 + i), "StreamViewType": "NEW_AND_OLD_IMAGES", "OldImage": image("お問い合わせ"), "NewImage": image("お問い合わせの件、折り返し")},
                    }
                ]
            }
        )
    return out


def pre_token_events(n):
    """The user pool's pre-token-generation trigger for an operator (no elevated group)."""
    return [
        {
            "version": "1",
            "triggerSource": "TokenGeneration_Authentication",
            "region": "ap-northeast-1",
            "userPoolId": "ap-northeast-1_bench",
            "userName": "op-bench",
            "callerContext": {"awsSdkVersion": "bench", "clientId": "bench-client"},
            "request": {"userAttributes": {"sub": OPERATOR["sub"], "name": OPERATOR["name"]}, "groupConfiguration": {"groupsToOverride": ["operator"], "iamRolesToOverride": [], "preferredRole": None}},
            "response": {"claimsOverrideDetails": None},
        }
        for _ in range(n)
    ]


# Whether the shell's SSL_CERT_FILE / SSL_CERT_DIR reach the functions (--ca-from-env).
CA_FROM_ENV = {"on": False}


def environment(runtime, moto_url, secret_arn):
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", "/tmp"),
        "AWS_LAMBDA_RUNTIME_API": runtime.address,
        "AWS_LAMBDA_FUNCTION_NAME": "bench",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_LOG_STREAM_NAME": "bench",
        "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/bench",
        "AWS_REGION": "ap-northeast-1",
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_ENDPOINT_URL": moto_url,
        "TABLE_NAME": TABLE,
        "DYNAMODB_ENDPOINT": moto_url,
        "PUBLIC_BASE_URL": BASE,
        "TWILIO_SECRET_ARN": secret_arn,
        "RUST_LOG": os.environ.get("BENCH_RUST_LOG", "warn"),
        "USER_POOL_ID": USER_POOL["id"],
        "LIVE_ENDPOINT": f"{moto_url}/live",
        "JWT_AUDIENCE": Issuer.AUDIENCE,
        # The settings function's page bucket (music uploads are presigned for it; no request).
        "PAGE_BUCKET": "console-bench-page",
    }
    if USER_POOL.get("issuer"):
        env["JWT_ISSUER"] = USER_POOL["issuer"]
    # Lambda names no CA file; with --ca-from-env the shell's do reach the function, and it reads
    # them at start (rustls-native-certs reads only these then).
    if CA_FROM_ENV["on"]:
        for name in ("SSL_CERT_FILE", "SSL_CERT_DIR"):
            if name in os.environ:
                env[name] = os.environ[name]
    return env


def run_process(cmd, events, timer, secret_arn, check):
    """Starts `cmd` against a fresh Runtime API; returns (cold ms, ready ms, [warm ms], peak RSS MB,
    ms waited on the store until the first response, CPU ms the process used in all, pid)."""
    runtime = RuntimeApi(events)
    moto_url = timer.url
    timer.take()
    store_wait = None
    started = time.perf_counter()
    proc = subprocess.Popen(
        cmd,
        env=environment(runtime, moto_url, secret_arn),
        # The functions log to stdout: kept (with stderr) for an unexpected answer when
        # BENCH_RUST_LOG asks for a log.
        stdout=subprocess.PIPE if os.environ.get("BENCH_RUST_LOG") else subprocess.DEVNULL,
        stderr=subprocess.STDOUT if os.environ.get("BENCH_RUST_LOG") else subprocess.PIPE,
        cwd=os.path.dirname(cmd[-1]) if cmd[0] == "node" else None,
    )
    try:
        # A process that stops before it answers (its configuration refused) is reported at once,
        # with what it said, rather than after the 60 s wait.
        deadline = time.perf_counter() + 60
        while not runtime.first.wait(0.05):
            if proc.poll() is not None and not runtime.first.is_set():
                out = proc.stdout or proc.stderr
                log = out.read().decode(errors="replace")[-2000:] if out else ""
                raise RuntimeError(f"{cmd}: exited with {proc.returncode} before its first answer\n{log}")
            if time.perf_counter() > deadline:
                raise RuntimeError(f"{cmd}: no first answer within 60 s")
        store_wait = timer.take()[0] * 1000
        if not runtime.done.wait(60):
            raise RuntimeError(f"{cmd}: no answer within 60 s")
        if runtime.errors:
            raise RuntimeError(f"{cmd}: invocation error {runtime.errors[0]}")
        first_at, first_body = runtime.answered[0]
        answer = json.loads(first_body)
        if not check(answer):
            proc.kill()
            out = proc.stdout or proc.stderr
            log = out.read().decode(errors="replace")[-2000:] if out else ""
            raise RuntimeError(f"{cmd}: unexpected answer {answer}\n{log}")
        cold = (first_at - started) * 1000
        ready = (runtime.asked[0] - started) * 1000
        warm = [(runtime.answered[i][0] - runtime.handed[i]) * 1000 for i in range(1, len(runtime.answered))]
        rss_kb = 0
        try:
            with open(f"/proc/{proc.pid}/status") as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        rss_kb = int(line.split()[1])
        except OSError:
            pass
        proc.kill()
        return cold, ready, warm, rss_kb / 1024, store_wait, cpu_ms(proc), proc.pid
    finally:
        proc.kill()
        cpu_ms(proc)
        runtime.close()


def cpu_ms(proc):
    """Reaps the (killed) process and returns the CPU time it used, user and system, all threads:
    unlike the wall clock, hardly moved by other work on a shared machine."""
    if getattr(proc, "cpu_ms", None) is not None:
        return proc.cpu_ms
    try:
        _, _, usage = os.wait4(proc.pid, 0)
        proc.cpu_ms = (usage.ru_utime + usage.ru_stime) * 1000
    except ChildProcessError:
        proc.cpu_ms = 0.0
    proc.returncode = -9
    return proc.cpu_ms


def moto(python):
    port = free_port()
    proc = subprocess.Popen(
        [python, os.path.join(ROOT, "tests", "tools", "dynamodb_server.py"), "127.0.0.1", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc, url
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("moto did not start")


def prepare(url):
    import boto3

    kw = dict(endpoint_url=url, region_name="ap-northeast-1", aws_access_key_id="bench", aws_secret_access_key="bench")
    ddb = boto3.client("dynamodb", **kw)
    attrs = ["PK", "SK", "GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK"]
    ddb.create_table(
        TableName=TABLE,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"} for a in attrs],
        KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "SK", "KeyType": "RANGE"}],
        GlobalSecondaryIndexes=[
            {
                "IndexName": name,
                "KeySchema": [{"AttributeName": pk, "KeyType": "HASH"}, {"AttributeName": sk, "KeyType": "RANGE"}],
                "Projection": {"ProjectionType": "ALL"},
            }
            for name, pk, sk in [("GSI1", "GSI1PK", "GSI1SK"), ("GSI2", "GSI2PK", "GSI2SK")]
        ],
    )
    USER_POOL["id"] = boto3.client("cognito-idp", **kw).create_user_pool(PoolName="console-bench")["UserPool"]["Id"]
    sm = boto3.client("secretsmanager", **kw)
    return sm.create_secret(Name="console/twilio", SecretString=json.dumps(SECRET))["ARN"]


# The phases of --breakdown, first match wins, each a pattern over the frames of a sample's call
# stack (leaf to root). Stacks that reach no Rust `main` on the process's main thread are the
# process's start or exit.
PHASES = [
    ("process exit (after the answer)", r"exit_mmap|do_exit|do_group_exit"),
    ("phone-number library", r"rlibphonenumber|shared::phone::|^thread phone-numbers$"),
    ("TLS roots and the SDK's connectors", r"shared::tls::roots|shared::tls::load_roots|shared::tls::aws_http_client|create_rustls_client_config|rustls_pki_types::pem"),
    ("logging set up", r"shared::telemetry::init"),
    ("AWS configuration loaded", r"aws_config::"),
    ("SDK clients built", r"aws_sdk_\w+::client::Client::(new|from_conf)|aws_sdk_\w+::config::Builder::build"),
    ("first request: store requests", r"lambda_runtime.*|lambda_http::run", r"aws_smithy_|aws_sdk_|hyper_util|shared::store::dynamo"),
    ("first request: the rest (handler, runtime)", r"lambda_runtime|lambda_http::run"),
    ("start-up: the secret read, routers, other wiring", r"shared::wiring::|shared::config::|::main$|tokio::runtime"),
]
START_FRAMES = re.compile(r"_dl_|dl_main|execve|load_elf_binary|init_cacheinfo|init_cpu_features|intel_check_word|handle_intel|cpu_indicator")


class Breakdown:
    """`perf record` of the whole machine around one function's starts; the samples of the
    processes started in the meantime are put in PHASES by their call stacks."""

    def __init__(self):
        if not shutil.which("perf"):
            raise RuntimeError("--breakdown needs perf on PATH")

    def start(self):
        fd, self.data = tempfile.mkstemp(prefix="coldstart-", suffix=".perf")
        os.close(fd)
        self.proc = subprocess.Popen(
            ["perf", "record", "-q", "-a", "-g", "-F", "10000", "-o", self.data],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        time.sleep(1.0)
        if self.proc.poll() is not None:
            os.unlink(self.data)
            raise RuntimeError(f"perf record stopped: {self.proc.stderr.read().decode(errors='replace')[-500:]}")

    def close(self):
        """Stops a recording a failed start left running."""
        proc = getattr(self, "proc", None)
        if proc and proc.poll() is None:
            proc.send_signal(2)
            proc.wait()
            os.unlink(self.data)

    def stop(self, pids):
        self.proc.send_signal(2)
        self.proc.wait()
        out = subprocess.run(
            ["perf", "script", "-i", self.data, "-F", "comm,pid,tid,ip,sym"],
            capture_output=True,
            text=True,
            errors="replace",
        ).stdout
        os.unlink(self.data)
        pids = set(pids)
        samples, current = [], None
        for line in out.splitlines():
            if not line.strip():
                current = None
                continue
            if not line.startswith("\t"):
                head = line.split()
                pid, tid = (int(x) for x in head[-1].split("/"))
                # The thread's name as the stack's outermost frame: shared::wiring names the
                # phone-number library's thread, whose allocator frames carry no callers.
                current = (pid, tid, [f"thread {' '.join(head[:-1])}"]) if pid in pids else None
                if current:
                    samples.append(current)
            elif current:
                parts = line.split(None, 1)
                current[2].append(parts[1] if len(parts) > 1 else "?")
        return samples

    @staticmethod
    def table(label, samples, starts):
        """Markdown rows: each phase's CPU per start (under sampling) and share, page faults."""
        counts, faults = collections.Counter(), collections.Counter()
        phases = [(name, re.compile(pattern), re.compile(rest[0]) if rest else None) for name, pattern, *rest in PHASES]
        for pid, tid, stack in samples:
            name = None
            for phase, pattern, sub in phases:
                if any(pattern.search(f) for f in stack) and (sub is None or any(sub.search(f) for f in stack)):
                    name = phase
                    break
            if name is None:
                if pid == tid and (any(START_FRAMES.search(f) for f in stack) or not any(f.endswith("::main") for f in stack)):
                    name = "process start (exec, dynamic loader, libc)"
                else:
                    name = "other"
            counts[name] += 1
            if any("exc_page_fault" in f for f in stack):
                faults[name] += 1
        total = sum(counts.values()) or 1
        per_start = lambda n: n / 10.0 / max(starts, 1)  # 10 kHz: a sample is 0.1 ms
        print(f"\n{label}: {per_start(total):.1f} ms CPU a start under sampling, {total} samples of {starts} starts\n")
        print("| phase | ms a start | share | of which page faults |")
        print("|---|---:|---:|---:|")
        for name, n in counts.most_common():
            print(f"| {name} | {per_start(n):.2f} | {100 * n / total:.0f}% | {100 * faults[name] / n:.0f}% |")


def summary(values):
    values = sorted(values)
    if not values:
        return (0.0, 0.0, 0.0)
    p = lambda q: values[min(len(values) - 1, int(q * len(values)))]
    return (statistics.median(values), p(0.9), p(0.99))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin-dir", default=os.path.join(ROOT, "target", "release"))
    ap.add_argument("--starts", type=int, default=20)
    ap.add_argument("--warm", type=int, default=200)
    ap.add_argument("--python", default=sys.executable)
    ap.add_argument("--only", nargs="*", default=None, help="measure only these functions (by name; the Node.js peer is 'node')")
    ap.add_argument("--ca-from-env", action="store_true", help="pass the shell's SSL_CERT_FILE / SSL_CERT_DIR on (Lambda sets neither)")
    ap.add_argument("--breakdown", action="store_true", help="where each Rust function's CPU goes, by phase (perf; see the module's doc)")
    args = ap.parse_args()
    CA_FROM_ENV["on"] = args.ca_from_env
    breakdown = Breakdown() if args.breakdown else None
    breakdowns = []

    moto_proc, url = moto(args.python)
    try:
        arn = prepare(url)
        timer = StoreTimer(url)
        twiml_ok = lambda a: a.get("statusCode") == 200 and "<Conference" in a.get("body", "")
        api_ok = lambda a: a.get("statusCode", 500) < 500
        subjects = [("voice (incoming webhook)", [os.path.join(args.bin_dir, "voice")], twiml_ok, incoming_events)]
        subjects.append(
            ("Node.js peer (incoming webhook)", ["node", os.path.join(HERE, "node-peer", "index.mjs")], twiml_ok, incoming_events)
        )
        # moto's cognito-idp answers the users function's ListUsers with an error (the function
        # answers 503): its start is still measured to that answer, the wait on moto apart.
        answered = lambda a: a.get("statusCode") in (200, 503)
        for name, make in API_REQUESTS.items():
            ok = answered if name == "users" else api_ok
            subjects.append((name, [os.path.join(args.bin_dir, name)], ok, lambda n, make=make: [make() for _ in range(n)]))
        issuer = Issuer()
        USER_POOL["issuer"] = issuer.url
        allowed = lambda a: a.get("policyDocument", {}).get("Statement", [{}])[0].get("Effect") == "Allow"
        subjects += [
            ("live ($connect)", [os.path.join(args.bin_dir, "live")], lambda a: a.get("statusCode") == 200, live_connect_events),
            ("live-authorizer ($connect)", [os.path.join(args.bin_dir, "live-authorizer")], allowed, issuer.events),
            ("push (stream batch)", [os.path.join(args.bin_dir, "push")], lambda a: a.get("batchItemFailures") == [], push_events),
            ("role-guard (pre-token)", [os.path.join(args.bin_dir, "role-guard")], lambda a: a.get("userName") == "op-bench", pre_token_events),
        ]

        rows = []
        if args.only:
            subjects = [s for s in subjects if s[0].split(" ")[0].lower().replace(".js", "") in args.only]
        for label, cmd, check, events in subjects:
            if cmd[0] != "node" and not os.path.exists(cmd[0]):
                print(f"skipping {label}: {cmd[0]} is not built", file=sys.stderr)
                continue
            colds, readies, warms, rss, owns, waits, cpus, pids = [], [], [], [], [], [], [], []
            profiled = breakdown is not None and cmd[0] != "node"
            if profiled:
                breakdown.start()
            for i in range(args.starts):
                # The first start also measures warm latency; the rest only cold starts.
                n = 1 + (args.warm if i == 0 else 0)
                cold, ready, warm, peak, waited, cpu, pid = run_process(cmd, events(n), timer, arn, check)
                pids.append(pid)
                if i > 0 or args.warm == 0:
                    cpus.append(cpu)
                colds.append(cold)
                waits.append(waited)
                owns.append(cold - waited)
                readies.append(ready)
                warms.extend(warm)
                rss.append(peak)
            rows.append((label, summary(colds), summary(warms), max(rss), summary(readies), summary(waits), summary(owns), summary(cpus)))
            if profiled:
                breakdowns.append((label, breakdown.stop(pids), args.starts))
            print(f"  measured {label}", file=sys.stderr)
    finally:
        moto_proc.kill()
        if breakdown:
            breakdown.close()
        if USER_POOL.get("issuer"):
            issuer.close()

    print(f"\nCold start (exec → first response, {args.starts} starts) and warm latency ({args.warm} requests), store on moto over loopback\n")
    print(f"(load average {os.getloadavg()[0]:.1f} when the table was printed)\n")
    print("| function | ready p50 ms | cold p50 ms | cold p90 ms | of which moto p50 ms | own p50 ms | CPU p50 ms | warm p50 ms | warm p99 ms | peak RSS MB |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for label, cold, warm, rss, ready, wait, own, cpu in rows:
        print(
            f"| {label} | {ready[0]:.1f} | {cold[0]:.1f} | {cold[1]:.1f} | {wait[0]:.1f} | {own[0]:.1f} | {cpu[0]:.1f} "
            f"| {warm[0]:.2f} | {warm[2]:.2f} | {rss:.1f} |"
        )
    print("\nready: exec → the runtime's first request for work (process start, Twilio secret read where the")
    print("function needs it, clients built); cold: exec → first response (ready plus the first request's work);")
    print("of which moto: time spent waiting on moto until the first response (secret read, store requests);")
    print("own: cold minus that wait — what the start costs where the store answers instantly.")
    print("CPU: the process's user and system time to its first answer, every thread (the starts after the first,")
    print("which also answers the warm requests); it moves little with the machine's load, where the wall clock does.")
    ours = next((r for r in rows if r[0].startswith("voice")), None)
    peer = next((r for r in rows if r[0].startswith("Node")), None)
    if ours and peer:
        print(
            f"\nIncoming webhook, Node.js peer ÷ Rust: ready {peer[4][0] / ours[4][0]:.1f}×, cold start {peer[1][0] / ours[1][0]:.1f}×, "
            f"own cold start {peer[6][0] / max(ours[6][0], 1e-9):.1f}×, CPU to the first answer {peer[7][0] / max(ours[7][0], 1e-9):.1f}×, "
            f"warm p50 {peer[2][0] / max(ours[2][0], 1e-9):.1f}×, peak memory {peer[3] / max(ours[3], 1e-9):.1f}×"
        )
        print("(Both read the Twilio secret and build their clients at start; the store is moto, so its round trips")
        print(" are slower than DynamoDB's. Targets: every function's own cold start ≤ 20 ms and the Rust cold start")
        print(" ≥ 20× faster than the peer's.)")
        slow = [r[0] for r in rows if not r[0].startswith("Node") and r[6][0] > 20]
        print("Own cold start p50 above 20 ms: " + (", ".join(slow) if slow else "none"))
    if breakdowns:
        print("\nWhere the CPU goes (--breakdown: perf samples of every thread of the starts, by call stack;")
        print("the warm requests of the first start included when --warm is not 0)")
        for label, samples, starts in breakdowns:
            Breakdown.table(label, samples, starts)


if __name__ == "__main__":
    main()
