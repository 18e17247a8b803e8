#!/usr/bin/env bash
# Runs every FlowLens test: frontend (type check, Vitest, build), backend (xunit against a real PostgreSQL) and
# the dashboard in Debian's Chromium against FlowLens started by run.sh (screenshots in frontend/e2e/output).
# Usage: deploy/local/test.sh   (from anywhere; installs npm packages and, if missing, PostgreSQL and Chromium)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/deploy/local/common.sh"
log=$(mktemp -d)
trap 'rm -rf "$log"' EXIT

# The backend tests start their own throwaway cluster with these binaries (or use FLOWLENS_TEST_DB).
export PATH="$(pg_bin_dir):$PATH"

echo "== frontend"
cd "$root/frontend"
npm ci --no-audit --no-fund --loglevel=error
npm run typecheck
npx vitest run --reporter=default --reporter=json --outputFile="$log/vitest.json"
npm run build

echo "== backend"
# The S3 emulator the ingestion tests run S3 sources against.
(cd "$root/backend/tests/s3rver" && npm ci --no-audit --no-fund --loglevel=error)
cd "$root"
dotnet test FlowLens.sln --nologo 2>&1 | tee "$log/dotnet.txt"

echo "== browser"
if ! command -v chromium >/dev/null; then
  echo "Installing Debian's chromium for the browser tests..."
  as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
cd "$root/frontend"
rm -rf e2e/output
npm run --silent e2e -- --reporter=default --reporter=json --outputFile="$log/e2e.json"

# One closing line for everything: "N passed, N failed".
vitest_counts() {
  node -e 'const r = require(process.argv[1]); console.log(r.numPassedTests, r.numFailedTests);' "$1"
}
read -r fe_passed fe_failed < <(vitest_counts "$log/vitest.json")
read -r e2e_passed e2e_failed < <(vitest_counts "$log/e2e.json")
read -r be_passed be_failed < <(awk '/(Passed|Failed)! *-/ {
  for (i = 1; i <= NF; i++) { if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1) } }
  END { print p+0, f+0 }' FS='[ ,]+' "$log/dotnet.txt")
echo "tests: $((fe_passed + be_passed + e2e_passed)) passed, $((fe_failed + be_failed + e2e_failed)) failed"
