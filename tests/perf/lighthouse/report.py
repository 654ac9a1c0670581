"""Prints Lighthouse reports' performance scores and metrics as one table, a column per report.

usage: python report.py "LABEL=report.json" ["LABEL=report.json" …]
"""

import json
import sys

METRICS = [
    "first-contentful-paint",
    "largest-contentful-paint",
    "total-blocking-time",
    "cumulative-layout-shift",
    "speed-index",
    "interactive",
]

columns = []
for arg in sys.argv[1:]:
    label, _, path = arg.partition("=")
    columns.append((label, json.load(open(path))))

first = columns[0][1]
print(f"\nLighthouse {first['lighthouseVersion']} ({first['configSettings']['formFactor']} preset, "
      f"{first['configSettings']['throttlingMethod']} throttling) — {first['finalDisplayedUrl']}\n")
print("| metric | " + " | ".join(label for label, _ in columns) + " |")
print("|---|" + "---:|" * len(columns))
print("| performance score | " + " | ".join(str(round(r["categories"]["performance"]["score"] * 100)) for _, r in columns) + " |")
for key in METRICS:
    title = first["audits"][key]["title"]
    print(f"| {title} | " + " | ".join(r["audits"][key]["displayValue"] or "0" for _, r in columns) + " |")
