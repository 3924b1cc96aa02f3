package org.medlake.core.file;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.Set;

/**
 * A delivered file made readable for DuckDB's line reader: plain UTF-8, every line numbered as in
 * the original.
 *
 * @param original the delivered file
 * @param readable the file DuckDB reads: the original, or a normalized copy in the temp directory
 * @param sha256 hex SHA-256 of the delivered bytes
 * @param bytesIn size of the delivered file
 * @param scan line statistics of {@code readable}
 * @param encodingLines lines with bytes invalid in the declared encoding
 * @param overlongLines lines longer than the configured maximum (truncated in {@code readable})
 */
public record PreparedFile(
    Path original,
    Path readable,
    String sha256,
    long bytesIn,
    LineScan scan,
    Set<Long> encodingLines,
    Set<Long> overlongLines) {
  public PreparedFile {
    requireNonNull(original, "original is null");
    requireNonNull(readable, "readable is null");
    requireNonNull(sha256, "sha256 is null");
    requireNonNull(scan, "scan is null");
    encodingLines = Set.copyOf(encodingLines);
    overlongLines = Set.copyOf(overlongLines);
  }
}
