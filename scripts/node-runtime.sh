#!/usr/bin/env bash
# scripts/node-runtime.sh VERSION: prints the bin folder of Node.js VERSION (22, 24, 24.22.3, …),
# fetched once from the npm registry, where Node ships as the package node-linux-<arch>@<version>
# (the binary only: no npm inside; use the system npm with this node first on PATH), into
# node_modules/.cache/node/<version>/. Used by `npm run setup` (when the machine's Node is older
# than the floor) and by .ci/run (the unit and processes suites on each current LTS line).
set -euo pipefail
cd "$(dirname "$0")/.."
spec=${1:?usage: scripts/node-runtime.sh VERSION}
case $(uname -m) in
  x86_64) arch=x64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) echo "node-runtime: no node-linux package for $(uname -m)" >&2; exit 1 ;;
esac
dir=node_modules/.cache/node/$spec
if [[ ! -x $dir/bin/node ]]; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  tarball=$(cd "$tmp" && npm pack --silent "node-linux-$arch@$spec")
  rm -rf "$dir" && mkdir -p "$dir"
  tar -xzf "$tmp/$tarball" -C "$dir" --strip-components=1
  "$dir/bin/node" --version >/dev/null || { echo "node-runtime: node-linux-$arch@$spec does not run here" >&2; rm -rf "$dir"; exit 1; }
fi
echo "$PWD/$dir/bin"
