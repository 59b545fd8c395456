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

# The Debian package (issue 14): built, lintian-clean, installed with dpkg -i in a fresh root,
# then purged (scripts/package-test says what it checks).
echo "== Debian package" >&2
set +e
{ scripts/package && scripts/package-test; } > "$results/package.log" 2>&1
package_rc=$?
set -e
grep -E '^(FAIL|package)' "$results/package.log" >&2 || true

echo "== container image" >&2
set +e
scripts/image > "$results/image-build.log" 2>&1
image_build_rc=$?
set -e
tail -n 1 "$results/image-build.log" >&2

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

# The keepalived differential (issue 15): every configuration of tests/keepalived-corpus run by
# the real keepalived and by `ipvs import keepalived` + `ipvs care -f`, side by side in the lab.
# IPVS_KDIFF_B=keepalived runs keepalived on both sides (the harness's own control; test.sh
# still fails then, as ipvs was not tested).
echo "== keepalived differential (lab kernel)" >&2
kdiff_b=${IPVS_KDIFF_B:-ipvs}
kdiff_rc=0
kdiff_why=
if [ "$kdiff_b" = ipvs ] && ! dist/ipvs import keepalived --help > /dev/null 2>&1; then
  kdiff_rc=1; kdiff_why="dist/ipvs has no working 'import keepalived' (dist/ipvs import keepalived --help failed): the differential cannot run"
  echo "FAILED: $kdiff_why" >&2
else
  set +e
  lab/run -t 1500 -- lab/kdiff/run --out "$(pwd)/$results/kdiff" --b "$kdiff_b" > "$results/kdiff.log" 2>&1
  kdiff_rc=$?
  set -e
  grep -E '^[0-9:]+ (FAIL|RUN FAILED|kdiff:)' "$results/kdiff.log" | head -n 60 >&2 || true
fi

# The container image (issue 14) in the lab: unpacked, ipvs care --run-once from its root
# filesystem against the lab kernel, its metrics checked by promtool (lab/image-test).
echo "== container image (lab kernel)" >&2
image_rc=1
if [ "$image_build_rc" = 0 ]; then
  set +e
  lab/run -t 600 -- lab/image-test "$(ls artifacts/ipvs-image_*.oci.tar | tail -1)" "$(pwd)/$results/image.txt" > "$results/image.log" 2>&1
  image_rc=$?
  set -e
  grep -E '^(FAIL|image-test)' "$results/image.log" >&2 || true
fi

read -r ht hp hf hs <<< "$(scripts/xunit-counts "$results/host.xml")" || true
read -r kt kp kf ks <<< "$(scripts/xunit-counts "$results/kernel.xml")" || true
read -r dp df dt 2>/dev/null < "$results/kdiff/summary.txt" || true
read -r pp pf pt 2>/dev/null < "$results/package.txt" || true
read -r ip if_ it 2>/dev/null < "$results/image.txt" || true
kver=$(ls /usr/lib/uml/modules 2>/dev/null | sort -V | tail -1)

echo
echo "================ test summary ================"
printf 'host unit tests (this machine):        %s\n' "${ht:+$hp passed, $hf failed, $hs skipped of $ht}"
printf 'kernel tests (lab, UML Linux %s): %s\n' "$kver" "${kt:+$kp passed, $kf failed, $ks skipped of $kt}"
printf 'keepalived differential (lab, B = %s): %s\n' "$kdiff_b" "${dt:+$dp passed, $df failed of $dt checks}${kdiff_why:+not run}"
printf 'Debian package (lintian, dpkg -i in a fresh root): %s\n' "${pt:+$pp passed, $pf failed of $pt checks}"
printf 'container image (lab: care from its root, promtool): %s\n' "${it:+$ip passed, $if_ failed of $it checks}"
status=0
[ "$host_rc" = 0 ] && [ -n "${ht:-}" ] && [ "${hf:-1}" = 0 ] || { echo "FAILED: host tests (exit $host_rc; log $results/host.log)"; status=1; }
if [ "$kernel_rc" != 0 ] || [ -z "${kt:-}" ] || [ "${kf:-1}" != 0 ]; then
  echo "FAILED: kernel tests (exit $kernel_rc; log $results/kernel.log)"; status=1
elif [ "${kt:-0}" = 0 ] || [ "${ks:-0}" != 0 ]; then
  echo "FAILED: kernel tests were skipped or none ran in the lab"; status=1
fi
if [ -n "$kdiff_why" ]; then
  echo "FAILED: keepalived differential: $kdiff_why"; status=1
elif [ "$kdiff_rc" != 0 ] || [ -z "${dt:-}" ] || [ "${df:-1}" != 0 ] || [ "${dt:-0}" = 0 ]; then
  echo "FAILED: keepalived differential (exit $kdiff_rc; log $results/kdiff.log, details $results/kdiff/result.json)"; status=1
elif [ "$kdiff_b" != ipvs ]; then
  echo "FAILED: keepalived differential ran as its control (B = $kdiff_b): ipvs itself was not tested"; status=1
fi
if [ "$package_rc" != 0 ] || [ -z "${pt:-}" ] || [ "${pf:-1}" != 0 ]; then
  echo "FAILED: Debian package (exit $package_rc; log $results/package.log)"; status=1
fi
if [ "$image_build_rc" != 0 ]; then
  echo "FAILED: container image build (exit $image_build_rc; log $results/image-build.log)"; status=1
elif [ "$image_rc" != 0 ] || [ -z "${it:-}" ] || [ "${if_:-1}" != 0 ]; then
  echo "FAILED: container image in the lab (exit $image_rc; log $results/image.log)"; status=1
fi
[ $status = 0 ] && echo "all tests passed"
exit $status
