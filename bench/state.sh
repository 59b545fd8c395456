#!/usr/bin/env bash
# Benchmark of the declarative state commands against ipvsadm, side by side in one lab boot.
#
#   bench/state.sh [-n SERVICES] [-r RUNS]     (default 10000 services x 4 real servers, 3 runs)
#
# In the lab kernel (booted here unless already inside it), for each run, in fresh network
# namespaces:
#   1. ipvsadm -R of the equivalent rules, from an empty table            (the reference)
#   2. ipvs apply of the YAML file (and of the same file as JSON), from empty   (the full load)
#   3. with that loaded, ipvs diff then ipvs apply of a file changing 1% of the services
#      (a third change their scheduler, a third a weight, a third replace a real server)
#   4. the same change made by a running ipvs apply --watch (back to the full file and forth
#      to the 1% one), as the loop logs it, of the YAML file and of the same states as JSON
# It checks each result (the plan of the 1% file holds exactly the changed objects; after each
# apply, diff is clean) and prints wall times (median of the runs), peak RSS (/usr/bin/time %M),
# the ratios, and each command's own breakdown (IPVS_TIMING=1).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
services=10000; runs=3
while [ $# -gt 0 ]; do
  case "$1" in
    -n) services=$2; shift 2;;
    -r) runs=$2; shift 2;;
    --inside) inside=1; shift;;
    -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0;;
    *) echo "bench/state.sh: unknown argument $1" >&2; exit 2;;
  esac
done
ipvs=$here/dist/ipvs
[ -x "$ipvs" ] || { echo "bench/state.sh: $ipvs is missing: run scripts/publish first" >&2; exit 2; }
if [ -z "${inside:-}" ] && [ "${IPVS_LAB:-}" != 1 ]; then
  exec "$here/lab/run" -t 3600 -m 2G -- "$here/bench/state.sh" --inside -n "$services" -r "$runs"
fi

work=$(mktemp -d /tmp/ipvs-bench.XXXXXX)
namespaces=()
cleanup() { for ns in "${namespaces[@]}"; do ip netns delete "$ns" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

# The files: service i is tcp/198.18.X.Y:80 with real servers 198.19.J.Y:8080 (J = 0..3).
awk -v n="$services" -v dir="$work" 'BEGIN {
  yaml = dir "/services.yaml"; change = dir "/services-1pct.yaml"; rules = dir "/rules"
  print "services:" > yaml; print "services:" > change
  for (i = 0; i < n; i++) {
    a = sprintf("198.18.%d.%d", int(i / 250), i % 250 + 1)
    printf "  - service: tcp/%s:80\n    scheduler: wlc\n    servers:\n", a > yaml
    printf "-A -t %s:80 -s wlc\n", a > rules
    sched = "wlc"; weight = 1; last = sprintf("198.19.3.%d", i % 250 + 1)
    if (i % 100 == 0) { k = int(i / 100) % 3; if (k == 0) sched = "rr"; else if (k == 1) weight = 3; else last = sprintf("198.19.9.%d", i % 250 + 1) }
    printf "  - service: tcp/%s:80\n    scheduler: %s\n    servers:\n", a, sched > change
    for (j = 0; j < 4; j++) {
      s = sprintf("198.19.%d.%d:8080", j, i % 250 + 1)
      printf "      - %s\n", s > yaml
      printf "-a -t %s:80 -r %s -m -w 1\n", a, s > rules
      if (j == 0 && weight != 1) printf "      - {server: %s, weight: %d}\n", s, weight > change
      else if (j == 3) printf "      - %s:8080\n", last > change
      else printf "      - %s\n", s > change
    }
  }
}'
changed=$(( (services + 99) / 100 ))
# Expected plan of the 1% file: a third scheduler edits, a third weight edits, a third add+delete.
expected_plan=$(awk -v n="$services" 'BEGIN { c = 0; for (i = 0; i < n; i += 100) { k = int(i / 100) % 3; c += (k == 2) ? 2 : 1 }; print c }')
echo "bench: $services services x 4 real servers ($(wc -l < "$work/rules") ipvsadm rules, $(du -k "$work/services.yaml" | cut -f1) KiB of YAML); $changed services change in the 1% file; $runs runs; kernel $(uname -r)" >&2

fresh() { local ns=ipvs-bench-$$-$1; ip netns add "$ns"; ip -n "$ns" link set lo up; namespaces+=("$ns"); echo "$ns"; }
# IPVS's service hash table is shared by all namespaces: empty a namespace before the next
# measurement, or its services lengthen every lookup of the next one.
done_with() { ip netns exec "$1" ipvsadm -C; ip netns delete "$1"; }
# Runs a command in a namespace; prints "SECONDS KIB" (wall time, peak RSS) on fd 3.
timed() { local ns=$1 rc=0; shift; ip netns exec "$ns" /usr/bin/time -f '%e %M' -o "$work/time" "$@" || rc=$?; tail -n 1 "$work/time" >&3; return $rc; }
fail() { echo "bench: FAILED: $*" >&2; exit 1; }
# Waits (up to 60 s) until the watch log holds PATTERN at least COUNT times.
# Polls slowly: the lab kernel has one CPU, and a busy poll would slow the loop it measures.
wait_log() { local i; for i in $(seq 1 300); do [ "$(grep -c "$1" "$work/watch.log" 2>/dev/null || true)" -ge "$2" ] 2>/dev/null && return 0; sleep 0.2; done; return 1; }

# ipvs apply --watch of a live copy of the 1% file, which is then replaced six times, by the
# full state and back (mv, as editors and config managers do); records the loop's own time of
# each change (its log) and the time from the rename to that log line.
watched() {
  local ns=$1 ext=$2 full=$3 onepct=$4 key=$5 k start end line count watch_pid
  cp "$onepct" "$work/live.$ext"
  ip netns exec "$ns" "$ipvs" apply --watch -f "$work/live.$ext" --state-file "$work/drain.json" > "$work/watch.log" 2>&1 &
  watch_pid=$!
  wait_log "first pass done in" 1 || fail "ipvs apply --watch ($ext) did not start: $(cat "$work/watch.log")"
  for k in 1 2 3 4 5 6; do
    if [ $((k % 2)) = 1 ]; then cp "$full" "$work/live.tmp"; else cp "$onepct" "$work/live.tmp"; fi
    start=$(date +%s%N); mv "$work/live.tmp" "$work/live.$ext"
    wait_log "file change applied in" $k || fail "ipvs apply --watch ($ext) did not apply the change: $(tail -n 5 "$work/watch.log")"
    line=$(grep "file change applied in" "$work/watch.log" | tail -n 1)
    end=$(date -d "${line%% *}" +%s%N)  # the log line's own time
    count=$(echo "$line" | sed -n 's/.*file change applied in [0-9.]* ms: \([0-9]*\) changes.*/\1/p')
    [ "$count" = "$expected_plan" ] || fail "ipvs apply --watch ($ext) made $count changes, expected $expected_plan: $line"
    t[$key]+="$(echo "$line" | sed -n 's/.*file change applied in \([0-9.]*\) ms.*/\1/p' | awk '{print $1 / 1000}') "
    t[${key}_wall]+="$(awk -v a="$start" -v b="$end" 'BEGIN{print (b - a) / 1e9}') "
    [ "$run" != "$runs" ] || timings[$key]+="
  - $(echo "$line" | sed 's/^[^ ]* //')"
  done
  kill -TERM "$watch_pid"; wait "$watch_pid" || fail "ipvs apply --watch ($ext) did not stop cleanly: $(tail -n 5 "$work/watch.log")"
  ip netns exec "$ns" "$ipvs" diff -f "$onepct" --state-file "$work/drain.json" > /dev/null || fail "diff after the watched changes ($ext) is not clean"
}

declare -A t timings
for run in $(seq 1 "$runs"); do
  ns=$(fresh "r$run-ipvsadm")
  { timed "$ns" ipvsadm -R < "$work/rules" 3>"$work/t" >/dev/null; } || fail "ipvsadm -R failed"; read -r s m < "$work/t"
  t[ipvsadm]+="$s "; t[ipvsadm_rss]+="$m "
  [ "$(ip netns exec "$ns" ipvsadm -Sn | wc -l)" = $(( services * 5 )) ] || fail "ipvsadm -R did not load everything"

  # The same state as JSON, from ipvs export of what ipvsadm loaded.
  ip netns exec "$ns" "$ipvs" export -o json > "$work/services.json"
  done_with "$ns"
  ns=$(fresh "r$run-json")
  json_timing=$( { timed "$ns" env IPVS_TIMING=1 "$ipvs" apply -q -f "$work/services.json" --state-file "$work/json-drain.json" 3>"$work/t.json" 2>&1 >/dev/null; } ) || fail "ipvs apply (JSON) failed: $json_timing"
  read -r s m < "$work/t.json"; t[json]+="$s "; t[json_rss]+="$m "
  done_with "$ns"

  ns=$(fresh "r$run-yaml")
  full_timing=$( { timed "$ns" env IPVS_TIMING=1 "$ipvs" apply -q -f "$work/services.yaml" --state-file "$work/drain.json" 3>"$work/t.full" 2>&1 >/dev/null; } ) || fail "ipvs apply failed: $full_timing"
  read -r s m < "$work/t.full"; t[full]+="$s "; t[full_rss]+="$m "
  ip netns exec "$ns" "$ipvs" diff -f "$work/services.yaml" --state-file "$work/drain.json" > /dev/null || fail "diff after the full load is not clean"

  diff_timing=$( { timed "$ns" env IPVS_TIMING=1 "$ipvs" diff -f "$work/services-1pct.yaml" --state-file "$work/drain.json" 3>"$work/t.diff" 2>&1 >"$work/plan"; } ) && fail "diff of the 1% file found no difference"
  read -r s m < "$work/t.diff"; t[diff]+="$s "; t[diff_rss]+="$m "
  [ "$(wc -l < "$work/plan")" = "$expected_plan" ] || fail "the 1% plan has $(wc -l < "$work/plan") lines, expected $expected_plan"

  apply_timing=$( { timed "$ns" env IPVS_TIMING=1 "$ipvs" apply -f "$work/services-1pct.yaml" --state-file "$work/drain.json" 3>"$work/t.apply" 2>&1 >"$work/applied"; } ) || fail "apply of the 1% file failed: $apply_timing"
  read -r s m < "$work/t.apply"; t[apply]+="$s "; t[apply_rss]+="$m "
  [ "$(wc -l < "$work/applied")" = "$expected_plan" ] || fail "apply of the 1% file made $(wc -l < "$work/applied") changes, expected $expected_plan"
  ip netns exec "$ns" "$ipvs" diff -f "$work/services-1pct.yaml" --state-file "$work/drain.json" > /dev/null || fail "diff after the 1% apply is not clean"

  # The resident form: ipvs apply --watch with the 1% file in force (its first pass reads the
  # whole table), then the file is replaced by the full state and back by the 1% one, three times
  # (133 changes each); the loop logs how long each change took, from reading the file to the
  # last answer. Then the same with the two states as JSON, as ipvs export writes them.
  watched "$ns" yaml "$work/services.yaml" "$work/services-1pct.yaml" watch
  ip netns exec "$ns" "$ipvs" export -o json > "$work/services-1pct.json"
  watched "$ns" json "$work/services.json" "$work/services-1pct.json" watch_json

  timed "$ns" "$ipvs" export -o yaml 3>"$work/t" >/dev/null; read -r s m < "$work/t"; t[export]+="$s "
  timed "$ns" ipvsadm -Sn 3>"$work/t" >/dev/null; read -r s m < "$work/t"; t[save]+="$s "
  timed "$ns" /bin/true 3>"$work/t"; read -r s m < "$work/t"; t[true]+="$s "
  done_with "$ns"; namespaces=()
  echo "bench: run $run: ipvsadm -R $(echo ${t[ipvsadm]} | awk '{print $NF}') s, ipvs apply $(echo ${t[full]} | awk '{print $NF}') s" >&2
done

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
m() { echo "${t[$1]}" | median; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a / b }'; }
pct() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f%%", 100 * a / b }'; }

cat <<REPORT
| Measure ($services services x 4 real servers, median of $runs runs) | Time (s) | Peak RSS (MiB) |
| --- | ---: | ---: |
| \`ipvsadm -R\` of the equivalent rules, from empty | $(m ipvsadm) | $(awk -v k="$(m ipvsadm_rss)" 'BEGIN{printf "%.1f", k/1024}') |
| \`ipvs apply\` of the YAML file, from empty | $(m full) | $(awk -v k="$(m full_rss)" 'BEGIN{printf "%.1f", k/1024}') |
| \`ipvs apply\` of the same state as JSON, from empty | $(m json) | $(awk -v k="$(m json_rss)" 'BEGIN{printf "%.1f", k/1024}') |
| \`ipvs diff\` of the 1% file ($expected_plan changes) | $(m diff) | $(awk -v k="$(m diff_rss)" 'BEGIN{printf "%.1f", k/1024}') |
| \`ipvs apply\` of the 1% file | $(m apply) | $(awk -v k="$(m apply_rss)" 'BEGIN{printf "%.1f", k/1024}') |
| \`ipvs apply --watch\`: a 1% change of the file, from reading it to the last answer (its log; median of $(( runs * 6 )), slowest $(echo "${t[watch]}" | tr ' ' '\n' | grep -v '^$' | sort -g | tail -n 1)) | $(m watch) | |
| \`ipvs apply --watch\`: from the file's rename to that log line (200 ms debounce included) | $(m watch_wall) | |
| \`ipvs apply --watch\` of the JSON file, the same change (median of $(( runs * 6 )), slowest $(echo "${t[watch_json]}" | tr ' ' '\n' | grep -v '^$' | sort -g | tail -n 1)) | $(m watch_json) | |
| \`ipvs export\` of the loaded table | $(m export) | |
| \`ipvsadm -Sn\` of the loaded table | $(m save) | |
| \`/bin/true\` (process start in this kernel) | $(m true) | |

- Full load: ipvs apply (YAML) is $(ratio "$(m ipvsadm)" "$(m full)")x faster than ipvsadm -R; from JSON $(ratio "$(m ipvsadm)" "$(m json)")x.
- 1% change, resident (\`ipvs apply --watch\`, median of $(( runs * 6 )) changes): $(m watch) s, $(pct "$(m watch)" "$(m full)") of the full load; of the JSON file $(m watch_json) s, $(pct "$(m watch_json)" "$(m json)") of the full load from JSON.
- 1% change: diff + apply take $(awk -v a="$(m diff)" -v b="$(m apply)" 'BEGIN{print a + b}') s, $(pct "$(awk -v a="$(m diff)" -v b="$(m apply)" 'BEGIN{print a + b}')" "$(m full)") of the full load.

Breakdown of the last run (IPVS_TIMING=1):
- full load:  $(echo "$full_timing" | grep '^timing:' | sed 's/^timing: //')
- JSON load:  $(echo "$json_timing" | grep '^timing:' | sed 's/^timing: //')
- 1% diff:    $(echo "$diff_timing" | grep '^timing:' | sed 's/^timing: //')
- 1% apply:   $(echo "$apply_timing" | grep '^timing:' | sed 's/^timing: //')
- 1% watched (the six changes of the last run):${timings[watch]}
- 1% watched, JSON:${timings[watch_json]}
REPORT
