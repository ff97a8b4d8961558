#!/usr/bin/env bash
# Compares, side by side in one run, the CPU time (user + sys) and the peak
# RSS of telegraf-mip and of the Centreon Perl plugin
# (apps::monitoring::mip::restapi, --mode=scenarios) against the simulator
# cmd/mipsim on 127.0.0.1. Three cases, measured in turn in every round
# (interleaved, so that a noisy neighbour hurts all of them alike); the
# table gives the median, min and max over the rounds:
#
#  (a) first   telegraf-mip -once, no state file, first_gather = "latest"
#              (the default), max_points_per_gather = 0: the answer holds
#              N scenarios × 60 runs (the last hour, prerendered once), it
#              emits the newest run of each.
#  (b) steady  one gather of a long-running telegraf-mip (as inputs.execd
#              runs it: -poll_interval_disabled, a gather per line on
#              stdin, here per SIGUSR1, which it takes alike) with a state_file, one minute after its first gather
#              (not measured), when every scenario has exactly one new run;
#              max_points_per_gather = 0. The answer holds 2 runs per
#              scenario (mipsim -max-window 2m: the steady window is about
#              2 minutes with mipsim's 60 s timeouts), it emits the new one:
#              about 9 × N points. CPU is what the process used from the
#              line on stdin until it is idle again (state saved), from
#              /proc/PID/stat; peak RSS is the process's (both gathers).
#  (b1)        the same gather by a telegraf-mip -once started for it: the
#              start and the reading of the state file included;
#              replay_on_restart = "0s" (a -once is a restart, which would
#              write the last minute's runs again).
#  (c) perl    centreon_plugins.pl checking ONE scenario against the same
#              N × 60 answer as (a): Centreon runs it once per scenario.
#
# With -b REV, telegraf-mip is also built from the git revision REV and
# measured in (a) and (b) in the same rounds: before and after, same machine.
#
# Usage: scripts/compare.sh [-n N] [-r ROUNDS] [-b GIT_REV] [-c CENTREON_PLUGINS]
#   -n  scenarios (default 10000), 6 metrics each, a run a minute
#   -r  rounds (default 5)
#   -b  also measure telegraf-mip built from this git revision
#   -c  centreon-plugins: its src/ directory, a checkout or a git directory
#       (default: $CENTREON_PLUGINS); e.g.
#       git clone --depth 1 https://github.com/centreon/centreon-plugins
# Needs go, GNU time (/usr/bin/time; Debian: time), perl with JSON::XS, LWP,
# XML::LibXML and URI (Debian: libjson-xs-perl libwww-perl
# libxml-libxml-perl liburi-perl), awk.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() { sed -n '/^# Usage:/,/^# Needs/p' "$0" | sed 's/^# \{0,1\}//' | sed '$d' >&2; exit 2; }
n=10000 rounds=5 base_rev='' centreon=${CENTREON_PLUGINS:-}
while getopts 'n:r:b:c:h' opt; do
  case $opt in
    n) n=$OPTARG ;;
    r) rounds=$OPTARG ;;
    b) base_rev=$OPTARG ;;
    c) centreon=$OPTARG ;;
    *) usage ;;
  esac
done
[[ $n =~ ^[1-9][0-9]*$ && $rounds =~ ^[1-9][0-9]*$ ]] || usage

# --- prerequisites --------------------------------------------------------
missing=()
command -v go > /dev/null || { echo "compare.sh needs go (https://go.dev/dl/)" >&2; exit 1; }
[ -x /usr/bin/time ] || missing+=(time)
command -v awk > /dev/null || missing+=(gawk)
if ! command -v perl > /dev/null; then
  missing+=(perl libjson-xs-perl libwww-perl libxml-libxml-perl liburi-perl)
else
  for pair in JSON::XS=libjson-xs-perl LWP::UserAgent=libwww-perl XML::LibXML=libxml-libxml-perl URI=liburi-perl; do
    perl -M"${pair%=*}" -e 1 2> /dev/null || missing+=("${pair#*=}")
  done
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "compare.sh needs: apt-get install -y ${missing[*]}" >&2
  exit 1
fi
[ -n "$centreon" ] || { echo "give centreon-plugins with -c DIR or CENTREON_PLUGINS=DIR (git clone --depth 1 https://github.com/centreon/centreon-plugins)" >&2; exit 2; }
if [ -n "$base_rev" ]; then
  base_commit=$(git rev-parse --verify --quiet "$base_rev^{commit}") || { echo "-b $base_rev: no such git revision" >&2; exit 2; }
fi

# --- temp dir, background processes: all gone on exit ----------------------
tmp=$(mktemp -d)
pids=() sleeper=''
cleanup() {
  for pid in "${pids[@]}" $sleeper; do kill "$pid" 2> /dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2> /dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- builds ------------------------------------------------------------------
# "new" is the working tree as it is; "base" (with -b) the revision, from git
# archive (no worktree to remove).
echo "building telegraf-mip and mipsim (working tree)..."
mkdir -p "$tmp/new"
go build -trimpath -o "$tmp/new/telegraf-mip" ./cmd/telegraf-mip
go build -trimpath -o "$tmp/mipsim" ./cmd/mipsim
binaries=(new)
declare -A label=([new]="telegraf-mip (working tree, $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . || echo '+changes'))")
if [ -n "$base_rev" ]; then
  echo "building telegraf-mip at $base_rev ($base_commit)..."
  mkdir -p "$tmp/base-src" "$tmp/base"
  git archive "$base_commit" | tar -x -C "$tmp/base-src"
  (cd "$tmp/base-src" && go build -trimpath -o "$tmp/base/telegraf-mip" ./cmd/telegraf-mip)
  rm -rf "$tmp/base-src"
  binaries=(base new)
  label[base]="telegraf-mip (baseline $base_rev, $(git rev-parse --short "$base_commit"))"
fi

# centreon-plugins' src/: as given, or from a checkout or a git directory
# (only what the MIP plugin needs).
if [ -f "$centreon/centreon_plugins.pl" ]; then
  perl_src=$(cd "$centreon" && pwd)
elif [ -f "$centreon/src/centreon_plugins.pl" ]; then
  perl_src=$(cd "$centreon/src" && pwd)
elif git --git-dir="$centreon" rev-parse --verify --quiet 'HEAD^{commit}' > /dev/null 2>&1; then
  mkdir -p "$tmp/centreon"
  git --git-dir="$centreon" archive HEAD src/centreon_plugins.pl src/centreon src/apps/monitoring/mip 2> /dev/null \
    | tar -x -C "$tmp/centreon"
  perl_src=$tmp/centreon/src
else
  echo "-c $centreon: neither centreon-plugins' src/, a checkout nor its git directory" >&2
  exit 2
fi

# --- simulators ----------------------------------------------------------------
export MIP_API_KEY=compare-key
start_sim() { # name flags...: starts mipsim, sets url_<name>
  local name=$1
  shift
  "$tmp/mipsim" -scenarios "$n" "$@" > "$tmp/$name.addr" 2> "$tmp/$name.log" &
  pids+=($!)
  for _ in $(seq 1200); do [ -s "$tmp/$name.addr" ] && break; sleep 0.1; done
  [ -s "$tmp/$name.addr" ] || { echo "mipsim $* did not start" >&2; cat "$tmp/$name.log" >&2; exit 1; }
  printf -v "url_$name" '%s' "$(cat "$tmp/$name.addr")"
}
echo "starting the simulators ($n scenarios)..."
start_sim hour -prerender             # (a), (c): the last hour, fixed
start_sim live -max-window 2m         # (b): the clock runs, 2 runs an answer
sed 's/^/  /' "$tmp/hour.log"
port_hour=${url_hour##*:}

# (a): the defaults; (b): the defaults and a state file (one per binary).
# Both without max_points_per_gather's bound (5000 by default), as a
# deployment of thousands of scenarios is sized (the README's sizing table:
# 108,000 for 10,000), so that every scenario's new run is written at once.
# (b) also without replay_on_restart: a -once process is a restart, which
# writes again the runs of the last minute, a long-running plugin does not.
cat > "$tmp/first.conf" << CONF
[[inputs.mip]]
  url = "$url_hour"
  api_key = "\${MIP_API_KEY}"
  max_points_per_gather = 0
CONF
for bin in "${binaries[@]}"; do
  for mode in daemon once; do
    cat > "$tmp/steady-$mode-$bin.conf" << CONF
[[inputs.mip]]
  url = "$url_live"
  api_key = "\${MIP_API_KEY}"
  state_file = "$tmp/state-$mode-$bin.json"
  max_points_per_gather = 0
  replay_on_restart = "0s"
CONF
  done
done

# (c): one scenario of the middle.
perl_id=$((1000 + n / 2))
perl_cmd=(perl "$perl_src/centreon_plugins.pl" --plugin=apps::monitoring::mip::restapi::plugin
  --hostname=127.0.0.1 --port="$port_hour" --proto=http --api-key="$MIP_API_KEY"
  --mode=scenarios --filter-id="^$perl_id\$")

# --- measuring -------------------------------------------------------------------
# measure CASE CMD...: runs CMD under GNU time, stdout to $tmp/out, and
# appends "cpu_seconds peak_kib points" to $tmp/CASE.
measure() {
  local case=$1
  shift
  if ! /usr/bin/time -f '%U %S %M' -o "$tmp/time" "$@" > "$tmp/out" 2> "$tmp/err"; then
    [ "$case" = perl ] || { echo "$case failed: $*" >&2; cat "$tmp/err" "$tmp/time" >&2; exit 1; }
  fi
  awk -v points="$(wc -l < "$tmp/out")" 'END { printf "%.2f %d %d\n", $1 + $2, $3, points }' "$tmp/time" >> "$tmp/$case"
}

# The long-running telegraf-mip of (b): started by start_daemon BIN, a
# gather per gather_daemon BIN (SIGUSR1, which it takes as a line on stdin;
# stdin stays open), which appends "cpu_seconds peak_kib points" of that
# gather to $tmp/$2 when given.
declare -A dpid=()
clk_tck=$(getconf CLK_TCK)
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
api_points() { grep -c '^mip_api[ ,]' "$1" || true; }
start_daemon() {
  local bin=$1
  # stdin: a FIFO it holds open itself, read-write: no line, no end.
  rm -f "$tmp/in-$bin"
  mkfifo "$tmp/in-$bin"
  "$tmp/$bin/telegraf-mip" -config "$tmp/steady-daemon-$bin.conf" -poll_interval_disabled \
    0<> "$tmp/in-$bin" > "$tmp/daemon-$bin.out" 2> "$tmp/daemon-$bin.err" &
  dpid[$bin]=$!
  pids+=($!)
  sleep 0.5 # its signal handlers in place
}
gather_daemon() {
  local bin=$1 record=${2:-} pid=${dpid[$1]} before lines ticks last stable=0
  before=$(api_points "$tmp/daemon-$bin.out")
  lines=$(wc -l < "$tmp/daemon-$bin.out")
  ticks=$(cpu_ticks "$pid")
  kill -USR1 "$pid"
  for _ in $(seq 600); do
    [ "$(api_points "$tmp/daemon-$bin.out")" -gt "$before" ] && break
    kill -0 "$pid" 2> /dev/null || { echo "telegraf-mip ($bin) ended" >&2; cat "$tmp/daemon-$bin.err" >&2; exit 1; }
    sleep 0.1
  done
  # Written: now until the state is saved and the process idle.
  last=$(cpu_ticks "$pid")
  while [ "$stable" -lt 3 ]; do
    sleep 0.1
    if [ "$(cpu_ticks "$pid")" = "$last" ]; then stable=$((stable + 1)); else stable=0 last=$(cpu_ticks "$pid"); fi
  done
  [ -n "$record" ] || return 0
  awk -v t0="$ticks" -v t1="$last" -v hz="$clk_tck" -v points=$(($(wc -l < "$tmp/daemon-$bin.out") - lines)) \
    -v kib="$(awk '/^VmHWM:/ { print $2 }' "/proc/$pid/status")" \
    'BEGIN { printf "%.2f %d %d\n", (t1 - t0) / hz, kib, points }' >> "$tmp/$record"
  tail -n +$((lines + 1)) "$tmp/daemon-$bin.out" > "$tmp/out"
}
stop_daemon() {
  kill -TERM "${dpid[$1]}" 2> /dev/null || true
  wait "${dpid[$1]}" 2> /dev/null || true
}

now() { date +%s.%N; }
sleep_until() { # epoch seconds (fractional)
  local s
  s=$(awk -v t="$1" -v now="$(now)" 'BEGIN { d = t - now; printf "%.3f", (d > 0 ? d : 0) }')
  # In the background: bash runs traps (Ctrl-C) only once a foreground
  # command returns, wait returns at once.
  sleep "$s" &
  sleeper=$!
  wait "$sleeper"
  sleeper=''
}
# Runs start on whole seconds (phases 0..59 s): begin the first gathers 0.3 s
# into a second, the measured ones exactly 60 s later, so that no run falls
# between the two by a few milliseconds of start-up noise.
sleep_to_next_second_plus() {
  sleep_until "$(awk -v now="$(now)" -v f="$1" 'BEGIN { printf "%.3f", int(now) + 1 + f }')"
}

echo "measuring: $rounds rounds, each: ${binaries[*]} first, perl, ${binaries[*]} steady (a minute after their first gather)"
for round in $(seq "$rounds"); do
  # (b), (b1), not measured: a first gather into a fresh state file, by a
  # long-running process and by a -once.
  declare -A primed=() primed_once=()
  for bin in "${binaries[@]}"; do
    rm -f "$tmp/state-daemon-$bin.json" "$tmp/state-once-$bin.json"
    start_daemon "$bin"
    sleep_to_next_second_plus 0.3
    primed[$bin]=$(now)
    gather_daemon "$bin"
    sleep_to_next_second_plus 0.3
    primed_once[$bin]=$(now)
    "$tmp/$bin/telegraf-mip" -config "$tmp/steady-once-$bin.conf" -once > /dev/null 2> "$tmp/err" \
      || { echo "steady priming failed ($bin)" >&2; cat "$tmp/err" >&2; exit 1; }
  done
  # (a) and (c) while the minute passes.
  for bin in "${binaries[@]}"; do
    measure "first-$bin" "$tmp/$bin/telegraf-mip" -config "$tmp/first.conf" -once
  done
  measure perl "${perl_cmd[@]}"
  # A Nagios status line about the scenario, not an HTTP or decoding error.
  perl_line=$(head -c 300 "$tmp/out")
  if ! grep -qE "^(OK|WARNING|CRITICAL|UNKNOWN): Scenario " "$tmp/out"; then
    echo "the Perl plugin did not check the scenario: $perl_line" >&2
    cat "$tmp/err" >&2
    exit 1
  fi
  [ "$round" = 1 ] && first_perl_line=$perl_line
  # (b), (b1), measured: one minute after their first gather.
  for bin in "${binaries[@]}"; do
    late=$(awk -v t="${primed[$bin]}" -v now="$(now)" 'BEGIN { print ((now > t + 60.2) ? 1 : 0) }')
    [ "$late" = 0 ] || echo "  warning: round $round, $bin steady gather started late: (a) and (c) took over a minute; expect more than one new run per scenario" >&2
    sleep_until "$(awk -v t="${primed[$bin]}" 'BEGIN { printf "%.3f", t + 60 }')"
    gather_daemon "$bin" "steady-$bin"
    grep -c '^mip_scenario[ ,]' "$tmp/out" >> "$tmp/scenarios-$bin" || true
    stop_daemon "$bin"
    sleep_until "$(awk -v t="${primed_once[$bin]}" 'BEGIN { printf "%.3f", t + 60 }')"
    measure "once-$bin" "$tmp/$bin/telegraf-mip" -config "$tmp/steady-once-$bin.conf" -once
    grep -c '^mip_scenario[ ,]' "$tmp/out" >> "$tmp/scenarios-once-$bin" || true
  done
  echo "  round $round/$rounds done"
done

# --- report ---------------------------------------------------------------------
# stats FILE COLUMN SCALE: "median (min–max)" of a column, divided by SCALE.
stats() {
  sort -n -k"$2,$2" "$1" | awk -v c="$2" -v s="$3" '
    { v[NR] = $c / s }
    END {
      m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
      f = (s == 1 && c == 3) ? "%.0f" : "%.2f"
      if (v[1] == v[NR]) printf f, m; else printf f " (" f "–" f ")", m, v[1], v[NR]
    }'
}
median() { sort -n -k"$2,$2" "$1" | awk -v c="$2" -v s="$3" '{ v[NR] = $c / s } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

echo
echo "Perl plugin, scenario $perl_id, first round: $first_perl_line"
for bin in "${binaries[@]}"; do
  for kind in "" once-; do
    echo "${label[$bin]}, steady ${kind:-long-running}: mip_scenario points per gather: $(sort -n "$tmp/scenarios-$kind$bin" | uniq -c | awk '{ printf "%s%s in %s gather(s)", (NR > 1 ? ", " : ""), $2, $1 }') (expected $n)"
  done
done
echo
echo "$n scenarios × 60 runs, 6 metrics; medians of $rounds rounds (min–max); $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| program | case | CPU s | peak RSS MiB | lines out |"
echo "|---|---|---|---|---|"
row() { echo "| $1 | $2 | $(stats "$tmp/$3" 1 1) | $(stats "$tmp/$3" 2 1024) | $(stats "$tmp/$3" 3 1) |"; }
for bin in "${binaries[@]}"; do
  row "${label[$bin]}" "(a) first gather, $n × 60 runs" "first-$bin"
  row "${label[$bin]}" "(b) steady gather, $n × 2 runs, 1 new (long-running)" "steady-$bin"
  row "${label[$bin]}" "(b1) the same by a -once process" "once-$bin"
done
row "centreon_plugins.pl" "(c) one scenario of $n × 60 runs" perl
echo
echo "| program | (a)/(c) CPU | (a)/(c) RSS | (b)/(c) CPU | (b)/(c) RSS | (b1)/(c) CPU |"
echo "|---|---|---|---|---|---|"
perl_cpu=$(median "$tmp/perl" 1 1) perl_rss=$(median "$tmp/perl" 2 1)
for bin in "${binaries[@]}"; do
  echo "| ${label[$bin]} / Perl | $(ratio "$(median "$tmp/first-$bin" 1 1)" "$perl_cpu") | $(ratio "$(median "$tmp/first-$bin" 2 1)" "$perl_rss") | $(ratio "$(median "$tmp/steady-$bin" 1 1)" "$perl_cpu") | $(ratio "$(median "$tmp/steady-$bin" 2 1)" "$perl_rss") | $(ratio "$(median "$tmp/once-$bin" 1 1)" "$perl_cpu") |"
done
