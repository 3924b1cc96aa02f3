#!/usr/bin/env bash
# The Spark job (local[N], in its own JVM, as spark-submit runs it) against the embedded pipeline on
# the same generated landing zone, each into a fresh home. Prints rows/s of both and their ratio:
# wall time of the whole command (JVM and Spark start included) and the time of the ingestion
# itself (steady state): for the embedded pipeline the sum of the per-file run durations in the run
# ledger (files one after another), for the Spark job the time from handing out the tasks to the
# last commit, as the job prints it (files staged side by side, so per-run durations overlap); and the
# CPU seconds of each process (user + system, JVM and Spark start included), which other load on the
# machine changes less than wall time.
# Usage: bench/spark-vs-embedded.sh [hospitals] [months] [rows per file] [spark master]   (default 2 3 500000 local[2])
set -euo pipefail
cd "$(dirname "$0")/.."
hospitals="${1:-2}"; months="${2:-3}"; rows="${3:-500000}"; master="${4:-local[2]}"
if [ ! -f medlake-cli/target/medlake-cli.jar ] || [ ! -f medlake-spark/target/medlake-spark.jar ] \
    || [ ! -f medlake-spark-classpath/target/spark-classpath.txt ]; then
  ./mvnw -B -q -DskipTests -pl medlake-cli,medlake-spark,medlake-spark-classpath -am package
fi
cli=(java -Xmx4g -cp "medlake-cli/target/medlake-cli.jar:medlake-cli/target/lib/*" org.medlake.cli.Main)
work="$(mktemp -d /tmp/medlake-spark-bench.XXXXXX)"
trap 'rm -rf "$work"' EXIT
"${cli[@]}" --home "$work/embedded" generate --out "$work/landing" --hospitals "$hospitals" --months "$months" \
  --rows-per-file "$rows" --dirty-fraction 0.05 > "$work/generate.log" 2>&1
# the Spark home: same source mappings, its own (empty) vault and tables
"${cli[@]}" --home "$work/spark" tables > /dev/null
cp "$work/embedded/sources/"* "$work/spark/sources/"
bytes=$(du -sb "$work/landing" | cut -f1)

now() { date +%s%N; }
start=$(now)
/usr/bin/time -f '%U %S' -o "$work/embedded.cpu" "${cli[@]}" --home "$work/embedded" ingest "$work/landing" > "$work/embedded.log" 2>&1
embedded_ms=$(( ($(now) - start) / 1000000 ))
start=$(now)
/usr/bin/time -f '%U %S' -o "$work/spark.cpu" java -Xmx6g -XX:+IgnoreUnrecognizedVMOptions \
  --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.invoke=ALL-UNNAMED \
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED \
  --add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED \
  --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED \
  --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED --add-opens=java.base/jdk.internal.ref=ALL-UNNAMED \
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/sun.nio.cs=ALL-UNNAMED \
  --add-opens=java.base/sun.security.action=ALL-UNNAMED --add-opens=java.base/sun.util.calendar=ALL-UNNAMED \
  -Djdk.reflect.useDirectMethodHandle=false -Dio.netty.tryReflectionSetAccessible=true \
  -cp "$(cat medlake-spark-classpath/target/spark-classpath.txt):medlake-spark/target/medlake-spark.jar" \
  org.medlake.spark.SparkIngestJob --home "$work/spark" --master "$master" "$work/landing" > "$work/spark.log" 2>&1 \
  || { cat "$work/spark.log" >&2; exit 1; }
spark_ms=$(( ($(now) - start) / 1000000 ))

"${cli[@]}" --home "$work/embedded" runs --json > "$work/embedded-runs.json"
"${cli[@]}" --home "$work/spark" runs --json > "$work/spark-runs.json"
python3 - "$work" "$embedded_ms" "$spark_ms" "$bytes" "$master" <<'PY'
import json, re, sys
work, embedded_ms, spark_ms, size, master = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
def runs(name):
    data = json.load(open(f"{work}/{name}-runs.json"))
    data = data if isinstance(data, list) else data.get("runs", data)
    return [r for r in data if r["status"] == "SUCCEEDED"]
e, s = runs("embedded"), runs("spark")
rows = sum(r["rows_read"] for r in e)
assert rows == sum(r["rows_read"] for r in s), "engines read different row counts"
assert sum(r["rows_accepted"] for r in e) == sum(r["rows_accepted"] for r in s), "engines accepted different row counts"
e_run = sum(r["duration_ms"] for r in e)
s_run = int(re.search(r"files staged and committed in (\d+) ms", open(f"{work}/spark.log").read()).group(1))
print(f"input: {len(e)} files, {rows:,} rows, {size / 1e6:,.0f} MB CSV; Spark master {master}")
def cpu(name):
    return sum(float(value) for value in open(f"{work}/{name}.cpu").read().split()[-2:])
print(f"{'':10} {'wall ms':>10} {'rows/s':>10} {'ingest ms':>10} {'rows/s':>10} {'CPU s':>8}")
for name, wall, run in (("embedded", embedded_ms, e_run), ("spark", spark_ms, s_run)):
    print(f"{name:10} {wall:>10,} {rows * 1000 // wall:>10,} {run:>10,} {rows * 1000 // run:>10,} {cpu(name):>8.1f}")
print(f"ratio embedded/spark rows/s: wall {spark_ms / embedded_ms:.2f}, ingest {s_run / e_run:.2f}, CPU {cpu('spark') / cpu('embedded'):.2f}")
PY
