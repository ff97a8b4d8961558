#!/usr/bin/env bash
# Regenerates the Centreon plugin's outputs the tests compare with, in
# plugins/inputs/mip/testdata/: centreon_perl_scenarios.txt (--mode=scenarios,
# one scenario at a time) and discovery_perl.xml (--mode=list-scenarios
# --disco-show), running centreon-plugins' apps::monitoring::mip::restapi
# against details_centreon.json and measures_centreon.json, from there, served
# on 127.0.0.1. Needs perl with JSON::XS, LWP and XML::LibXML (Debian:
# libjson-xs-perl libwww-perl libxml-libxml-perl) and python3.
# Usage: scripts/centreon-goldens.sh CENTREON_PLUGINS_SRC_DIR   (the src/ of a checkout, d3cc6de7 for the committed files)
set -euo pipefail
cd "$(dirname "$0")/.."
src=$(cd "${1:?give the src directory of a centreon-plugins checkout}" && pwd)
data=$(pwd)/plugins/inputs/mip/testdata
port=18913

python3 - "$data" "$port" <<'PY' &
import http.server, sys
data, port = sys.argv[1], int(sys.argv[2])
class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        name = 'details_centreon.json' if self.path.startswith('/api/measures/details') else 'measures_centreon.json'
        body = open(data + '/' + name, 'rb').read()
        self.send_response(200)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
http.server.HTTPServer(('127.0.0.1', port), Handler).serve_forever()
PY
server=$!
trap 'kill "$server"' EXIT
sleep 1

plugin=(perl -CO "$src/centreon_plugins.pl" --plugin=apps::monitoring::mip::restapi::plugin
  --hostname=127.0.0.1 --port="$port" --proto=http --api-key=unused)
out=$data/centreon_perl_scenarios.txt
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
"${plugin[@]}" --mode=list-scenarios --disco-show > "$data/discovery_perl.xml"
