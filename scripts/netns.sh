#!/usr/bin/env bash
# A network namespace with only loopback: no IPv6 route, so connecting to an IPv6 address fails
# at once with ENETUNREACH and no packet leaves the machine. Extra /etc/hosts lines (one per
# argument) make a host name resolve, inside the namespace only, to an address of our choosing.
#   netns.sh create NAME ["ADDRESS HOSTNAME" ...]   |   netns.sh delete NAME
set -euo pipefail
action=$1 ns=$2
shift 2
case $action in
  create)
    ip netns add "$ns"
    ip -n "$ns" link set lo up
    mkdir -p "/etc/netns/$ns"
    { printf '127.0.0.1 localhost\n::1 localhost ip6-localhost\n'; for line in "$@"; do printf '%s\n' "$line"; done; } > "/etc/netns/$ns/hosts"
    ;;
  delete)
    ip netns delete "$ns" 2>/dev/null || true
    rm -rf "/etc/netns/$ns"
    ;;
esac
