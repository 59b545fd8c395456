#!/usr/bin/env bash
# Benchmark of `ipvs adm` against Debian's ipvsadm 1.31, side by side in one lab boot.
#
#   bench/adm.sh [--services N] [--restore-rounds N] [--list-rounds N] [--start-rounds N]
#
# Three measurements, each alternating the two tools (ABAB...) so that the machine's load
# falls on both alike, each reported as the median wall time per run and the ratio:
#   restore  `-R` of N services (default 10,000) with 4 real servers each (5 N lines), into a
#            fresh network namespace per run; the resulting tables are checked identical
#   list     `-Ln` and `-Ln --stats` of that table (5 N entries), output to /dev/null
#   start    `-Ln` on an empty table: cold start, hyperfine -N (no shell), rounds of 10 runs of
#            each tool (20 rounds), measured first, before the large tables exist
# Wall times come from the guest's clock (date +%s%N around each restore and listing run;
# hyperfine for the start-up runs). The guest is User-Mode Linux: one CPU, slow system calls
# and page faults, so absolute times are far above bare metal; the ratios are the result.
set -euo pipefail
cd "$(dirname "$0")/.."

services=10000; restore_rounds=3; list_rounds=5; start_rounds=20
while [ $# -gt 0 ]; do
  case "$1" in
    --services) services=$2; shift 2;;
    --restore-rounds) restore_rounds=$2; shift 2;;
    --list-rounds) list_rounds=$2; shift 2;;
    --start-rounds) start_rounds=$2; shift 2;;
    --guest) shift; break;;
    -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0;;
    *) echo "bench/adm.sh: unknown option $1" >&2; exit 2;;
  esac
done

if [ "${1:-}" != "run" ]; then
  [ -x dist/ipvs ] || scripts/publish
  command -v hyperfine >/dev/null || { echo "bench/adm.sh: hyperfine is needed (apt-get install hyperfine)" >&2; exit 1; }
  exec lab/run -t 7200 -m 2G -- bash bench/adm.sh --services "$services" --restore-rounds "$restore_rounds" \
    --list-rounds "$list_rounds" --start-rounds "$start_rounds" --guest run
fi

# ---- in the guest ----
work=$(mktemp -d /tmp/ipvs-bench.XXXXXX)
trap 'rm -rf "$work"; ip netns del bench-list 2>/dev/null || true' EXIT
ours=$(pwd)/dist/ipvs
debian=/usr/sbin/ipvsadm

# 198.18.0.0/15 holds 131072 addresses: services from 198.18.0.0, real servers from 198.19.0.0.
python3 - "$services" > "$work/restore" <<'PY'
import sys
n = int(sys.argv[1])
out = []
for i in range(n):
    vip = f"198.18.{i // 256}.{i % 256}"
    out.append(f"-A -t {vip}:80 -s rr")
    for k in range(4):
        j = (i * 4 + k) % 65536
        out.append(f"-a -t {vip}:80 -r 198.19.{j // 256}.{j % 256}:8080 -m -w {k + 1}")
print("\n".join(out))
PY
lines=$(wc -l < "$work/restore")

now() { date +%s%N; }
# A namespace where 198.18.0.0/15 is on a link: the kernel takes only reachable unicast real servers.
make_ns() { ip netns add "$1"; ip -n "$1" link set lo up; ip -n "$1" link add b0 type dummy; ip -n "$1" link set b0 up; ip -n "$1" addr add 198.19.255.254/15 dev b0; }
median() { sort -n | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.1f", m/1e6}'; }
ms_min() { sort -n | head -1 | awk '{printf "%.1f", $1/1e6}'; }
row() { # name, debian-times-file, ours-times-file
  local d o; d=$(median < "$2"); o=$(median < "$3")
  printf '%-28s %10s ms %10s ms %8s   (min %s / %s ms, %d runs each)\n' "$1" "$d" "$o" \
    "$(awk -v d="$d" -v o="$o" 'BEGIN{printf "%.1fx", d/o}')" "$(ms_min < "$2")" "$(ms_min < "$3")" "$(wc -l < "$2")"
}

echo "== start: -Ln on an empty table" >&2
make_ns bench-start
for round in $(seq "$start_rounds"); do
  ip netns exec bench-start hyperfine -N -w 2 -r 10 --export-json "$work/s.json" "$debian -Ln" "$ours adm -Ln" > /dev/null 2>&1
  python3 - "$work" <<'PY'
import json, sys
work = sys.argv[1]
for r, name in zip(json.load(open(f"{work}/s.json"))["results"], ["debian", "ours"]):
    with open(f"{work}/s.{name}", "a") as f:
        for t in r["times"]:
            f.write(f"{int(t * 1e9)}\n")
PY
done
ip netns del bench-start

echo "== restore: $lines lines ($services services x 4 real servers)" >&2
: > "$work/r.debian"; : > "$work/r.ours"
for round in $(seq "$restore_rounds"); do
  for tool in debian ours; do
    ns=bench-r-$tool-$round
    make_ns "$ns"
    if [ $tool = debian ]; then cmd=("$debian" -R); else cmd=("$ours" adm -R); fi
    start=$(now); ip netns exec "$ns" "${cmd[@]}" < "$work/restore"; end=$(now)
    echo $((end - start)) >> "$work/r.$tool"
    ip netns exec "$ns" "$debian" -Sn | md5sum > "$work/state.$tool"
    ip netns del "$ns"
    echo "   round $round $tool: $(( (end - start) / 1000000 )) ms" >&2
  done
  cmp -s "$work/state.debian" "$work/state.ours" || { echo "restore: the two tables differ" >&2; exit 1; }
done

echo "== list: the same table" >&2
make_ns bench-list
ip netns exec bench-list "$ours" adm -R < "$work/restore"
for kind in plain stats; do : > "$work/l$kind.debian"; : > "$work/l$kind.ours"; done
ip netns exec bench-list "$debian" -Ln > "$work/list.debian"
ip netns exec bench-list "$ours" adm -Ln > "$work/list.ours"
cmp -s "$work/list.debian" "$work/list.ours" || { echo "list: the two outputs differ" >&2; exit 1; }
for round in $(seq "$list_rounds"); do
  for tool in debian ours; do
    for kind in plain stats; do
      if [ $tool = debian ]; then cmd=("$debian" -Ln); else cmd=("$ours" adm -Ln); fi
      [ $kind = stats ] && cmd+=(--stats)
      start=$(now); ip netns exec bench-list "${cmd[@]}" > /dev/null; end=$(now)
      echo $((end - start)) >> "$work/l$kind.$tool"
    done
  done
done
ip netns del bench-list

echo
printf '%-28s %13s %13s %8s\n' "" "ipvsadm" "ipvs adm" "ratio"
row "restore (-R, $lines lines)" "$work/r.debian" "$work/r.ours"
row "list (-Ln, $((services * 5)) entries)" "$work/lplain.debian" "$work/lplain.ours"
row "list (-Ln --stats)" "$work/lstats.debian" "$work/lstats.ours"
row "cold start (-Ln, empty)" "$work/s.debian" "$work/s.ours"
echo "(ratio = ipvsadm / ipvs adm: above 1 means ipvs adm is faster; targets: restore >= 10x, list >= 1.5x, start >= 0.5x)"
