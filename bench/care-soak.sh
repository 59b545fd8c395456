#!/usr/bin/env bash
# Soak benchmark of `ipvs care`: 1,000 real servers (listeners on 250 ports in each of 4 network
# namespaces) in one virtual server, probed every second for a minute. Records the daemon's CPU
# (utime + stime from /proc/PID/stat, over the measured minute, after a warm-up) and its memory
# (VmRSS sampled every second, and VmHWM), plus what it did (rounds, probe results).
#
#   lab/run -t 1500 -m 2G -- bench/care-soak.sh [https|http|tcp|none ...]   (default: https http tcp)
#   DURATION=60 WARMUP=15 SERVERS_PER_NS=250 bench/care-soak.sh https   (on a host with IPVS, as root)
#   bench/care-soak.sh native [https|http|tcp ...]
#
# The lab's User-Mode Linux kernel makes every system call ~100x dearer than on hardware, and a
# probe is mostly system calls, so the lab figures are an upper bound. `native` measures the
# probing engine alone (bench/CareProbeBench: the daemon's probers, health policy and round
# scheduler, without the kernel's table) on this machine's own kernel, against the same real
# servers listening on 127.0.0.1; the kernel side is what `none` measures in the lab.
#
# Needs dist/ipvs (scripts/publish). Addresses: 198.18.0.0/15 only, in namespaces it creates.
set -euo pipefail
cd "$(dirname "$0")/.."
export LC_ALL=C
duration=${DURATION:-60}
warmup=${WARMUP:-15}
per_ns=${SERVERS_PER_NS:-250}
namespaces=${NAMESPACES:-4}
native=0; [ "${1:-}" = native ] && { native=1; shift; }
types=("$@"); [ ${#types[@]} -gt 0 ] || types=(https http tcp)
ipvs=$(pwd)/dist/ipvs
tmp=$(mktemp -d /tmp/ipvs-soak.XXXXXX)
supervisor=
cleanup() {
  for pid in $(grep -h "listening" "$tmp/servers.log" 2>/dev/null | awk '{ print $NF }'); do kill "$pid" 2>/dev/null || true; done
  [ -z "$supervisor" ] || kill "$supervisor" 2>/dev/null || true
  for i in $(seq 1 "$namespaces"); do ip netns delete "soak-rs$i" 2>/dev/null || true; done
  ip netns delete soak-lb 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
hz=$(getconf CLK_TCK)
first=20000; last=$((first + per_ns - 1))
total=$((per_ns * namespaces))

if [ "$native" = 1 ]; then
  bench=artifacts/bench/care-probe/CareProbeBench
  tfm=$(dotnet msbuild bench/CareProbeBench/CareProbeBench.csproj -getProperty:IpvsAotTargetFramework 2>/dev/null | tr -d '[:space:]')
  dotnet publish bench/CareProbeBench/CareProbeBench.csproj -nologo -v q -c Release -r linux-x64 -f "$tfm" \
    -p:TargetFrameworks="$tfm" -o artifacts/bench/care-probe > /dev/null
  mkfifo "$tmp/ctl"
  python3 -u lab/care/backend.py --supervise < "$tmp/ctl" > "$tmp/servers.log" 2>&1 &
  supervisor=$!
  exec 3> "$tmp/ctl"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$tmp/key.pem" -out "$tmp/cert.pem" -days 1 -subj /CN=soak 2>/dev/null
  echo "care probe engine, native: $total real servers on 127.0.0.1 ($namespaces processes × $per_ns ports), interval 1s, ${duration}s measured after ${warmup}s warm-up"
  echo "kernel $(uname -r), $(nproc) CPU, bench binary $(du -h "$bench" | cut -f1) (AOT)"
  printf '%-6s %10s %8s %9s %9s %8s %12s %12s\n' type "cpu%" "rss MB" "max rss" "hwm MB" rounds "probes ok" "probes fail"
  base=10000 # below the ephemeral port range, which the probes themselves use
  for type in "${types[@]}"; do
    mode=$type; [ "$type" != none ] || mode=http
    for i in $(seq 0 $((namespaces - 1))); do
      echo "--name n$i-$type --bind 127.0.0.1 --ports $((base + i * per_ns))-$((base + (i + 1) * per_ns - 1)) --mode $mode --cert $tmp/cert.pem --key $tmp/key.pem" >&3
    done
    until [ "$(grep -c "^n.-$type: listening" "$tmp/servers.log" || true)" -ge "$namespaces" ]; do sleep 0.2; done
    "$bench" "$type" 127.0.0.1 "$base" $((base + total - 1)) "$duration" "$warmup" 2>/dev/null
    for pid in $(grep "^n.-$type: listening" "$tmp/servers.log" | awk '{ print $NF }'); do kill -9 "$pid" 2>/dev/null || true; done
    base=$((base + total))
  done
  exit 0
fi

ip netns add soak-lb; ip -n soak-lb link set lo up
mkfifo "$tmp/ctl"
python3 -u lab/care/backend.py --supervise < "$tmp/ctl" > "$tmp/servers.log" 2>&1 &
supervisor=$!
exec 3> "$tmp/ctl"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$tmp/key.pem" -out "$tmp/cert.pem" -days 1 -subj /CN=soak 2>/dev/null
for i in $(seq 1 "$namespaces"); do
  ip netns add "soak-rs$i"; ip -n "soak-rs$i" link set lo up
  ip -n soak-lb link add "r$i" type veth peer name eth0 netns "soak-rs$i"
  ip -n soak-lb addr add "198.18.$i.1/24" dev "r$i"; ip -n soak-lb link set "r$i" up
  ip -n "soak-rs$i" addr add "198.18.$i.2/24" dev eth0; ip -n "soak-rs$i" link set eth0 up
  ip -n "soak-rs$i" route add default via "198.18.$i.1"
done
rs=$(for i in $(seq 1 "$namespaces"); do for p in $(seq $first $last); do printf '198.18.%d.2:%d,' "$i" "$p"; done; done)
rs=${rs%,}

echo "care soak: $total real servers ($namespaces namespaces × $per_ns ports), interval 1s, ${duration}s measured after ${warmup}s warm-up"
echo "kernel $(uname -r), $(nproc) CPU, binary $(du -h "$ipvs" | cut -f1)"
printf '%-6s %10s %8s %9s %9s %8s %12s %12s\n' type "cpu%" "rss MB" "max rss" "hwm MB" rounds "probes ok" "probes fail"
for type in "${types[@]}"; do
  mode=$type; [ "$type" != none ] || mode=http
  for i in $(seq 1 "$namespaces"); do
    echo "--name soak$i-$type --netns soak-rs$i --ports $first-$last --mode $mode --cert $tmp/cert.pem --key $tmp/key.pem" >&3
  done
  deadline=$((SECONDS + 120))
  until [ "$(grep -c "^soak.-$type: listening" "$tmp/servers.log" || true)" -ge "$namespaces" ]; do
    [ $SECONDS -lt $deadline ] || { echo "care-soak: the real servers did not start:" >&2; tail -20 "$tmp/servers.log" >&2; exit 1; }
    sleep 0.2
  done
  ip netns exec soak-lb "$ipvs" care --vs 198.18.200.1:80 --rs "$rs" --interval 1 --health-type "$type" --mode "" \
    --metrics-address 127.0.0.1:9900 > "$tmp/care-$type.log" 2>&1 &
  care=$!
  sleep "$warmup"
  read -r -a stat < "/proc/$care/stat"
  cpu0=$((stat[13] + stat[14])); t0=$EPOCHREALTIME
  rss_sum=0; rss_max=0; samples=0
  for _ in $(seq 1 "$duration"); do
    sleep 1
    rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$care/status")
    rss_sum=$((rss_sum + rss)); samples=$((samples + 1)); [ "$rss" -gt "$rss_max" ] && rss_max=$rss
  done
  read -r -a stat < "/proc/$care/stat"
  cpu1=$((stat[13] + stat[14])); t1=$EPOCHREALTIME
  hwm=$(awk '/^VmHWM/ { print $2 }' "/proc/$care/status")
  metrics=$(ip netns exec soak-lb curl -s --max-time 20 http://127.0.0.1:9900/metrics || true)
  rounds=$(echo "$metrics" | awk '/^ipvs_care_rounds_total/ { print $2 }')
  ok=$(echo "$metrics" | awk '/^ipvs_care_probes_total.*result="success"/ { s += $2 } END { print s + 0 }')
  fail=$(echo "$metrics" | awk '/^ipvs_care_probes_total.*result="failure"/ { s += $2 } END { print s + 0 }')
  kill -TERM "$care"; wait "$care" 2>/dev/null || true
  ip netns exec soak-lb ipvsadm -C
  printf '%-6s %10s %8s %9s %9s %8s %12s %12s\n' "$type" \
    "$(awk -v c=$((cpu1 - cpu0)) -v hz="$hz" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", 100 * c / hz / (b - a) }')" \
    "$(awk -v s=$rss_sum -v n=$samples 'BEGIN { printf "%.1f", s / n / 1024 }')" \
    "$(awk -v m=$rss_max 'BEGIN { printf "%.1f", m / 1024 }')" \
    "$(awk -v m="$hwm" 'BEGIN { printf "%.1f", m / 1024 }')" "$rounds" "$ok" "$fail"
  [ -n "$rounds" ] || { echo "    the daemon did not run as expected; its log:"; head -20 "$tmp/care-$type.log" | sed 's/^/    log: /'; }
  grep -E " (warn|error) " "$tmp/care-$type.log" | head -3 | sed 's/^/    log: /' || true
  # Stop this type's servers and wait until their ports are free for the next type's.
  for pid in $(grep "^soak.-$type: listening" "$tmp/servers.log" | awk '{ print $NF }'); do
    kill -9 "$pid" 2>/dev/null || true
    while [ -d "/proc/$pid" ]; do sleep 0.1; done
  done
done
