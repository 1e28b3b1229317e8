#!/usr/bin/env bash
# A network namespace with only loopback (so no IPv6 route: connecting to an IPv6 address fails
# at once with ENETUNREACH and no packet leaves the machine), where the Supabase-style direct host
# name resolves only to an IPv6 documentation address (2001:db8::/32).
#   netns.sh create NAME | netns.sh delete NAME
set -euo pipefail
action=$1 ns=$2
case $action in
  create)
    ip netns add "$ns"
    ip -n "$ns" link set lo up
    mkdir -p "/etc/netns/$ns"
    printf '127.0.0.1 localhost\n::1 localhost ip6-localhost\n2001:db8::5 db.abcdefghijklmnopqrst.supabase.co\n' > "/etc/netns/$ns/hosts"
    ;;
  delete)
    ip netns delete "$ns" 2>/dev/null || true
    rm -rf "/etc/netns/$ns"
    ;;
esac
