#!/usr/bin/env bash
# Measures one `telegraf-mip -once` against the simulator serving SCENARIOS
# scenarios × 60 runs × 6 metrics: wall time, CPU time and peak RSS. A first
# gather ("latest": the newest run of each scenario) without
# max_points_per_gather's bound, as a deployment of thousands of scenarios
# is sized (README, "Sizing"), so that every scenario is written at once.
# Usage: scripts/scale.sh [SCENARIOS]   (default 10000)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-10000}
dir=$(mktemp -d)
trap 'kill "$sim" 2>/dev/null || true; rm -rf "$dir"' EXIT

go build -o "$dir/telegraf-mip" ./cmd/telegraf-mip
go build -o "$dir/mipsim" ./cmd/mipsim
export MIP_API_KEY=scale-test-key

"$dir/mipsim" -scenarios "$n" -prerender > "$dir/addr" 2> "$dir/sim.log" &
sim=$!
for _ in $(seq 600); do [ -s "$dir/addr" ] && break; sleep 0.1; done
[ -s "$dir/addr" ] || { echo "the simulator did not start"; cat "$dir/sim.log"; exit 1; }
cat "$dir/sim.log"

cat > "$dir/mip.conf" <<CONF
[[inputs.mip]]
  url = "$(cat "$dir/addr")"
  api_key = "\${MIP_API_KEY}"
  max_points_per_gather = 0
CONF

/usr/bin/time -v "$dir/telegraf-mip" -config "$dir/mip.conf" -once > "$dir/points.lp" 2> "$dir/time.log" || { cat "$dir/time.log"; exit 1; }
echo "scenarios: $n × 60 runs; points written: $(wc -l < "$dir/points.lp")"
grep -E "Elapsed \(wall clock\)|User time|System time|Maximum resident set size" "$dir/time.log" | sed 's/^\s*//'
