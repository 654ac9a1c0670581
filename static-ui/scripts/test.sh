#!/usr/bin/env bash
# The page's checks, called by the repository's tests/run: installs what they need (npm
# packages from the committed lock files; Debian's Chromium and Japanese fonts only when
# missing), builds the local runtime, checks that the page's API types (src/api/schema.gen.ts)
# are what openapi-typescript generates from the Rust code's OpenAPI document, lints and
# type-checks the page, runs its unit tests (vitest), builds it (failing when the initial JS is
# over 80 KB gzip), then drives the operator and admin pages in Chromium against the local
# runtime.
# `--install-only` installs and stops (tests/run installs while the Rust code compiles).
# Exits non-zero on the first failure.
set -euo pipefail
ui="$(cd "$(dirname "$0")/.." && pwd)"
repo="$(cd "$ui/.." && pwd)"
browser_tests="$repo/tests/browser"
started=$(date +%s)
step() { printf '\n--> %s (%ss)\n' "$*" "$(( $(date +%s) - started ))"; }

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
dpkg -s fonts-noto-cjk >/dev/null 2>&1 || missing+=(fonts-noto-cjk)
if [ ${#missing[@]} -gt 0 ]; then
  step "installing ${missing[*]} from Debian"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# `npm ci` from the lock file; skipped when node_modules was installed from this very lock file.
npm_ci() {
  local dir=$1 stamp="$1/node_modules/.installed-from-lock"
  local want
  want=$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    echo "$dir: node_modules matches package-lock.json"
    return
  fi
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  echo "$want" >"$stamp"
}

step "npm packages (static-ui, tests/browser)"
npm_ci "$ui"
npm_ci "$browser_tests"
if [ "${1:-}" = --install-only ]; then exit 0; fi # tests/run installs while the Rust code compiles

# The same command as tests/run's and tests/rehearse's: one feature set, so one build serves all.
step "the local runtime (the browser tests start it; its openapi binary prints the API document)"
(cd "$repo" && cargo build -q --workspace --bins)

step "the page's API types against the API document (npm run api-types regenerates them)"
(cd "$ui" && node scripts/api-types.mjs --check)

step "lint (eslint + typescript-eslint) and types (tsc --noEmit)"
(cd "$ui" && npm run --silent lint && npm run --silent typecheck)

step "unit tests of the page's state (vitest, no browser)"
(cd "$ui" && npm run --silent test)

step "build (vite) and the initial-JS budget"
(cd "$ui" && npm run --silent build)

step "browser tests in Chromium (node --test)"
tap="$(mktemp)"
trap 'rm -f "$tap"' EXIT
status=0
(cd "$browser_tests" && node --test --test-concurrency=1 \
  --test-reporter=spec --test-reporter-destination=stdout \
  --test-reporter=tap --test-reporter-destination="$tap" \
  ./*.test.mjs) || status=$?
passed=$(grep -Eo '^# pass [0-9]+' "$tap" | awk '{print $3}' || true)
failed=$(grep -Eo '^# fail [0-9]+' "$tap" | awk '{print $3}' || true)
step "done"
echo "browser: ${passed:-0} passed, ${failed:-0} failed"
if [ "$status" -ne 0 ] || [ "${passed:-0}" -eq 0 ]; then
  echo "the browser tests failed (screenshots in tests/browser/screenshots/)" >&2
  exit 1
fi
