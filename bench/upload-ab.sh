#!/usr/bin/env bash
# Uploads over HTTP, an earlier build against this one (issue 12: did moving imports out of the API cost speed?).
# Both builds serve in turn (compiled, `node dist/cli.js serve`), alternating, and curl uploads one generated CSV
# (1,000,000 rows, 58 MB) to each: total time and the API process's peak RSS (VmHWM).
#
#   bash bench/upload-ab.sh /path/to/other/checkout [ROUNDS]
# The other checkout needs `npx tsc -p tsconfig.build.json` run in it (and node_modules).
set -euo pipefail
other=$(cd "$1" && pwd); rounds=${2:-3}; here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
node -e "
const lines = ['n,label,amount,day,city'];
for (let i = 0; i < 1e6; i++) lines.push(i + ',row text ' + (i % 5000) + ',' + (i * 1.5).toFixed(2) + ',2023-0' + (1 + i % 9) + '-1' + (i % 9) + ',\"Sao Paulo, SP\"');
require('fs').writeFileSync('$work/big.csv', lines.join('\n') + '\n');"
(cd "$here" && node scripts/ensure-build.mjs >/dev/null)
run() { # $1 checkout, $2 port
  (cd "$1" && DATA_DIR="$work/data-$2" PORT=$2 LOG_LEVEL=error node dist/cli.js serve) & local pid=$!
  for _ in $(seq 1 100); do curl -sf "localhost:$2/healthz" >/dev/null && break; sleep 0.1; done
  local sid; sid=$(curl -s -X POST "localhost:$2/api/sessions" | node -pe 'JSON.parse(require("fs").readFileSync(0)).session.session_id')
  sleep 1
  local t; t=$(curl -s -o "$work/out.json" -w '%{time_total}' -H "x-session-id: $sid" -F "file=@$work/big.csv" "localhost:$2/api/session/uploads")
  echo "$1 total_s=$t api_peak_rss_kb=$(awk '/VmHWM/ {print $2}' /proc/$pid/status) $(node -pe 'const r = JSON.parse(require("fs").readFileSync("'"$work"'/out.json")); r.table ? r.table.rows + " rows" : JSON.stringify(r)')"
  kill $pid; wait $pid 2>/dev/null || true; rm -rf "$work/data-$2"
}
for _ in $(seq 1 "$rounds"); do run "$other" 7901; run "$here" 7902; done
