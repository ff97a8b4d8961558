#!/usr/bin/env bash
# Regenerates the Centreon Perl plugin's outputs the tests compare with:
#
# 1. plugins/inputs/mip/testdata/: centreon_perl_scenarios.txt (--mode=scenarios,
#    one scenario at a time) and discovery_perl.xml (--mode=list-scenarios
#    --disco-show), for schema = "centreon" (plugins/inputs/mip/golden_test.go);
# 2. testdata/goldens/centreon/: one <case>.perl file for each line of
#    cases.txt (the Perl plugin's stdout, then "exit N"), and statefiles.txt
#    (the --memory state files the cases left), for `telegraf-mip centreon`
#    (internal/centreonplugin/golden_test.go). A case's @FILE is a file in
#    the state directory (for --output-file), whose content is written
#    after the output, behind a "--- file" line; OpenMetrics' timestamps
#    are written <ms>.
#
# It runs centreon-plugins' apps::monitoring::mip::restapi against a small
# server on 127.0.0.1 that answers, by the MIP_API_KEY the case gives:
# <set> -> details_<set>.json or measures_<set>.json of testdata/goldens/centreon
# (plugins/inputs/mip/testdata's *_centreon.json for step 1); status-<code> ->
# that HTTP status; empty -> an empty 200 answer. Text outputs are taken with
# perl -CO (UTF-8, as this command writes; the Perl plugin itself writes
# Latin-1, a documented difference), XML and JSON ones without (XML::LibXML
# and JSON::XS encode).
# Needs perl with JSON::XS, LWP, URI, IO::Socket::SSL and XML::LibXML (Debian:
# libjson-xs-perl libwww-perl liburi-perl libio-socket-ssl-perl
# libxml-libxml-perl) and python3.
# Usage: scripts/centreon-goldens.sh CENTREON_PLUGINS_SRC_DIR
#   (the src/ of a centreon-plugins checkout, d3cc6de7 for the committed files)
set -euo pipefail
cd "$(dirname "$0")/.."
src=$(cd "${1:?give the src directory of a centreon-plugins checkout}" && pwd)
old=$(pwd)/plugins/inputs/mip/testdata
goldens=$(pwd)/testdata/goldens/centreon
port=${CENTREON_GOLDENS_PORT:-18913}

python3 - "$old" "$goldens" "$port" <<'PY' &
import http.server, sys, os
old, goldens, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        key = self.headers.get('MIP_API_KEY', '')
        kind = 'details' if self.path.startswith('/api/measures/details') else 'measures'
        code, body = 200, b''
        if key.startswith('status-'):
            code, body = int(key[7:]), b'{"detail": "refused"}'
        elif key == 'unused':
            body = open(os.path.join(old, kind + '_centreon.json'), 'rb').read()
        elif key != 'empty':
            body = open(os.path.join(goldens, kind + '_' + key + '.json'), 'rb').read()
        self.send_response(code)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
http.server.HTTPServer(('127.0.0.1', port), Handler).serve_forever()
PY
server=$!
state=$(mktemp -d)
trap 'kill "$server"; rm -rf "$state"' EXIT
sleep 1

# 1. schema = "centreon"'s goldens.
plugin=(perl -CO "$src/centreon_plugins.pl" --plugin=apps::monitoring::mip::restapi::plugin
  --hostname=127.0.0.1 --port="$port" --proto=http --api-key=unused)
out=$old/centreon_perl_scenarios.txt
: > "$out"
check() { # id [--option=value ...]
  local id=$1
  shift
  echo "\$ centreon_plugins.pl --plugin=apps::monitoring::mip::restapi::plugin --mode=scenarios --filter-id=^$id\$${*:+ $*}" >> "$out"
  code=0
  "${plugin[@]}" --mode=scenarios --filter-id="^$id\$" "$@" >> "$out" 2>/dev/null || code=$?
  echo "exit $code" >> "$out"
}
for id in 301 302 303 304 305; do
  check "$id"
done
check 302 '--display-instance=%{app_name}/%{id} %{display_name}'
check 301 '--display-instance=%{display_name}'
check 304 '--critical-status=' '--warning-status=%{status} =~ /timeout/i'
check 305 '--warning-status=' '--unknown-status=%{status} =~ /slow/i || %{status} =~ /^down/i'
"${plugin[@]}" --mode=list-scenarios --disco-show > "$old/discovery_perl.xml"

# 2. telegraf-mip centreon's goldens.
rm -f "$goldens"/*.perl
while IFS=$'\t' read -r -a fields; do
  [[ ${#fields[@]} -eq 0 || ${fields[0]} == \#* ]] && continue
  name=${fields[0]}
  args=()
  for a in "${fields[@]:1}"; do
    if [[ $a == @BASE ]]; then
      args+=(--plugin=apps::monitoring::mip::restapi::plugin --hostname=127.0.0.1 --port="$port" --proto=http --statefile-dir="$state")
    elif [[ $a == @LIST ]]; then
      args+=(--plugin=apps::monitoring::mip::restapi::plugin --hostname=127.0.0.1 --port="$port" --proto=http)
    else
      args+=("${a//@FILE/$state/output.txt}")
    fi
  done
  perl=(perl -CO)
  [[ " ${args[*]} " == *" --disco-"* || " ${args[*]} " == *" --output-json "* || " ${args[*]} " == *" --output-xml "* ]] && perl=(perl)
  code=0
  result=$("${perl[@]}" "$src/centreon_plugins.pl" "${args[@]}" 2>/dev/null) || code=$?
  if [[ -e $state/output.txt ]]; then
    result+=$'\n--- file\n'$(cat "$state/output.txt")
    rm "$state/output.txt"
  fi
  printf '%s\nexit %d\n' "$result" "$code" | sed -E -e "s|$state|<dir>|g" -e "s|127.0.0.1:$port|127.0.0.1:<port>|g" -e "s|$src|<src>|g" \
    -e 's/^([a-z_.]+\{plugin=.*\} [^ ]+) [0-9]{13}$/\1 <ms>/' > "$goldens/$name.perl"
done < "$goldens/cases.txt"
(cd "$state" && for f in mip_scenarios_*; do printf '%s\n%s\n' "$f" "$(cat "$f")"; done) | sed "s|_${port}_|_<port>_|" > "$goldens/statefiles.txt"
