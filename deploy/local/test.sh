#!/usr/bin/env bash
# Runs the FlowLens tests and closes with one line, "tests: N passed, N failed".
#   deploy/local/test.sh          every test: frontend (type check, lint, format, Vitest, build), backend (format,
#                                 xunit against a real PostgreSQL) and the dashboard in Debian's Chromium against
#                                 FlowLens started by run.sh (screenshots in frontend/e2e/output). CI runs this.
#   deploy/local/test.sh --fast   the quick answer: type check, lint, format (C#: whitespace only), Vitest and the
#                                 backend tests not tagged Slow; no production build, no browser, no npm ci when
#                                 node_modules is current.
# From anywhere; installs npm packages and, if missing, PostgreSQL and Chromium.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/deploy/local/common.sh"

fast=false
case "${1:-}" in
  "") ;;
  --fast) fast=true ;;
  *) echo "usage: deploy/local/test.sh [--fast]" >&2; exit 2 ;;
esac

log=$(mktemp -d)
trap 'if [ -n "${frontend_pid:-}" ]; then kill "$frontend_pid" 2>/dev/null || true; fi; rm -rf "$log"' EXIT

# The backend tests start their own throwaway cluster with these binaries (or use FLOWLENS_TEST_DB).
export PATH="$(pg_bin_dir):$PATH"

frontend_checks() {
  cd "$root/frontend"
  npm run typecheck
  npm run --silent lint
  npm run --silent format:check
  npx vitest run --reporter=default --reporter=json --outputFile="$log/vitest.json"
  $fast || npm run build
}

echo "== frontend"
if $fast; then
  # The fast tier checks the frontend while the backend tests run: they leave a core idle much of the time.
  npm_ci_if_needed "$root/frontend"
  (set -e; frontend_checks) >"$log/frontend.txt" 2>&1 &
  frontend_pid=$!
  echo "(running beside the backend; its output follows the backend's)"
else
  npm_ci "$root/frontend"
  frontend_checks
fi

echo "== backend"
# The S3 emulator the ingestion tests run S3 sources against.
npm_ci_if_needed "$root/backend/tests/s3rver"
# The SMTP server the notification tests send mail to.
npm_ci_if_needed "$root/backend/tests/smtp-server"
# The SQS emulator the queue-source tests send S3 event notifications through.
npm_ci_if_needed "$root/backend/tests/sqs"
# The API recipes' tests run docs/api-recipes.md's scripts as written: bash with curl and jq, and Python 3.
if ! $fast; then
  missing=()
  for tool in curl jq python3; do command -v "$tool" >/dev/null || missing+=("$tool"); done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "Installing ${missing[*]} for the API recipes' tests..."
    as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
fi
cd "$root"
# The fast tier checks layout only (seconds); the full run also the code style rules, which compile the code (half a minute).
if $fast; then dotnet format whitespace FlowLens.sln --verify-no-changes; else dotnet format FlowLens.sln --verify-no-changes; fi
filter=()
$fast && filter=(--filter "Category!=Slow")
dotnet test FlowLens.sln --nologo "${filter[@]}" 2>&1 | tee "$log/dotnet.txt"

if $fast; then
  echo "== frontend (beside the backend)"
  frontend_status=0
  wait "$frontend_pid" || frontend_status=$?
  cat "$log/frontend.txt"
  [ "$frontend_status" -eq 0 ] || { echo "frontend checks failed ($frontend_status)" >&2; exit "$frontend_status"; }
fi

if ! $fast; then
  echo "== browser"
  if ! command -v chromium >/dev/null; then
    echo "Installing Debian's chromium for the browser tests..."
    as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  fi
  cd "$root/frontend"
  rm -rf e2e/output
  npm run --silent e2e -- --reporter=default --reporter=json --outputFile="$log/e2e.json"
fi

# One closing line for everything: "N passed, N failed".
vitest_counts() {
  if [ -f "$1" ]; then
    node -e 'const r = require(process.argv[1]); console.log(r.numPassedTests, r.numFailedTests);' "$1"
  else
    echo 0 0
  fi
}
read -r fe_passed fe_failed < <(vitest_counts "$log/vitest.json")
read -r e2e_passed e2e_failed < <(vitest_counts "$log/e2e.json")
read -r be_passed be_failed < <(awk '/(Passed|Failed)! *-/ {
  for (i = 1; i <= NF; i++) { if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1) } }
  END { print p+0, f+0 }' FS='[ ,]+' "$log/dotnet.txt")
echo "tests: $((fe_passed + be_passed + e2e_passed)) passed, $((fe_failed + be_failed + e2e_failed)) failed"
