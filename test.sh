#!/usr/bin/env bash
# Runs every test: the host unit tests, then the kernel tests inside the lab kernel (User-Mode
# Linux with IPVS), and prints one summary with the counts of both. Exits non-zero on any
# failure, and when the kernel tests did not run.
set -euo pipefail
cd "$(dirname "$0")"
lab/install-deps
scripts/require-dotnet
results=artifacts/test-results
rm -rf "$results"; mkdir -p "$results"

echo "== build" >&2
dotnet build Ipvs.slnx -nologo -v q -c Release
scripts/publish

echo "== packages, and a Native AOT consumer of them (samples/)" >&2
scripts/pack
scripts/sample

echo "== host tests" >&2
set +e
dotnet tests/Ipvs.Tests/bin/Release/net10.0/Ipvs.Tests.dll -noColor -noLogo -xml "$results/host.xml" > "$results/host.log" 2>&1
host_rc=$?
tail -n 25 "$results/host.log" | grep -v '^\s*$' >&2

echo "== kernel tests (lab kernel)" >&2
lab/run -t 3600 -- dotnet tests/Ipvs.KernelTests/bin/Release/net10.0/Ipvs.KernelTests.dll \
  -noColor -noLogo -xml "$(pwd)/$results/kernel.xml" > "$results/kernel.log" 2>&1
kernel_rc=$?
set -e
grep -E '\[FAIL\]|Assert|Exception|TEST EXECUTION SUMMARY|Total:' "$results/kernel.log" | head -n 60 >&2 || true

read -r ht hp hf hs <<< "$(scripts/xunit-counts "$results/host.xml")" || true
read -r kt kp kf ks <<< "$(scripts/xunit-counts "$results/kernel.xml")" || true
kver=$(ls /usr/lib/uml/modules 2>/dev/null | sort -V | tail -1)

echo
echo "================ test summary ================"
printf 'host unit tests (this machine):        %s\n' "${ht:+$hp passed, $hf failed, $hs skipped of $ht}"
printf 'kernel tests (lab, UML Linux %s): %s\n' "$kver" "${kt:+$kp passed, $kf failed, $ks skipped of $kt}"
status=0
[ "$host_rc" = 0 ] && [ -n "${ht:-}" ] && [ "${hf:-1}" = 0 ] || { echo "FAILED: host tests (exit $host_rc; log $results/host.log)"; status=1; }
if [ "$kernel_rc" != 0 ] || [ -z "${kt:-}" ] || [ "${kf:-1}" != 0 ]; then
  echo "FAILED: kernel tests (exit $kernel_rc; log $results/kernel.log)"; status=1
elif [ "${kt:-0}" = 0 ] || [ "${ks:-0}" != 0 ]; then
  echo "FAILED: kernel tests were skipped or none ran in the lab"; status=1
fi
[ $status = 0 ] && echo "all tests passed"
exit $status
