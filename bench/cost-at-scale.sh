#!/usr/bin/env bash
# The cost of ingesting medlake's data on a cluster, projected from figures measured on this
# machine (docs/benchmarks.md). Every assumption is a variable with its default printed next to
# the result, so the projection can be redone when a figure or a price changes:
#
#   ROWS_PER_CORE_SECOND  rows one core ingests a second (the embedded pipeline's rows/s on this
#                         machine divided by its 2 cores; the Spark job runs the same pipeline)
#   SPARK_OVERHEAD        the Spark job's time per row against the embedded pipeline's (local[2])
#   CSV_BYTES_PER_ROW     bytes of CSV a row (the bench file: about 153)
#   PARQUET_PER_CSV       Parquet bytes written per CSV byte (pipeline Parquet / CSV of the bench)
#   TOTAL_TB              the whole collection, TB of CSV (the full backfill)
#   MONTHLY_TB            one month's deliveries, TB of CSV
#   GB_PER_VCPU           memory an executor core needs (DuckDB's limit plus the JVM: 2 GB + 1 GB)
#
# Prices are AWS list prices for us-east-1 as published in 2025 (re-check before budgeting):
#   EMR Serverless (x86): 0.052624 $/vCPU-hour + 0.0057785 $/GB-hour
#   EMR on EC2, m6i.4xlarge (16 vCPU): 0.768 $/h EC2 + 0.192 $/h EMR; spot at SPOT_SHARE of EC2
#   S3 Standard 0.022 $/GB-month (50-500 TB tier), Standard-IA 0.0125, Glacier Instant Retrieval 0.004
# Usage: bench/cost-at-scale.sh            (or override any variable: ROWS_PER_CORE_SECOND=90000 bench/cost-at-scale.sh)
set -euo pipefail
: "${ROWS_PER_CORE_SECOND:=75000}"
: "${SPARK_OVERHEAD:=1.1}"
: "${CSV_BYTES_PER_ROW:=153}"
: "${PARQUET_PER_CSV:=0.163}"
: "${TOTAL_TB:=500}"
: "${MONTHLY_TB:=4.2}"
: "${GB_PER_VCPU:=3}"
: "${SPOT_SHARE:=0.35}"
awk -v r="$ROWS_PER_CORE_SECOND" -v o="$SPARK_OVERHEAD" -v b="$CSV_BYTES_PER_ROW" -v p="$PARQUET_PER_CSV" \
    -v total="$TOTAL_TB" -v monthly="$MONTHLY_TB" -v gb="$GB_PER_VCPU" -v spot="$SPOT_SHARE" '
function row(name, tb,    rows, vcpuh, serverless, ondemand, spotcost, parquet) {
  rows = tb * 1e12 / b
  vcpuh = rows / (r / o) / 3600
  serverless = vcpuh * (0.052624 + gb * 0.0057785)
  ondemand = vcpuh / 16 * (0.768 + 0.192)
  spotcost = vcpuh / 16 * (0.768 * spot + 0.192)
  parquet = tb * p
  printf "| %s | %.1f TB | %.3g | %\047.0f | $%\047.0f | $%\047.0f | $%\047.0f | %.1f TB | $%\047.0f |\n", \
    name, tb, rows, vcpuh, serverless, ondemand, spotcost, parquet, parquet * 1000 * 0.022
}
BEGIN {
  printf "assumptions: %d rows/s per core, Spark x%.2f, %d B CSV a row, Parquet %.3f of the CSV, %d GB per vCPU, spot at %.0f%% of EC2\n", \
    r, o, b, p, gb, spot * 100
  print "| load | CSV | rows | vCPU-hours | EMR Serverless | EMR on EC2, on demand | EMR on EC2, spot | Parquet | S3 Standard a month |"
  print "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
  row("monthly increment", monthly)
  row("full backfill", total)
}'
