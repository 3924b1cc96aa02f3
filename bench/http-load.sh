#!/usr/bin/env bash
# Load test of the server with wrk (Debian package): a cached predefined query and /health on the
# same running server, in one run, after a warm-up of both. Prints req/s, p50 and p99 of each and
# their ratio, and the audit lines the server wrote (one per query: the audit trail is part of the cost).
# Usage: bench/http-load.sh [seconds per run, default 15]   (WARMUP=seconds of warm-up per endpoint, default 15)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-15}"
command -v wrk >/dev/null || { [ "$(id -u)" -eq 0 ] && apt-get install -y -qq wrk >/dev/null; } || { echo "install wrk" >&2; exit 1; }
home="$(mktemp -d /tmp/medlake-load.XXXXXX)"
port=18090
cat > "$home/medlake.yaml" <<'YAML'
server:
  requests-per-minute-per-user: 100000000
  requests-per-minute-per-ip: 100000000
YAML
./medlake --home "$home" demo --no-serve --hospitals 3 --months 6 --rows-per-file 5000 > "$home/demo.log" 2>&1
echo "a long load-test password" | ./medlake --home "$home" users add loader --role analyst > /dev/null
token="$(./medlake --home "$home" tokens create loader 2>/dev/null)"
./medlake --home "$home" serve --port "$port" > "$home/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.5; done
cat > "$home/query.lua" <<LUA
wrk.method = "POST"
wrk.body = '{"parameters": {"hospitals": "H001"}}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $token"
LUA
# the first call computes and caches the answer
curl -sf -X POST -H "Authorization: Bearer $token" -H 'Content-Type: application/json' -d '{"parameters": {"hospitals": "H001"}}' \
  "http://127.0.0.1:$port/api/v1/queries/monthly-volume/run" > /dev/null
run() { wrk -t2 -c16 -d"${seconds}s" --latency "$@"; }
# warm-up (not measured): both endpoints, so the JIT has compiled both paths before either is
# timed. 5 s was too short for the query's longer path: its first measured seconds still ran
# partly interpreted (server CPU per query about 80 us in a first 10 s round, 53 us in the next)
warmup="${WARMUP:-15}"
wrk -t2 -c16 -d"${warmup}s" -s "$home/query.lua" "http://127.0.0.1:$port/api/v1/queries/monthly-volume/run" > /dev/null
wrk -t2 -c16 -d"${warmup}s" "http://127.0.0.1:$port/health" > /dev/null
query_out="$(run -s "$home/query.lua" "http://127.0.0.1:$port/api/v1/queries/monthly-volume/run")"
health_out="$(run "http://127.0.0.1:$port/health")"
figures() {
  local out="$1"
  local rps p50 p99 errors
  rps="$(echo "$out" | awk '/Requests\/sec/ {print $2}')"
  p50="$(echo "$out" | awk '$1 == "50%" {print $2}')"
  p99="$(echo "$out" | awk '$1 == "99%" {print $2}')"
  errors="$(echo "$out" | awk '/Non-2xx/ {print $5}')"
  echo "$rps ${p50} ${p99} ${errors:-0}"
}
read -r qrps qp50 qp99 qerr <<< "$(figures "$query_out")"
read -r hrps hp50 hp99 herr <<< "$(figures "$health_out")"
printf '%-28s %12s %10s %10s %8s\n' "endpoint" "req/s" "p50" "p99" "errors"
printf '%-28s %12s %10s %10s %8s\n' "cached predefined query" "$qrps" "$qp50" "$qp99" "$qerr"
printf '%-28s %12s %10s %10s %8s\n' "/health" "$hrps" "$hp50" "$hp99" "$herr"
awk -v q="$qrps" -v h="$hrps" 'BEGIN { printf "query / health throughput: %.2f (goal >= 0.5)\n", q / h }'
echo "wrk -t2 -c16 -d${seconds}s on $(nproc) cores; server and wrk share the machine"
echo "audit lines in the server's log: $(grep -c '"action":"query"' "$home/server.log" || true)"
