#!/usr/bin/env bash
# Builds (or finds) the images the containers provider uses, and records the choice in
# .docker-images.env. With a reachable registry: the official node and postgres images, PgBouncer
# from Debian's package on the official Debian image. Without one (no `docker pull`): equivalent
# images from Debian packages (debootstrap + docker import), then the same Dockerfiles on top.
# Idempotent: existing tags are reused. The services image itself is built per source version by
# the containers provider (helpers/stack/containers/images.ts).
set -euo pipefail
cd "$(dirname "$0")/.."
say() { printf 'images: %s\n' "$*"; }
fail() { printf 'images: error: %s\n' "$*" >&2; exit 1; }
# Temporary folders (a debootstrap root, an npm install) go on any exit, a failed step's included.
temps=()
trap 'rm -rf "${temps[@]}"' EXIT

docker info >/dev/null 2>&1 || fail "no Docker engine answers: install docker.io and start dockerd (npm run setup does both as root)"
# shellcheck disable=SC1091
source images/versions.env
have() { docker image inspect "$1" >/dev/null 2>&1; }
# docker build, quiet; its output is shown only when it fails.
build() {
  local log
  log=$(mktemp)
  docker build -q --force-rm "$@" >"$log" 2>&1 || { cat "$log" >&2; rm -f "$log"; fail "docker build $* failed"; }
  rm -f "$log"
}

if have "$NODE_IMAGE_OFFICIAL" && have "$POSTGRES_IMAGE_OFFICIAL" && have "$DEBIAN_IMAGE_OFFICIAL" ||
   { docker pull -q "$NODE_IMAGE_OFFICIAL" && docker pull -q "$POSTGRES_IMAGE_OFFICIAL" && docker pull -q "$DEBIAN_IMAGE_OFFICIAL"; } >/dev/null 2>&1; then
  mode=registry node=$NODE_IMAGE_OFFICIAL postgres=$POSTGRES_IMAGE_OFFICIAL base=$DEBIAN_IMAGE_OFFICIAL
  say "registry reachable: official images $node, $postgres"
else
  mode=offline node=$OFFLINE_NODE postgres=$OFFLINE_POSTGRES base=$OFFLINE_BASE
  say "no container registry reachable: building equivalents from Debian packages"
  if ! have "$OFFLINE_BASE"; then
    command -v debootstrap >/dev/null || fail "debootstrap is needed for offline images: apt-get install -y debootstrap"
    # The mirror comes from this machine's apt sources, never from the repository.
    mirror=$(grep -h '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -1 | awk '{print $2}')
    [[ -n $mirror ]] || mirror=$(grep -h '^deb ' /etc/apt/sources.list 2>/dev/null | head -1 | awk '{print $2}')
    [[ -n $mirror ]] || fail "no Debian mirror found in /etc/apt/sources.list.d/*.sources or /etc/apt/sources.list"
    rootfs=$(mktemp -d)
    temps+=("$rootfs")
    say "debootstrap bookworm (about 40 s)"
    debootstrap --variant=minbase --include=postgresql-15,pgbouncer,libstdc++6,ca-certificates,openssl,python3,python3-psycopg bookworm "$rootfs" "$mirror" >/dev/null
    rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* \
           "$rootfs"/var/lib/postgresql/15/main "$rootfs"/etc/postgresql/15/main
    tar -C "$rootfs" -c . | docker import -c 'CMD ["bash"]' - "$OFFLINE_BASE" >/dev/null
    say "built $OFFLINE_BASE"
  fi
  if ! have "$OFFLINE_NODE"; then
    # Node 20 from this machine (it needs only libc and libstdc++), plus the `node` user of the official image.
    ctx=$(mktemp -d)
    cp "$(command -v node)" "$ctx/node"
    printf 'FROM %s\nCOPY node /usr/local/bin/node\nRUN useradd --create-home --uid 1000 node\nCMD ["node"]\n' "$OFFLINE_BASE" > "$ctx/Dockerfile"
    build -t "$OFFLINE_NODE" "$ctx"
    rm -rf "$ctx"
    say "built $OFFLINE_NODE ($(node --version))"
  fi
  if ! have "$OFFLINE_POSTGRES"; then
    build -f images/postgres/Dockerfile --build-arg BASE_IMAGE="$OFFLINE_BASE" -t "$OFFLINE_POSTGRES" .
    say "built $OFFLINE_POSTGRES"
  fi
  # Production node_modules for the services image, prepared here so its build needs no network.
  if [[ ! -d .docker-deps/node_modules || package-lock.json -nt .docker-deps/node_modules ]]; then
    work=$(mktemp -d)
    temps+=("$work")
    cp package.json package-lock.json .npmrc "$work/"
    (cd "$work" && npm ci --omit=dev --no-audit --no-fund --loglevel=error)
    rm -rf .docker-deps/node_modules && mv "$work/node_modules" .docker-deps/node_modules && rm -rf "$work"
    say "prepared production node_modules for offline builds"
  fi
fi

if ! have "$PGBOUNCER_IMAGE"; then
  build -f images/pgbouncer/Dockerfile --build-arg BASE_IMAGE="$base" -t "$PGBOUNCER_IMAGE" .
  say "built $PGBOUNCER_IMAGE"
fi

# The Python example services (examples/python): two tags from one Dockerfile, -api and -worker,
# each with its own CMD. The tag carries a hash of the sources, so an edit builds a new image.
py_hash=$(cd examples/python && find . -type f ! -path '*/__pycache__/*' -print0 | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -c1-12)
python_image="$PYTHON_EXAMPLE_IMAGE:$OFFLINE_VERSION-$py_hash"
for target in api worker; do
  if ! have "$python_image-$target"; then
    build --target "$target" --build-arg BASE_IMAGE="$base" -t "$python_image-$target" examples/python
    say "built $python_image-$target"
  fi
done

cat > .docker-images.env <<ENV
# Written by scripts/build-images.sh ($mode). Read by the containers provider and docker-compose.test.yml.
E2E_IMAGE_MODE=$mode
E2E_NODE_IMAGE=$node
E2E_POSTGRES_IMAGE=$postgres
E2E_PGBOUNCER_IMAGE=$PGBOUNCER_IMAGE
E2E_BASE_IMAGE=$base
E2E_PYTHON_EXAMPLE_IMAGE=$python_image
E2E_PYTHON_API_IMAGE=$python_image-api
E2E_PYTHON_WORKER_IMAGE=$python_image-worker
ENV
say "images ready ($mode): node $node, postgres $postgres, pgbouncer $PGBOUNCER_IMAGE"
