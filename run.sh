#!/usr/bin/env bash
# Installs what is missing, publishes the native binary to dist/ipvs (with the links dist/ipvsadm
# and dist/sealctl), then runs the live demonstration: on this host when its kernel has IPVS and
# we are root, otherwise inside the lab kernel (lab/run).
#   ./run.sh               build and demonstrate ipvs care
#   ./run.sh --ha          build and demonstrate a highly available pair (lab/demo-ha: keepalived,
#                          two directors, streams through a failover and a failback)
#   ./run.sh --build-only  stop after publishing
set -euo pipefail
cd "$(dirname "$0")"
lab/install-deps
scripts/require-dotnet
scripts/publish
echo "run: built $(pwd)/dist/ipvs ($(du -h dist/ipvs | cut -f1)), links dist/ipvsadm, dist/sealctl" >&2
[ "${1:-}" = "--build-only" ] && exit 0
if [ "${1:-}" = "--ha" ]; then
  shift
  # The pair needs namespaces, a bridge and keepalived: always in the lab, never on this host's network.
  exec lab/run -t 900 -- lab/demo-ha "$@"
fi
if [ "$(id -u)" = 0 ] && [ -d /proc/net ] && grep -qw ip_vs /proc/modules 2>/dev/null; then
  exec lab/demo
fi
echo "run: this kernel has no IPVS; the demonstration runs in the lab kernel (User-Mode Linux)" >&2
exec lab/run -t 600 -- lab/demo
