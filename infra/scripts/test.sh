#!/usr/bin/env bash
# Checks the infrastructure code end to end, offline apart from the package installs:
#   1. installs Node packages (npm ci from package-lock.json) and, in venvs under infra/,
#      cfn-lint and the AWS SAM CLI (PyPI); `--install-only` stops after this step;
#   2. type-checks and compiles the CDK app and tests (tsc);
#   3. `cdk synth` with a fixed account/region, no lookups, no AWS credentials, bundling skipped
#      (set INFRA_BUNDLE=1 to build the Rust functions for real: needs cargo-lambda and zig);
#   4. runs the tests with Node's test runner: CDK template assertions, SAM drift against
#      functions.json and the CDK template, cfn-lint on the synthesized template (W3005 only
#      ignored) and `sam validate --lint`.
# Prints a step summary, then the test runner's output, whose last lines are its own summary.
# Exits non-zero if any step or test fails. Works with CI=true on a clean checkout.
set -uo pipefail

INFRA="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$INFRA"

CFN_LINT_VERSION=1.58.0
SAM_CLI_VERSION=1.170.0
STACK=OperatorConsole

# Hermetic: fixed account and region, no credentials, no metadata service, no telemetry,
# no notices; nothing reaches the network except npm and PyPI for installs.
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_PROFILE AWS_DEFAULT_PROFILE
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true
export AWS_REGION=ap-northeast-1 AWS_DEFAULT_REGION=ap-northeast-1
export CDK_DEFAULT_ACCOUNT=123456789012 CDK_DEFAULT_REGION=ap-northeast-1
export CDK_DISABLE_CLI_TELEMETRY=true CDK_DISABLE_VERSION_CHECK=true SAM_CLI_TELEMETRY=0
export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false

LOGS="$INFRA/build/logs"
mkdir -p "$LOGS"
SUMMARY=()
FAILED=0
record() { # name status seconds [note]
  SUMMARY+=("$(printf '  %-4s %-34s %5ss  %s' "$2" "$1" "$3" "${4:-}")")
  [ "$2" = ok ] || FAILED=1
}
print_summary() {
  echo
  echo "== infra checks: steps =="
  printf '%s\n' "${SUMMARY[@]}"
  echo "   logs: $LOGS"
}
fail_now() {
  print_summary
  echo "infra checks FAILED before the tests could run (see the step marked FAIL above)."
  exit 1
}
sha() { sha256sum "$1" | cut -d' ' -f1; }

# --- 1. installs -----------------------------------------------------------------------------
install_node() {
  local stamp="node_modules/.ci-stamp" want
  want="$(sha package-lock.json) $(node --version)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then echo cached; return 0; fi
  npm ci --no-audit --no-fund --loglevel=error && echo "$want" > "$stamp"
}

ensure_venv_support() {
  python3 -c 'import ensurepip, venv' 2>/dev/null && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "python3 venv support missing: installing python3-venv with apt-get"
    apt-get update -qq && apt-get install -y -qq python3-venv
  else
    echo "python3 cannot create venvs: install python3-venv (Debian/Ubuntu)" >&2
    return 1
  fi
}

install_venv() { # dir package==version
  local dir="$1" spec="$2" stamp="$1/.ci-stamp"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$spec" ]; then echo cached; return 0; fi
  rm -rf "$dir"
  python3 -m venv "$dir" &&
    "$dir/bin/python" -m pip install --quiet --disable-pip-version-check "$spec" &&
    echo "$spec" > "$stamp"
}

for tool in node npm python3; do
  command -v "$tool" >/dev/null || { echo "missing $tool"; record "prerequisite $tool" FAIL 0; fail_now; }
done
node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)' ||
  { record "Node.js >= 20 ($(node --version))" FAIL 0; fail_now; }

start=$SECONDS
ensure_venv_support > "$LOGS/venv-support.log" 2>&1 || { cat "$LOGS/venv-support.log"; record "python3 venv support" FAIL 0; fail_now; }
# The three installs are network-bound: run them side by side.
install_node > "$LOGS/npm-ci.log" 2>&1 & npm_pid=$!
install_venv .venv-cfnlint "cfn-lint==$CFN_LINT_VERSION" > "$LOGS/pip-cfn-lint.log" 2>&1 & cfn_pid=$!
install_venv .venv-sam "aws-sam-cli==$SAM_CLI_VERSION" > "$LOGS/pip-sam.log" 2>&1 & sam_pid=$!
wait $npm_pid; npm_rc=$?
wait $cfn_pid; cfn_rc=$?
wait $sam_pid; sam_rc=$?
elapsed=$((SECONDS - start))
note() { grep -qx cached "$1" && echo "(cached)" || echo "(installed)"; }
[ $npm_rc = 0 ] && record "npm ci" ok "$elapsed" "$(note "$LOGS/npm-ci.log")" || { cat "$LOGS/npm-ci.log"; record "npm ci" FAIL "$elapsed"; }
[ $cfn_rc = 0 ] && record "cfn-lint $CFN_LINT_VERSION (venv)" ok "$elapsed" "$(note "$LOGS/pip-cfn-lint.log")" || { cat "$LOGS/pip-cfn-lint.log"; record "cfn-lint $CFN_LINT_VERSION (venv)" FAIL "$elapsed"; }
[ $sam_rc = 0 ] && record "aws-sam-cli $SAM_CLI_VERSION (venv)" ok "$elapsed" "$(note "$LOGS/pip-sam.log")" || { cat "$LOGS/pip-sam.log"; record "aws-sam-cli $SAM_CLI_VERSION (venv)" FAIL "$elapsed"; }
[ $FAILED = 0 ] || fail_now
if [ "${1:-}" = --install-only ]; then # tests/run installs while the Rust code compiles
  print_summary
  exit 0
fi

# --- 2. compile ------------------------------------------------------------------------------
start=$SECONDS
rm -rf build/infra build/static-ui
if npx --no-install tsc -p . > "$LOGS/tsc.log" 2>&1; then
  record "tsc (type-check + compile)" ok $((SECONDS - start))
else
  cat "$LOGS/tsc.log"; record "tsc (type-check + compile)" FAIL $((SECONDS - start)); fail_now
fi

# --- 3. cdk synth ----------------------------------------------------------------------------
start=$SECONDS
rm -rf cdk.out
# tsc already ran: run the compiled app directly rather than cdk.json's "npx tsc && node ...".
synth_args=(synth --app "node build/infra/bin/operator-console.js" --no-lookups --no-notices --quiet)
if [ "${INFRA_BUNDLE:-0}" = 1 ]; then
  command -v cargo-lambda >/dev/null || { echo "INFRA_BUNDLE=1 needs cargo-lambda on PATH (pip install cargo-lambda ziglang)"; record "cdk synth (bundling)" FAIL 0; fail_now; }
  synth_label="cdk synth (Rust functions bundled)"
else
  synth_args+=(-c skipBundling=true)
  synth_label="cdk synth (bundling skipped)"
fi
if npx --no-install cdk "${synth_args[@]}" > "$LOGS/cdk-synth.log" 2>&1 && [ -f "cdk.out/$STACK.template.json" ]; then
  record "$synth_label" ok $((SECONDS - start)) "$(grep -c '^WARNING' "$LOGS/cdk-synth.log") warning(s), see log"
else
  cat "$LOGS/cdk-synth.log"; record "$synth_label" FAIL $((SECONDS - start)); fail_now
fi

# --- 4. tests --------------------------------------------------------------------------------
print_summary
echo
echo "== infra checks: tests (node --test: CDK assertions, SAM drift, cfn-lint, sam validate --lint) =="
export CDK_TEMPLATE="$INFRA/cdk.out/$STACK.template.json"
export CFN_LINT="$INFRA/.venv-cfnlint/bin/cfn-lint" SAM_CLI="$INFRA/.venv-sam/bin/sam"
# TAP keeps the runner's summary (# tests / # pass / # fail ...) as the very last lines.
exec node --test --test-reporter=tap build/infra/test/*.test.js
