#!/usr/bin/env bash
# make test-stress: the end-to-end tests (those that run a real Telegraf,
# InfluxDB or the real clock; E2E_TESTS in the Makefile) RUNS times in a
# row, as make test runs them, while one busy loop per core keeps the
# machine busy: the flakes a loaded CI runner or laptop would hit, found
# first. Each run's whole output is in .cache/stress-N.log; the terminal
# shows what scripts/test-output.awk keeps, and the count of runs passed.
set -uo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
tests=${2:?the -run pattern of the end-to-end tests}
mkdir -p .cache
burners=()
trap 'kill "${burners[@]}" 2>/dev/null' EXIT
for _ in $(seq "$(nproc)"); do
  sh -c 'while :; do :; done' &
  burners+=($!)
done
passed=0
for i in $(seq "$runs"); do
  start=$(date +%s)
  go test -count=1 -v -parallel "${E2E_PARALLEL:-4}" -timeout 30m -run "$tests" ./cmd/telegraf-mip 2>&1 \
    | tee ".cache/stress-$i.log" | awk -f scripts/test-output.awk
  status=${PIPESTATUS[0]}
  [ "$status" = 0 ] && passed=$((passed + 1))
  echo "stress run $i of $runs: $([ "$status" = 0 ] && echo passed || echo FAILED) in $(($(date +%s) - start)) s (load average $(cut -d' ' -f1-3 /proc/loadavg))"
done
echo "test-stress: $passed of $runs runs passed beside $(nproc) busy loops"
[ "$passed" = "$runs" ]
