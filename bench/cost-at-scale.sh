#!/usr/bin/env bash
# The cost of ingesting medlake's data on a cluster, projected from figures measured on this
# machine (docs/benchmarks.md). Every assumption is a variable with its default printed next to
# the result, so the projection can be redone when a figure or a price changes:
#
#   ROWS_PER_CORE_SECOND  rows the pipeline ingests per CPU-second (10 M rows over the process's
#                         CPU-seconds in `medlake bench ingest`; the Spark job runs the same pipeline)
#   SPARK_OVERHEAD        the Spark job's CPU per row against the embedded pipeline's (about 3-4
#                         CPU-seconds per executor process on top: 1.0 for runs of hours)
#   CSV_BYTES_PER_ROW     bytes of CSV a row (the bench file: about 153)
#   PARQUET_PER_CSV       Parquet bytes written per CSV byte (pipeline Parquet / CSV of the bench)
#   TOTAL_TB              the whole collection, TB of CSV (the full backfill)
#   MONTHLY_TB            one month's deliveries, TB of CSV
#   GB_PER_VCPU           memory an executor core needs (a task of 2 cores: DuckDB's 2 GB limit, peak
#                         RSS 1.8 GiB measured, plus the executor's heap: 2 GB a core)
#   VCPUS                 the cluster size the wall-clock column assumes
#   FILES_TOTAL, FILES_MONTHLY  delivered files (one commit each, one after another on the driver)
#   COMMIT_SECONDS        the driver's time per file commit (0.6-1.1 s measured)
#
# Prices are AWS list prices for us-east-1 as published in 2025 (re-check before budgeting):
#   EMR Serverless (x86): 0.052624 $/vCPU-hour + 0.0057785 $/GB-hour
#   EMR on EC2, m6i.4xlarge (16 vCPU): 0.768 $/h EC2 + 0.192 $/h EMR; spot at SPOT_SHARE of EC2
#   S3 Standard 0.022 $/GB-month (50-500 TB tier), Standard-IA 0.0125, Glacier Instant Retrieval 0.004
# Usage: bench/cost-at-scale.sh            (or override any variable: ROWS_PER_CORE_SECOND=90000 bench/cost-at-scale.sh)
set -euo pipefail
: "${ROWS_PER_CORE_SECOND:=107000}"
: "${SPARK_OVERHEAD:=1.0}"
: "${CSV_BYTES_PER_ROW:=153}"
: "${PARQUET_PER_CSV:=0.115}"
: "${TOTAL_TB:=500}"
: "${MONTHLY_TB:=4.2}"
: "${GB_PER_VCPU:=2}"
: "${VCPUS:=1000}"
: "${FILES_TOTAL:=24000}"
: "${FILES_MONTHLY:=200}"
: "${COMMIT_SECONDS:=1}"
: "${SPOT_SHARE:=0.35}"
awk -v r="$ROWS_PER_CORE_SECOND" -v o="$SPARK_OVERHEAD" -v b="$CSV_BYTES_PER_ROW" -v p="$PARQUET_PER_CSV" \
    -v total="$TOTAL_TB" -v monthly="$MONTHLY_TB" -v gb="$GB_PER_VCPU" -v spot="$SPOT_SHARE" -v vcpus="$VCPUS" \
    -v ftotal="$FILES_TOTAL" -v fmonthly="$FILES_MONTHLY" -v commit="$COMMIT_SECONDS" '
function row(name, tb, files,    rows, vcpuh, serverless, ondemand, spotcost, parquet, hours, commits) {
  rows = tb * 1e12 / b
  vcpuh = rows / (r / o) / 3600
  serverless = vcpuh * (0.052624 + gb * 0.0057785)
  ondemand = vcpuh / 16 * (0.768 + 0.192)
  spotcost = vcpuh / 16 * (0.768 * spot + 0.192)
  parquet = tb * p
  hours = vcpuh / vcpus
  commits = files * commit / 3600
  printf "| %s | %.1f TB | %.2g | %\047.0f | %.1f h (commits %.1f h) | $%\047.0f | $%\047.0f | $%\047.0f | %.1f TB | $%\047.0f |\n", \
    name, tb, rows, vcpuh, (hours > commits ? hours : commits), commits, serverless, ondemand, spotcost, parquet, parquet * 1000 * 0.022
}
BEGIN {
  printf "assumptions: %d rows per CPU-second, Spark x%.2f, %d B CSV a row, Parquet %.3f of the CSV, %d GB per vCPU, spot at %.0f%% of EC2, %d vCPUs, %.1f s a commit\n", \
    r, o, b, p, gb, spot * 100, vcpus, commit
  print "| load | CSV | rows | vCPU-hours | wall on " vcpus " vCPUs | EMR Serverless | EMR on EC2, on demand | EMR on EC2, spot | Parquet | S3 Standard a month |"
  print "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  row("monthly increment", monthly, fmonthly)
  row("full backfill", total, ftotal)
}'
