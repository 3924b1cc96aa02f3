#!/usr/bin/env bash
# End-to-end test of the web app: demo data in a temporary home, a user of each role, a real
# `medlake serve`, and e2e/e2e.mjs driving Debian's Chromium through playwright-core.
# Needs the built distribution (run-tests runs it after ./mvnw verify; built here when missing).
set -euo pipefail
WEB="$(cd "$(dirname "$0")/.." && pwd)"
ROOT="$(cd "$WEB/.." && pwd)"
cd "$ROOT"

if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "e2e: installing chromium ..." >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "e2e: /usr/bin/chromium is missing; install it (sudo apt-get install -y chromium) and run again" >&2
    exit 1
  fi
fi
if [ ! -f medlake-cli/target/medlake-cli.jar ]; then
  ./mvnw -B -q -DskipTests package
fi
if [ ! -d "$WEB/node_modules/playwright-core" ]; then
  (cd "$WEB" && npm ci --no-audit --no-fund)
fi

CP="medlake-cli/target/medlake-cli.jar:medlake-cli/target/lib/*"
WORK="$(mktemp -d)"
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
medlake() { java -cp "$CP" org.medlake.cli.Main "$@"; }

echo "e2e: demo data in $WORK/home ..." >&2
medlake --home "$WORK/home" demo --no-serve --hospitals 3 --months 4 --rows-per-file 2000 > "$WORK/demo.log" 2>&1 || { cat "$WORK/demo.log" >&2; exit 1; }
export MEDLAKE_PASSWORD="e2e-password-$RANDOM-$RANDOM"
medlake --home "$WORK/home" users add viewer --role viewer >/dev/null
medlake --home "$WORK/home" users add analyst --role analyst >/dev/null
medlake --home "$WORK/home" users add uploader --role uploader --hospital H001 >/dev/null
medlake --home "$WORK/home" users add boss --role admin >/dev/null
# the uploader's file: one more month of hospital H001, generated in a home of its own
medlake --home "$WORK/gen-home" generate --out "$WORK/upload" --hospitals 1 --months 1 --start 2024-06 --rows-per-file 500 --dirty-fraction 0.05 > /dev/null 2>&1
UPLOAD_FILE="$(find "$WORK/upload" -name '*.csv' | head -n 1)"

# java itself in the background (not the shell function), so that the clean-up stops the server
java -cp "$CP" org.medlake.cli.Main --home "$WORK/home" serve --port 0 > "$WORK/server.log" 2>&1 &
SERVER_PID=$!
URL=""
for _ in $(seq 1 120); do
  URL="$(grep -so 'http://127.0.0.1:[0-9]*' "$WORK/server.log" | head -n 1 || true)"
  if [ -n "$URL" ] && node -e 'fetch(process.argv[1]).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' "$URL/health"; then break; fi
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then cat "$WORK/server.log" >&2; exit 1; fi
  sleep 0.5
done
[ -n "$URL" ] || { echo "e2e: the server did not start" >&2; cat "$WORK/server.log" >&2; exit 1; }
echo "e2e: server on $URL" >&2

SHOTS="$WEB/e2e/screenshots"
rm -rf "$SHOTS"
MEDLAKE_E2E_URL="$URL" MEDLAKE_E2E_PASSWORD="$MEDLAKE_PASSWORD" MEDLAKE_E2E_UPLOAD_FILE="$UPLOAD_FILE" MEDLAKE_E2E_UPLOAD_MONTH=2024-06 \
  MEDLAKE_E2E_SCREENSHOTS="$SHOTS" node "$WEB/e2e/e2e.mjs"
echo "e2e: screenshots in $SHOTS" >&2
