#!/usr/bin/env bash
# Captures golden netlink vectors from the real kernel: Debian's ipvsadm runs under strace, which
# dumps the bytes it sends to and receives from the IPVS generic netlink family. Run in the lab:
#   lab/run -- tests/Ipvs.Tests/TestData/Golden/capture.sh
# Writes one file per command into this directory: lines "send HEX" and "recv HEX".
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# Services and servers in one namespace; sync daemons in another (the kernel refuses a sync
# daemon while a real server of another family than its service exists).
trap 'ip netns delete ipvs-golden 2>/dev/null; ip netns delete ipvs-golden-sync 2>/dev/null' EXIT
for ns in ipvs-golden ipvs-golden-sync; do
  ip netns add $ns
  ip -n $ns link set lo up
  ip -n $ns link add veth0 type veth peer name veth1
  ip -n $ns link set veth0 up
  ip -n $ns link set veth1 up
  ip -n $ns addr add 198.18.9.1/24 dev veth0
done
ns=ipvs-golden

capture() { # NAME IPVSADM-ARGS...
  local name=$1; shift
  local trace; trace=$(mktemp)
  ip netns exec $ns strace -f -qq -e trace=sendmsg,recvmsg -e write=3 -e read=3 -o "$trace" ipvsadm "$@" > /dev/null 2>&1 || true
  python3 "$here/strace2golden.py" < "$trace" > "$here/$name.txt"
  rm -f "$trace"
}

capture add-service-tcp -A -t 198.18.0.1:80 -s rr
capture add-service-udp6-persistent -A -u '[2001:db8::1]:53' -s sh -b sh-fallback,sh-port -p 600 -M 64 --pe sip
capture add-service-fwmark-ops -A -f 42 -s wlc -p -M 255.255.255.0 -o
capture add-service-fwmark6 -A -f 7 -6 -s mh -b mh-port
capture add-dest-masq -a -t 198.18.0.1:80 -r 198.18.1.1:8080 -m -w 3 -x 100 -y 10
capture add-dest-gue -a -t 198.18.0.1:80 -r 198.18.1.2 -i --tun-type gue --tun-port 6080 --tun-csum -w 2
capture add-dest-gre-mixed -a -u '[2001:db8::1]:53' -r 198.18.1.3 -i --tun-type gre --tun-nocsum
capture edit-dest -e -t 198.18.0.1:80 -r 198.18.1.1:8080 -m -w 5
capture edit-service -E -t 198.18.0.1:80 -s wrr
capture list -Ln
capture add-service-exists -A -t 198.18.0.1:80 -s rr
capture start-daemon-refused --start-daemon master --mcast-interface veth0
ns=ipvs-golden-sync
capture set-timeouts --set 100 20 30
capture list-timeout -L --timeout
capture start-daemon --start-daemon master --mcast-interface veth0 --syncid 5 --sync-maxlen 1400 --mcast-group 239.1.1.1 --mcast-port 8849 --mcast-ttl 2
capture start-daemon6 --start-daemon backup --mcast-interface veth0 --syncid 6 --mcast-group ff02::1:2
capture list-daemon -L --daemon
