#!/usr/bin/env node
// Cross-checks signature_vectors.json (made with twilio-python) against
// twilio-node, a second oracle: same signatures, same accept/refuse decisions.
//
// Usage: (cd /tmp/scratch && npm i twilio) &&
//   NODE_PATH=/tmp/scratch/node_modules node tests/tools/twilio-vectors/check_signatures_with_node.js \
//     [path/to/signature_vectors.json]
"use strict";
const path = require("path");
const twilio = require("twilio");

const fs = require("fs");
const root = path.join(__dirname, "..", "..", "..");
const defaultFile = [
  path.join(root, "shared", "testdata", "twilio", "signature_vectors.json"),
  path.join(root, "testdata", "twilio", "signature_vectors.json"),
].find((candidate) => fs.existsSync(candidate));
const file = process.argv[2] || defaultFile;
const vectors = require(path.resolve(file));

function toParams(pairs) {
  const params = {};
  for (const [name, value] of pairs) {
    params[name] = name in params ? [].concat(params[name], value) : value;
  }
  return params;
}

let agree = 0;
let differ = 0;
function expect(same, what) {
  if (same) agree++;
  else {
    differ++;
    console.log("differs:", what);
  }
}

for (const c of vectors.form) {
  expect(twilio.getExpectedTwilioSignature(c.auth_token, c.url, toParams(c.params)) === c.signature, c.name);
  for (const check of c.checks) {
    // Fragments are stripped before validating, as the Rust validator does.
    const url = check.url.split("#")[0];
    expect(twilio.validateRequest(c.auth_token, check.header, url, toParams(check.params)) === check.valid, `${c.name}/${check.label}`);
  }
}
for (const c of vectors.json) {
  for (const check of c.checks) {
    expect(twilio.validateRequestWithBody(c.auth_token, check.header, check.url, check.body) === check.valid, `${c.name}/${check.label}`);
  }
}
console.log(`twilio-node ${require("twilio/package.json").version}: ${agree} passed, ${differ} failed`);
process.exit(differ === 0 ? 0 : 1);
