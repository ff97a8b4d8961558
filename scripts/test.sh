#!/usr/bin/env bash
# make test: every test, in two go test commands run side by side.
# - Under -race, every package but cmd/telegraf-mip: the plugin, the
#   ledger, the writer, the simulator, where goroutines share memory.
# - Without it, cmd/telegraf-mip: its tests run the telegraf-mip binary
#   (built without -race) as separate processes under a real Telegraf and
#   a real InfluxDB, where -race would only slow the in-process simulator
#   down; they mostly wait on those processes, so they run side by side
#   (-parallel), each with its own ports and processes.
# The whole verbose output goes to .cache/test.log (the race half's, then
# the end-to-end half's); the terminal shows what scripts/test-output.awk
# keeps (V=1: all of it but the RUN and PASS lines). Exits 1 if either fails.
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p .cache
if [ -n "${V:-}" ]; then
  filter() { grep -vE '^(=== (RUN|PAUSE|CONT|NAME)|\s*--- PASS)'; }
else
  filter() { awk -f scripts/test-output.awk; }
fi
e2e=./cmd/telegraf-mip
mapfile -t race < <(go list ./... | grep -vx "$(go list "$e2e")")

go test -race -count=1 -v -timeout 20m "${race[@]}" > .cache/test-race.log 2>&1 &
race_pid=$!
trap 'kill "$race_pid" 2>/dev/null' EXIT
go test -count=1 -v -parallel "${E2E_PARALLEL:-4}" -timeout 20m "$e2e" 2>&1 | tee .cache/test-e2e.log | filter
e2e_status=${PIPESTATUS[0]}
wait "$race_pid"
race_status=$?
trap - EXIT
filter < .cache/test-race.log
cat .cache/test-race.log .cache/test-e2e.log > .cache/test.log
rm -f .cache/test-race.log .cache/test-e2e.log
[ "$race_status" = 0 ] && [ "$e2e_status" = 0 ]
