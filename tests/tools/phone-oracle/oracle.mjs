// Reads phone numbers as libphonenumber-js reads them, for the console's phone-number tests
// (shared/tests/phone_oracle.rs). Input: one JSON object a line, {"input": "...", "region": "JP"};
// output: one JSON object a line, in the same order, {"valid", "e164", "ext"} — `valid` is false
// when the text is not a number or not a number its country gives out (full metadata).
import { createInterface } from 'node:readline';
import { parsePhoneNumberWithError } from 'libphonenumber-js/max';

// Google's libphonenumber reads the full-width plus sign as a plus (its PLUS_CHARS); this port
// reads it as punctuation and the number as a national one, so it is given the ASCII sign.
// It keeps an extension's digits as written; they are given back as ASCII digits, as Google's
// library normalises them.
function read(input, region) {
  try {
    const number = parsePhoneNumberWithError(input.replaceAll('＋', '+'), { defaultCountry: region });
    if (!number.isValid()) return { valid: false, e164: null, ext: null };
    return { valid: true, e164: number.number, ext: number.ext?.normalize('NFKC') ?? null };
  } catch {
    return { valid: false, e164: null, ext: null };
  }
}

const out = [];
for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
  if (!line.trim()) continue;
  const { input, region } = JSON.parse(line);
  out.push(JSON.stringify(read(input, region ?? 'JP')));
}
process.stdout.write(out.join('\n') + (out.length ? '\n' : ''));
