#!/usr/bin/env bash
# Benchmark of the highly available pair: REPEAT failovers and failbacks in one lab boot, driven by
# lab/ha/run (two LVS-DR directors with keepalived and `ipvs care --ha-node`, two echo real
# servers, a client holding 20 fast and 5 slow streams through the VIP, opened on both sides of
# each transition, and opening a new connection every 100 ms). Reports the failover and failback
# times (median and slowest), the largest stall of a stream, the streams and lines lost, and the
# new connections that failed.
#
#   bench/ha.sh                 # 10 x link (lb1's switch port down, then up), advert 1s
#   bench/ha.sh kill stop       # the scenarios to repeat, in order (link kill stop health nosync)
#   REPEAT=5 ADVERT=500ms PREEMPT_DELAY=5s bench/ha.sh link
#
# Runs the lab itself (lab/run); needs dist/ipvs and keepalived. Addresses: 198.18.0.0/24, in
# namespaces created inside the lab guest. The full result stays in the printed directory.
set -euo pipefail
cd "$(dirname "$0")/.."
export LC_ALL=C
repeat=${REPEAT:-10}
advert=${ADVERT:-1s}
scenarios=("$@"); [ ${#scenarios[@]} -gt 0 ] || scenarios=(link)
list=$(IFS=,; echo "${scenarios[*]}")
out=$(mktemp -d /tmp/ipvs-bench-ha.XXXXXX)
extra=()
[ -z "${PREEMPT_DELAY:-}" ] || extra+=(--preempt-delay "$PREEMPT_DELAY")
limit=$((180 + repeat * ${#scenarios[@]} * 100))
echo "bench/ha.sh: $repeat x [$list], advert $advert${PREEMPT_DELAY:+, preempt-delay $PREEMPT_DELAY}; results in $out (lab limit ${limit}s)" >&2
started=$(date +%s)
status=0
lab/run -m 1G -t "$limit" -- lab/ha/run --out "$out" --scenario "$list" --repeat "$repeat" --advert "$advert" --quiet "${extra[@]}" \
  || status=$?
echo "bench/ha.sh: the lab run took $(( $(date +%s) - started )) s (exit $status; 0: every check held, 3: some did not)" >&2
[ -f "$out/result.json" ] || { echo "bench/ha.sh: no result.json; the driver's log:" >&2; tail -40 "$out/ha.log" >&2 || true; exit 1; }
python3 - "$out/result.json" <<'PY'
import json, statistics, sys
r = json.load(open(sys.argv[1]))
if r.get("error"):
    print("the run failed:", r["error"])
by_kind = {}
for s in r["scenarios"]:
    by_kind.setdefault(s["kind"], []).append(s)
print("ipvs: %s; keepalived: %s; kernel %s" % (r["versions"]["ipvs"].splitlines()[0], r["versions"]["keepalived"], r["versions"]["kernel"]))
print("advert %s; every scenario: 13 streams opened before the failover, 12 during it; a connection every %.1f s (timeout %.1f s)"
      % (r["options"]["advert"], r["options"]["probe_interval"], r["options"]["probe_timeout"]))
for kind, runs in by_kind.items():
    fo = [s["failover"]["seconds"] for s in runs]
    fb = [s["failback"]["seconds"] for s in runs]
    streams = [x for s in runs for x in s.get("streams", [])]
    lost_streams = [x for x in streams if x["state"] != "closed" or x["lost"]]
    lost_lines = sum(x["lost"] or 0 for x in streams)
    gap_fast = max([x["max_gap"] for x in streams if x["kind"] == "fast"] or [0])
    gap_slow = max([x["max_gap"] for x in streams if x["kind"] == "slow"] or [0])
    conns = sum(s["connections"]["total"] for s in runs)
    failed = sum(s["connections"]["failed"] for s in runs)
    outside = sum(len(s["connections"]["outside_windows"]) for s in runs)
    spans = [s["connections"]["failure_span"] for s in runs if s["connections"]["failure_span"]]
    tables = all(st["table"]["equal"] and st["table"]["match_file"] for s in runs for st in s["steps"])
    print()
    print("%s x %d" % (kind, len(runs)))
    print("  failover (event -> VIP on lb2):      median %.2f s, slowest %.2f s, fastest %.2f s" % (statistics.median(fo), max(fo), min(fo)))
    print("  failback (event -> VIP on lb1):      median %.2f s, slowest %.2f s" % (statistics.median(fb), max(fb)))
    print("  largest stream stall:                %.2f s (fast streams), %.2f s (slow streams)" % (gap_fast, gap_slow))
    print("  streams lost (reset or line lost):   %d of %d; lines lost: %d" % (len(lost_streams), len(streams), lost_lines))
    print("  new connections failed:              %d of %d (%.2f%%); outside the failover/failback windows: %d" % (
        failed, conns, 100.0 * failed / max(conns, 1), outside))
    if spans:
        print("  failed connections, after the event: first started %.2f s, last ended %.2f s (worst run)" % (
            min(x[0] for x in spans), max(x[1] for x in spans)))
    print("  tables identical and as in the file after every step: %s" % ("yes" if tables else "NO"))
    print("  per run (failover/failback s): %s" % ", ".join("%.2f/%.2f" % (a, b) for a, b in zip(fo, fb)))
failed_checks = [c for c in r.get("checks", []) if not c["ok"]]
print()
print("checks: %d, failed: %d" % (len(r.get("checks", [])), len(failed_checks)))
for c in failed_checks[:20]:
    print("  FAIL %s: %s (%s)" % (c["scenario"], c["check"], c["detail"]))
PY
echo "full results: $out/result.json; narration: $out/ha.log" >&2
exit "$status"
