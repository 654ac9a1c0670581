"""Prints a Lighthouse report's performance score and its metrics as a table."""

import json
import sys

report = json.load(open(sys.argv[1]))
print(f"\nLighthouse {report['lighthouseVersion']} ({report['configSettings']['formFactor']}) — {report['finalDisplayedUrl']}\n")
print("| metric | value |\n|---|---:|")
print(f"| performance score | {round(report['categories']['performance']['score'] * 100)} |")
for key in ["first-contentful-paint", "largest-contentful-paint", "total-blocking-time", "cumulative-layout-shift", "speed-index", "interactive"]:
    audit = report["audits"][key]
    print(f"| {audit['title']} | {audit['displayValue']} |")
