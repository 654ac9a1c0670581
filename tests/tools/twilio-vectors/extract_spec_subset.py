#!/usr/bin/env python3
"""Extract the Voice operations the product uses from Twilio's OpenAPI spec.

Twilio's full `twilio_api_v2010.json` is 1.8 MB and lives outside the repo. The
Rust `spec` module and the local Twilio simulator only need the Calls, Call,
Conferences, Conference, Participants, Participant, Conference Recording and Recording
paths (the last to delete a recording whose retention ran out),
and, for provisioning the account, the Applications, Keys and IncomingPhoneNumbers
list and instance paths, so this script
copies those path items whole and every component schema they reference
(transitively, keeping each `$ref` as it is), plus the document's header and
security scheme. The output is deterministic (sorted keys, two-space indent).

Standard library only. Usage (from the directory holding scripts/ and testdata/):

    python3 tests/tools/twilio-vectors/extract_spec_subset.py \
        --spec ../shared/reference/twilio_api_v2010.json \
        --out testdata/twilio/api_v2010_voice_subset.json
"""

import argparse
import json
import os
import sys

PATHS = [
    "/2010-04-01/Accounts/{AccountSid}/Calls.json",
    "/2010-04-01/Accounts/{AccountSid}/Calls/{Sid}.json",
    "/2010-04-01/Accounts/{AccountSid}/Conferences.json",
    "/2010-04-01/Accounts/{AccountSid}/Conferences/{Sid}.json",
    "/2010-04-01/Accounts/{AccountSid}/Conferences/{ConferenceSid}/Participants.json",
    "/2010-04-01/Accounts/{AccountSid}/Conferences/{ConferenceSid}/Participants/{CallSid}.json",
    "/2010-04-01/Accounts/{AccountSid}/Conferences/{ConferenceSid}/Recordings/{Sid}.json",
    "/2010-04-01/Accounts/{AccountSid}/Recordings/{Sid}.json",
    "/2010-04-01/Accounts/{AccountSid}/Applications.json",
    "/2010-04-01/Accounts/{AccountSid}/Applications/{Sid}.json",
    "/2010-04-01/Accounts/{AccountSid}/Keys.json",
    "/2010-04-01/Accounts/{AccountSid}/Keys/{Sid}.json",
    "/2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers.json",
    "/2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers/{Sid}.json",
]

SCHEMA_PREFIX = "#/components/schemas/"


def refs_in(value):
    """Every `$ref` string anywhere inside a JSON value."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "$ref" and isinstance(item, str):
                yield item
            else:
                yield from refs_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from refs_in(item)


def extract(spec):
    paths = {}
    for path in PATHS:
        if path not in spec["paths"]:
            raise SystemExit(f"the spec has no path {path}")
        paths[path] = spec["paths"][path]

    schemas = spec["components"]["schemas"]
    kept = {}
    pending = list(refs_in(paths))
    while pending:
        ref = pending.pop()
        if not ref.startswith(SCHEMA_PREFIX):
            raise SystemExit(f"unsupported $ref {ref}")
        name = ref[len(SCHEMA_PREFIX):]
        if name in kept:
            continue
        kept[name] = schemas[name]
        pending.extend(refs_in(kept[name]))

    subset = {
        "openapi": spec["openapi"],
        "info": spec["info"],
        "servers": spec["servers"],
        "security": spec["security"],
        "components": {
            "securitySchemes": spec["components"]["securitySchemes"],
            "schemas": kept,
        },
        "paths": paths,
    }
    return subset


def render(subset):
    return json.dumps(subset, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def testdata_dir(root):
    """testdata/twilio of the crate: `shared/` in the product repo, the root standalone."""
    in_workspace = os.path.join(root, "shared", "testdata", "twilio")
    return in_workspace if os.path.isdir(in_workspace) else os.path.join(root, "testdata", "twilio")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.normpath(os.path.join(here, "..", "..", ".."))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spec", default=os.path.join(root, "..", "shared", "reference", "twilio_api_v2010.json"))
    parser.add_argument("--out", default=os.path.join(testdata_dir(root), "api_v2010_voice_subset.json"))
    args = parser.parse_args()
    with open(args.spec, encoding="utf-8") as f:
        spec = json.load(f)
    text = render(extract(spec))
    with open(args.out, "w", encoding="utf-8") as f:
        f.write(text)
    print(f"wrote {args.out} ({len(text.encode('utf-8'))} bytes, {len(PATHS)} paths)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
