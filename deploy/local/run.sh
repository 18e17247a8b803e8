#!/usr/bin/env bash
# Runs FlowLens with demo data on http://127.0.0.1:5080 — no Docker, no AWS account.
# Starts its own PostgreSQL under .local/ (override with FLOWLENS_DEMO_DIR), builds the frontend and backend,
# writes a day of synthetic flow logs in the S3 layout into .local/flowlogs (delete it to regenerate) and the
# country and ASN databases of their addresses into .local/geo, serves FlowLens with the synthetic accounts'
# inventory, networks and AWS ranges, ingests the logs through a directory source and prints the URL and the admin API key.
# Ctrl-C stops FlowLens and its PostgreSQL.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/deploy/local/common.sh"

data=${FLOWLENS_DEMO_DIR:-$root/.local}
pg_port=${FLOWLENS_DEMO_PG_PORT:-5433}
http_port=${FLOWLENS_PORT:-5080}
url="http://127.0.0.1:$http_port"
bin=$(pg_bin_dir)
mkdir -p "$data/pg"
data=$(cd "$data" && pwd)

# --- PostgreSQL: a cluster of our own, on loopback only.
if [ "$(id -u)" = 0 ]; then
  chown postgres: "$data/pg"
  as_pg test -w "$data/pg" || { echo "The postgres user cannot write $data/pg; set FLOWLENS_DEMO_DIR to a folder it can reach (e.g. /var/tmp/flowlens)." >&2; exit 1; }
fi
if [ ! -f "$data/pg/PG_VERSION" ]; then
  as_pg "$bin/initdb" -D "$data/pg" -U postgres --auth=trust -E UTF8 --no-locale >/dev/null
fi
if ! as_pg "$bin/pg_ctl" -D "$data/pg" status >/dev/null 2>&1; then
  if ! as_pg "$bin/pg_ctl" -D "$data/pg" -l "$data/pg/server.log" -w \
    -o "-p $pg_port -c listen_addresses=127.0.0.1 -k $data/pg" start >/dev/null; then
    tail -n 5 "$data/pg/server.log" >&2
    echo "PostgreSQL did not start (is port $pg_port taken? set FLOWLENS_DEMO_PG_PORT)." >&2
    exit 1
  fi
fi
server_pid=
cleanup() {
  set +e # stop everything, whatever each step answers
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null
    wait "$server_pid" 2>/dev/null
  fi
  as_pg "$bin/pg_ctl" -D "$data/pg" -m fast -w stop >/dev/null 2>&1
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- The admin key: made once, kept in the data folder.
if [ ! -s "$data/admin-key" ]; then
  (umask 077; echo "fl_$(head -c 24 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')" > "$data/admin-key")
fi
admin_key=$(cat "$data/admin-key")
# --- The first admin person's password (the demo's sign-in), made once too.
if [ ! -s "$data/admin-password" ]; then
  (umask 077; head -c 15 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=' > "$data/admin-password")
fi
admin_email=admin@flowlens.local
admin_password=$(cat "$data/admin-password")

# --- Build: the frontend into the API's wwwroot, then the API.
echo "Building the frontend..."
npm_ci_if_needed "$root/frontend"
cd "$root/frontend"
npm run build --silent >/dev/null
echo "Building the backend..."
dotnet build "$root/backend/src/FlowLens.Api" -c Release --nologo -v quiet >/dev/null

# --- Demo flow logs: the last 24 hours, as AWS would deliver them to S3.
cd "$root/backend/src/FlowLens.Api"
if [ ! -d "$data/flowlogs" ]; then
  dotnet run -c Release --no-build --no-launch-profile -- demo-data "$data/flowlogs"
fi
# --- Their context: country and ASN databases for the synthetic addresses (written again each time, the same bytes).
dotnet run -c Release --no-build --no-launch-profile -- demo-geo "$data/geo" >/dev/null

# --- Serve.
export ASPNETCORE_URLS=$url
export ConnectionStrings__FlowLens="Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=flowlens"
export FlowLens__Auth__BootstrapAdminKey=$admin_key
export FlowLens__Auth__BootstrapAdmin__Email=$admin_email
export FlowLens__Auth__BootstrapAdmin__Password=$admin_password
export FlowLens__Sources__DirectoryRoots__0=$data/flowlogs
# The demo's context (docs/enrichment.md, "In the demo"): the synthetic accounts' inventory for the source named demo,
# their networks and AWS's ranges (kept when there are some), and the country and ASN files written above.
export FlowLens__Demo__Source=demo
export FlowLens__Demo__AwsIpRanges=$root/deploy/local/demo/ip-ranges.json
export FlowLens__Enrichment__GeoIpDatabase=$data/geo/demo-country.mmdb
export FlowLens__Enrichment__AsnDatabase=$data/geo/demo-asn.mmdb
# The built app itself, not `dotnet run`: its pid is the server's, so stopping it on exit stops FlowLens.
dotnet bin/Release/net10.0/FlowLens.Api.dll > "$data/flowlens.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 120); do
  node -e 'fetch(process.argv[1]).then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))' "$url/api/health" && break
  kill -0 "$server_pid" 2>/dev/null || { echo "FlowLens did not start; see $data/flowlens.log" >&2; tail -n 20 "$data/flowlens.log" >&2; exit 1; }
  sleep 1
done
FLOWLENS_ADMIN_KEY=$admin_key node "$root/deploy/local/demo-source.mjs" "$url" \
  "{\"name\": \"demo\", \"kind\": \"directory\", \"directory\": {\"path\": \"$data/flowlogs\"}}"
cat <<MSG

  FlowLens is running at $url
  Sign in as $admin_email with password $admin_password
  Admin API key: $admin_key
  API docs: $url/swagger   Jobs: $url/hangfire
  Logs: $data/flowlens.log   Data: $data

  Ctrl-C stops FlowLens and its PostgreSQL.
MSG
wait "$server_pid"
