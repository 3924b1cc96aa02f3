package org.medlake.core.file;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * What one byte-level pass over a UTF-8 CSV found, with line numbers counted from 1 and line
 * terminators {@code \n}, {@code \r\n} and a lone {@code \r}.
 *
 * @param lines number of lines, a last line without terminator included
 * @param header the first line, without a byte-order mark
 * @param oddQuoteLines lines with an odd number of quote characters (they open or close a quoted
 *     field that spans lines)
 * @param invalidLines lines holding bytes that are not valid UTF-8 (or, after normalization, the
 *     replacement character)
 * @param overlongLines lines longer than the limit
 * @param loneCarriageReturn whether a {@code \r} not followed by {@code \n} ends a line
 * @param nulBytes number of NUL bytes (text CSV has none)
 * @param controlBytes bit i set when byte i (below 0x20) occurs
 */
public record LineScan(
    long lines,
    String header,
    List<Long> oddQuoteLines,
    List<Long> invalidLines,
    List<Long> overlongLines,
    boolean loneCarriageReturn,
    long nulBytes,
    int controlBytes) {
  public LineScan {
    requireNonNull(header, "header is null");
    oddQuoteLines = List.copyOf(oddQuoteLines);
    invalidLines = List.copyOf(invalidLines);
    overlongLines = List.copyOf(overlongLines);
  }

  /** DuckDB cannot number lines of this file right without a normalized copy. */
  public boolean needsNormalization() {
    return !invalidLines.isEmpty() || !overlongLines.isEmpty() || loneCarriageReturn;
  }

  /** A control byte that does not occur in the file, usable as a never-matching delimiter. */
  public char unusedControlCharacter() {
    for (int candidate = 0x1F; candidate >= 0x01; candidate--) {
      if (candidate != '\n' && candidate != '\r' && candidate != '\t' && (controlBytes & (1 << candidate)) == 0) {
        return (char) candidate;
      }
    }
    throw new IllegalStateException("every control character occurs in the file");
  }
}
