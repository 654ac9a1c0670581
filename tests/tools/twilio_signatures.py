#!/usr/bin/env python3
"""Twilio's own helper library (twilio-python's RequestValidator) as the oracle of the webhook
signature tests in tests/tests/webhook_signatures.rs.

Reads one JSON document on standard input:

    {"token": "<auth token>",
     "sign": [{"url": "...", "params": [["Name", "value"], ...]}, ...],
     "validate": [{"url": "...", "params": [...], "signature": "..."}, ...]}

and writes {"signatures": [...], "valid": [true|false, ...]} on standard output: the
X-Twilio-Signature the library computes for each request to sign, and whether the library
accepts each request to validate. Repeated parameter names are passed as a multi-dict, the way
Flask and Django hand them to the library. Nothing here reaches the network.
"""

import json
import sys

from twilio.request_validator import RequestValidator


class MultiParams(dict):
    """name -> [values], read by the validator through getlist()."""

    def __init__(self, pairs):
        super().__init__()
        for name, value in pairs:
            self.setdefault(name, []).append(value)

    def getlist(self, name):
        return self[name]


def main():
    job = json.load(sys.stdin)
    validator = RequestValidator(job["token"])
    signatures = [validator.compute_signature(r["url"], MultiParams(r["params"])) for r in job.get("sign", [])]
    valid = [
        bool(validator.validate(r["url"], MultiParams(r["params"]), r["signature"]))
        for r in job.get("validate", [])
    ]
    json.dump({"signatures": signatures, "valid": valid}, sys.stdout)


if __name__ == "__main__":
    main()
