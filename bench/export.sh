#!/usr/bin/env bash
# Download benchmark: SQL exports are streamed from DuckDB into a spool file, so the server's
# memory should not grow with the size of a download. Exports one tenth of a table (the baseline)
# and then all of it, in CSV and Parquet, from one running server, and prints rows/s, bytes, time
# and the server's peak RSS (VmHWM) after each.
# Usage: bench/export.sh [rows per monthly file, default 50000]   (4 hospitals x 5 months)
set -euo pipefail
cd "$(dirname "$0")/.."
rows_per_file="${1:-50000}"
home="$(mktemp -d /tmp/medlake-export.XXXXXX)"
port=18092
cat > "$home/medlake.yaml" <<'YAML'
query:
  export-rows:
    analyst: 100000000
server:
  requests-per-minute-per-user: 100000000
  requests-per-minute-per-ip: 100000000
YAML
echo "export bench: generating and ingesting 4 hospitals x 5 months x $rows_per_file rows into $home ..." >&2
./medlake --home "$home" demo --no-serve --hospitals 4 --months 5 --rows-per-file "$rows_per_file" --dirty-fraction 0 > "$home/demo.log" 2>&1
echo "a long benchmark password" | ./medlake --home "$home" users add bencher --role analyst > /dev/null
token="$(./medlake --home "$home" tokens create bencher 2>/dev/null)"
./medlake --home "$home" serve --port "$port" > "$home/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.5; done
pid="$(pgrep -f "serve --port $port" | head -1)"
peak() { awk '/VmHWM/ {printf "%.0f", $2 / 1024}' "/proc/$pid/status"; }
export_once() {
  local label="$1" where="$2" format="$3"
  local body="{\"sql\": \"SELECT * FROM lab_results $where\", \"format\": \"$format\"}"
  local start end rows
  rows="$(curl -sf -X POST -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    -d "{\"sql\": \"SELECT count(*) FROM lab_results $where\"}" "http://127.0.0.1:$port/api/v1/sql" | grep -o '"rows":\[\[[0-9]*' | grep -o '[0-9]*$')"
  start="$(date +%s%N)"
  curl -sf -X POST -H "Authorization: Bearer $token" -H 'Content-Type: application/json' -d "$body" \
    -o "$home/export.$format" "http://127.0.0.1:$port/api/v1/exports"
  end="$(date +%s%N)"
  local ms=$(( (end - start) / 1000000 ))
  printf '%-26s %8s %10s %12s %9s %10s %14s\n' "$label" "$format" "$rows" "$(stat -c %s "$home/export.$format")" "$ms" \
    "$(( rows * 1000 / (ms > 0 ? ms : 1) ))" "$(peak)"
}
printf '%-26s %8s %10s %12s %9s %10s %14s\n' "export" "format" "rows" "bytes" "ms" "rows/s" "peak RSS MiB"
for format in csv parquet; do
  export_once "baseline: one hospital-month" "WHERE hospital_id = 'H001' AND collected_at < TIMESTAMP '2024-02-01 00:00:00'" "$format"
  export_once "whole table" "" "$format"
done
echo "server: $(nproc) cores; curl and the server share the machine; peak RSS is the server's VmHWM so far (it only grows)"
