#!/usr/bin/env python3
"""Generate Twilio test vectors with Twilio's official Python helper library.

The Rust tests of `shared::twilio` load the JSON files this script writes and
require the Rust code to agree with them byte for byte. The library is the
oracle: nothing here re-implements Twilio's algorithms.

Usage:

    python3 -m venv .venv && .venv/bin/pip install twilio
    .venv/bin/python tests/tools/twilio-vectors/make_vectors.py [--out DIR]

By default it writes to `shared/testdata/twilio/` when run in the product repo
and to `testdata/twilio/` next to `scripts/` otherwise.

The output is deterministic: run it again and `git diff` shows nothing unless
the library changed its behaviour.
"""

import argparse
import json
import os
import sys
import time
from hashlib import sha256

import twilio
from twilio.jwt.access_token import AccessToken
from twilio.jwt.access_token.grants import VoiceGrant
from twilio.request_validator import RequestValidator
from twilio.twiml.voice_response import Dial, VoiceResponse

import jwt as pyjwt


class MultiParams(dict):
    """A dict of name -> [values] that the validator reads through getlist()."""

    def __init__(self, pairs):
        super().__init__()
        for name, value in pairs:
            self.setdefault(name, []).append(value)

    def getlist(self, name):
        return self[name]


def sign(token, url, pairs):
    return RequestValidator(token).compute_signature(url, MultiParams(pairs))


def python_accepts(token, url, pairs, header):
    return RequestValidator(token).validate(url, MultiParams(pairs), header)


def strip_fragment(url):
    return url.split("#", 1)[0]


CALL_PARAMS = [
    ("CallSid", "CA1234567890ABCDE"),
    ("Caller", "+14158675309"),
    ("Digits", "1234"),
    ("From", "+14158675309"),
    ("To", "+18005551212"),
]

FORM_CASES = [
    # The library's own documented vector.
    ("reference_vector", "12345", "https://mycompany.com/myapp.php?foo=1&bar=2", CALL_PARAMS),
    ("reference_vector_with_443", "12345", "https://mycompany.com:443/myapp.php?foo=1&bar=2", CALL_PARAMS),
    ("reference_vector_http_80", "12345", "http://mycompany.com:80/myapp.php?foo=1&bar=2", CALL_PARAMS),
    ("reference_vector_http_1234", "12345", "http://mycompany.com:1234/myapp.php?foo=1&bar=2", CALL_PARAMS),
    (
        "repeated_keys",
        "12345",
        "https://mycompany.com/myapp.php?foo=1&bar=2",
        [("Sid", "CA123"), ("SidAccount", "AC123"), ("Digits", "5678"), ("Digits", "1234"), ("Digits", "1234")],
    ),
    (
        "japanese_caller_name",
        "0123456789abcdef0123456789abcdef",
        "https://abc123.execute-api.ap-northeast-1.amazonaws.com/prod/twilio/voice/incoming",
        [
            ("AccountSid", "AC" + "0" * 32),
            ("ApiVersion", "2010-04-01"),
            ("CallSid", "CA" + "1" * 32),
            ("CallStatus", "ringing"),
            ("CallerName", "山田 太郎"),
            ("Direction", "inbound"),
            ("From", "+81312345678"),
            ("FromCity", "東京都"),
            ("To", "+815012345678"),
        ],
    ),
    (
        "empty_values_and_spaces_kept",
        "0123456789abcdef0123456789abcdef",
        "https://console.example.jp/twilio/voice/status",
        [("Called", ""), ("Caller", "client:op_01"), ("Memo", "  leading and trailing  "), ("Digits", "")],
    ),
    (
        "hostile_characters",
        "0123456789abcdef0123456789abcdef",
        "https://console.example.jp/twilio/voice/incoming?lang=ja&x=%E5%B1%B1",
        [("CallerName", "<Dial>&\"' 様"), ("Body", "a=b&c=d+e%20f"), ("Emoji", "☎️📞"), ("Newline", "line1\nline2\r\n")],
    ),
    (
        "case_sensitive_name_order",
        "token-with-symbols-!@#",
        "https://console.example.jp/twilio/conference/status",
        [("b", "1"), ("B", "2"), ("_x", "3"), ("a", "4"), ("A", "5"), ("StatusCallbackEvent", "participant-join")],
    ),
    (
        "conference_callback",
        "0123456789abcdef0123456789abcdef",
        "https://hooks.example.jp:8443/prod/twilio/conference/status?call=CA" + "2" * 32,
        [
            ("AccountSid", "AC" + "0" * 32),
            ("CallSid", "CA" + "3" * 32),
            ("Coaching", "false"),
            ("ConferenceSid", "CF" + "4" * 32),
            ("EndConferenceOnExit", "false"),
            ("FriendlyName", "CA" + "2" * 32),
            ("Hold", "false"),
            ("Muted", "false"),
            ("ParticipantLabel", "operator"),
            ("SequenceNumber", "3"),
            ("StartConferenceOnEnter", "true"),
            ("StatusCallbackEvent", "participant-join"),
            ("Timestamp", "Tue, 21 Nov 2023 07:41:52 +0000"),
        ],
    ),
    ("no_params_get", "12345", "https://mycompany.com/myapp.php?foo=1&bar=2&CallSid=CA1", []),
]

JSON_CASES = [
    ("reference_json_body", "12345", "https://mycompany.com/myapp.php?foo=1&bar=2", '{"property": "value", "boolean": true}'),
    ("japanese_json_body", "0123456789abcdef0123456789abcdef", "https://console.example.jp/twilio/events", '{"name":"山田","n":1}'),
]


def form_vectors():
    cases = []
    for name, token, url, pairs in FORM_CASES:
        signature = sign(token, url, pairs)
        checks = []

        def check(label, presented_url, presented_pairs, header, expected=None):
            accepted = python_accepts(token, strip_fragment(presented_url), presented_pairs, header)
            if expected is not None:
                assert accepted == expected, (name, label)
            checks.append(
                {"label": label, "url": presented_url, "params": [list(p) for p in presented_pairs], "header": header, "valid": accepted}
            )

        check("as_signed", url, pairs, signature, True)
        check("fragment_is_ignored", url + "#rc=2&rp=ct,rt", pairs, signature, True)
        scheme, rest = url.split("://", 1)
        authority, sep, tail = rest.partition("/")
        host = authority.split(":")[0]
        default_port = "443" if scheme == "https" else "80"
        if ":" in authority:
            check("port_removed", f"{scheme}://{host}{sep}{tail}", pairs, signature)
        else:
            check("default_port_added", f"{scheme}://{host}:{default_port}{sep}{tail}", pairs, signature)
        check("other_port", f"{scheme}://{host}:9999{sep}{tail}", pairs, signature)
        check("other_path", url.replace("://" + authority + "/", "://" + authority + "/x/", 1) if sep else url + "/x", pairs, signature, False)
        check("wrong_token_signature", url, pairs, sign(token + "x", url, pairs), False)
        check("empty_header", url, pairs, "", False)
        if pairs:
            mutated = list(pairs)
            k, v = mutated[0]
            mutated[0] = (k, v + " ")
            check("value_with_extra_space", url, mutated, signature, False)
            check("param_dropped", url, pairs[1:], signature, False)
            check("param_added", url, pairs + [("Extra", "1")], signature, False)
        cases.append({"name": name, "auth_token": token, "url": url, "params": [list(p) for p in pairs], "signature": signature, "checks": checks})
    return cases


def json_vectors():
    cases = []
    for name, token, base_url, body in JSON_CASES:
        body_hash = sha256(body.encode("utf-8")).hexdigest()
        url = f"{base_url}&bodySHA256={body_hash}" if "?" in base_url else f"{base_url}?bodySHA256={body_hash}"
        signature = RequestValidator(token).compute_signature(url, {})
        validator = RequestValidator(token)
        checks = []
        for label, presented_body, presented_url in [
            ("as_signed", body, url),
            ("tampered_body", body.replace("}", " }", 1), url),
            ("other_hash_in_url", body, url.replace(body_hash, "0" * 64)),
        ]:
            checks.append({"label": label, "url": presented_url, "body": presented_body, "header": signature, "valid": validator.validate(presented_url, presented_body, signature)})
        assert checks[0]["valid"] and not checks[1]["valid"] and not checks[2]["valid"]
        cases.append({"name": name, "auth_token": token, "url": url, "body": body, "body_sha256": body_hash, "signature": signature, "checks": checks})
    return cases


CUSTOMER_CALL = "CA" + "0123456789abcdef" * 2
HOLD_URL = "https://console.example.jp/twilio/voice/hold-music?lang=ja&v=2"
STATUS_URL = "https://console.example.jp/twilio/conference/status"


def twiml_vectors():
    docs = []

    def add(name, response):
        docs.append({"name": name, "xml": response.to_xml()})

    r = VoiceResponse()
    r.hangup()
    add("hangup", r)

    r = VoiceResponse()
    r.reject()
    add("reject_default", r)

    r = VoiceResponse()
    r.reject(reason="busy")
    add("reject_busy", r)

    r = VoiceResponse()
    r.say("お電話ありがとうございます。担当者におつなぎします。", voice="Polly.Mizuki", language="ja-JP", loop=2)
    add("say_japanese", r)

    r = VoiceResponse()
    r.say("お客様 <Dial>&\"' 様からのお電話です", voice="Google.ja-JP-Neural2-B", language="ja-JP")
    r.hangup()
    add("say_hostile_caller_name", r)

    r = VoiceResponse()
    r.say("")
    add("say_empty", r)

    r = VoiceResponse()
    r.play(HOLD_URL, loop=0)
    add("play_hold_music_forever", r)

    r = VoiceResponse()
    r.say("ただいま電話が混み合っております。", voice="Polly.Takumi-Neural", language="ja-JP")
    r.play("https://console.example.jp/static/wait.mp3", loop=3)
    r.pause(length=2)
    r.redirect("https://console.example.jp/twilio/voice/wait?attempt=2&x=<y>", method="POST")
    add("wait_url_document", r)

    r = VoiceResponse()
    r.say("少々お待ちください。", voice="Polly.Kazuha-Neural", language="ja-JP")
    d = Dial(answer_on_bridge=True)
    d.conference(
        CUSTOMER_CALL,
        muted=False,
        beep="false",
        start_conference_on_enter=False,
        end_conference_on_exit=True,
        participant_label="customer",
        wait_url=HOLD_URL,
        wait_method="GET",
        max_participants=10,
        record="do-not-record",
        region="jp1",
        trim="trim-silence",
        status_callback=STATUS_URL,
        status_callback_event="start end join leave mute hold modify speaker announcement",
        status_callback_method="POST",
        jitter_buffer_size="small",
    )
    r.append(d)
    add("customer_parked_in_conference", r)

    r = VoiceResponse()
    d = Dial(
        action="https://console.example.jp/twilio/voice/dial-done?call=" + CUSTOMER_CALL,
        method="POST",
        timeout=20,
        caller_id="+81501234567",
        answer_on_bridge=False,
        record="record-from-answer-dual",
        ring_tone="jp",
        time_limit=14400,
    )
    d.conference(CUSTOMER_CALL, start_conference_on_enter=True, end_conference_on_exit=False, participant_label="operator", beep="onEnter", wait_url="", coach="CA" + "f" * 32)
    r.append(d)
    add("operator_joins_conference", r)

    r = VoiceResponse()
    d = Dial(timeout=30, answer_on_bridge=True)
    c = d.client(
        url="https://console.example.jp/twilio/voice/whisper",
        method="POST",
        status_callback="https://console.example.jp/twilio/voice/status?leg=client",
        status_callback_event="initiated ringing answered completed",
        status_callback_method="POST",
    )
    c.identity("op_yamada")
    c.parameter(name="handoffId", value="h-01HZX")
    c.parameter(name="callerName", value="<Dial>&\"' 山田")
    r.append(d)
    add("dial_client_with_parameters", r)

    r = VoiceResponse()
    d = Dial(caller_id="+81501234567", timeout=45, record="do-not-record")
    d.number(
        "+81312345678",
        send_digits="ww1234#",
        url="https://console.example.jp/twilio/voice/screen",
        method="GET",
        status_callback="https://console.example.jp/twilio/voice/status",
        status_callback_event="answered completed",
        status_callback_method="POST",
    )
    d.number("+81398765432")
    r.append(d)
    add("dial_two_numbers", r)

    r = VoiceResponse()
    r.say("改行\nと\tタブ", language="ja-JP")
    d = Dial(action="https://console.example.jp/a?x=1\n2\t3\r4")
    d.conference("名前 with <&> \"quotes\" 'apos'", participant_label="label\twith\ttabs")
    r.append(d)
    add("whitespace_in_attributes", r)

    r = VoiceResponse()
    r.pause()
    r.say("Thank you for calling.", voice="Polly.Joanna", language="en-US", loop=1)
    r.redirect("https://console.example.jp/twilio/voice/next")
    add("english_and_defaults", r)

    return docs


ACCOUNT_SID = "AC" + "a1b2c3d4" * 4
API_KEY_SID = "SK" + "0f1e2d3c" * 4
API_KEY_SECRET = "s3cr3t-api-key-secret-for-tests-only"
APP_SID = "AP" + "9" * 32
FIXED_NOW = 1_700_000_000


def token_vectors():
    cases = []
    real_time = time.time
    time.time = lambda: FIXED_NOW
    try:
        for name, identity, params, ttl in [
            ("operator_default_ttl", "op_yamada", None, 3600),
            ("operator_with_params_max_ttl", "op_01HZX", {"line": "+81501234567", "mode": "outbound"}, 86400),
        ]:
            token = AccessToken(ACCOUNT_SID, API_KEY_SID, API_KEY_SECRET, identity=identity, ttl=ttl)
            token.add_grant(VoiceGrant(incoming_allow=True, outgoing_application_sid=APP_SID, outgoing_application_params=params))
            jwt_text = token.to_jwt()
            if isinstance(jwt_text, bytes):
                jwt_text = jwt_text.decode()
            header = pyjwt.get_unverified_header(jwt_text)
            payload = pyjwt.decode(jwt_text, API_KEY_SECRET, algorithms=["HS256"], options={"verify_exp": False, "verify_nbf": False})
            cases.append(
                {
                    "name": name,
                    "now": FIXED_NOW,
                    "ttl_secs": ttl,
                    "account_sid": ACCOUNT_SID,
                    "api_key_sid": API_KEY_SID,
                    "api_key_secret": API_KEY_SECRET,
                    "identity": identity,
                    "application_sid": APP_SID,
                    "params": params,
                    "jwt": jwt_text,
                    "header": header,
                    "payload": payload,
                }
            )
    finally:
        time.time = real_time
    return cases


def write(out_dir, file_name, value):
    path = os.path.join(out_dir, file_name)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(value, f, ensure_ascii=False, indent=2)
        f.write("\n")
    print(f"wrote {path}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.normpath(os.path.join(here, "..", "..", ".."))
    # testdata/twilio of the crate: under shared/ in the product repo, at the root standalone.
    default_out = os.path.join(root, "shared", "testdata", "twilio")
    if not os.path.isdir(default_out):
        default_out = os.path.join(root, "testdata", "twilio")
    parser.add_argument("--out", default=default_out)
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    generator = f"twilio-python {twilio.__version__} (tests/tools/twilio-vectors/make_vectors.py)"
    write(args.out, "signature_vectors.json", {"generator": generator, "form": form_vectors(), "json": json_vectors()})
    write(args.out, "twiml_vectors.json", {"generator": generator, "documents": twiml_vectors()})
    write(args.out, "token_vectors.json", {"generator": generator, "tokens": token_vectors()})
    return 0


if __name__ == "__main__":
    sys.exit(main())
