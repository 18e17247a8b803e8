# Shared by run.sh and test.sh: find (or install) the PostgreSQL server binaries and run them as a non-root user.

# Prints the folder holding initdb and pg_ctl, installing Debian's postgresql package when there is none.
pg_bin_dir() {
  local dir
  dir=$(dirname "$(command -v initdb 2>/dev/null)" 2>/dev/null)
  if [ -n "$dir" ] && [ -x "$dir/pg_ctl" ]; then echo "$dir"; return; fi
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ -z "$dir" ]; then
    echo "PostgreSQL server binaries not found; installing Debian's postgresql package..." >&2
    as_root apt-get update -qq >&2 && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
    # Debian starts a system cluster on install; FlowLens runs its own, so leave the system one stopped.
    as_root service postgresql stop >/dev/null 2>&1 || true
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  fi
  [ -n "$dir" ] || { echo "Could not find or install PostgreSQL (initdb, pg_ctl)." >&2; return 1; }
  echo "$dir"
}

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

# PostgreSQL refuses to run as root: as root, run its commands as the postgres user.
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# npm ci in folder $1, unless its node_modules was installed from this very package-lock.json: a stamp holds the
# lock's SHA-256 (FlowLens.Api.csproj's publish target reads and writes the same stamp).
npm_ci_if_needed() {
  local stamp=$1/node_modules/.flowlens-lock.sha256 hash
  hash=$(sha256sum "$1/package-lock.json" | cut -d ' ' -f 1)
  if [ -f "$stamp" ] && [ "$(tr 'A-F' 'a-f' < "$stamp")" = "$hash" ]; then return; fi
  npm_ci "$1"
}

# npm ci in folder $1, then the stamp npm_ci_if_needed reads.
npm_ci() {
  (cd "$1" && npm ci --no-audit --no-fund --loglevel=error)
  sha256sum "$1/package-lock.json" | cut -d ' ' -f 1 > "$1/node_modules/.flowlens-lock.sha256"
}
