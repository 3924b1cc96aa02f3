package org.medlake.query.cost;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The pre-flight estimate of a query, from Iceberg metadata only.
 *
 * @param files data files the query will scan after pruning
 * @param totalFiles data files of the tables read
 * @param bytes size of the files to scan
 * @param projectedBytes bytes of the columns read, from per-column sizes
 * @param priceUsd projected bytes times the configured price per TB
 * @param fullScan the query reads every file of a table larger than the full-scan threshold
 * @param budgetBytes what the caller's role may scan in one query
 */
public record Estimate(
    @JsonProperty("files") long files,
    @JsonProperty("total_files") long totalFiles,
    @JsonProperty("bytes") long bytes,
    @JsonProperty("projected_bytes") long projectedBytes,
    @JsonProperty("price_usd") double priceUsd,
    @JsonProperty("full_scan") boolean fullScan,
    @JsonProperty("budget_bytes") long budgetBytes) {}
