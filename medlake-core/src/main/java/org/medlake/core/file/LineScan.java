package org.medlake.core.file;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;

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
 * @param rectangular present when every line is one CSV record with the header's number of fields,
 *     quoted only around whole fields, no line empty, all ended the same way: a file a CSV reader
 *     turns into exactly one row per line
 * @param lineIndex element k is the byte offset of line {@code 1 + k * INDEX_STRIDE} (element 0 is
 *     0): where the file can be cut into chunks of whole lines without reading it again
 */
public record LineScan(
    long lines,
    String header,
    List<Long> oddQuoteLines,
    List<Long> invalidLines,
    List<Long> overlongLines,
    boolean loneCarriageReturn,
    long nulBytes,
    int controlBytes,
    Optional<Rectangular> rectangular,
    List<Long> lineIndex) {
  /** Lines between two entries of {@link #lineIndex}; a power of two. */
  public static final int INDEX_STRIDE = 1024;

  /**
   * The shape of a rectangular file.
   *
   * @param fields fields per line, the header's included
   * @param crlf whether lines end with {@code \r\n} (else {@code \n})
   * @param paddedFields bit i-1 set when field i of some record (the header aside) may start or end
   *     with whitespace: its first or last byte is a space, a control byte or part of a non-ASCII
   *     character
   * @param paddedBeyond64 the same for any field after the 64th
   */
  public record Rectangular(int fields, boolean crlf, long paddedFields, boolean paddedBeyond64) {
    /**
     * Whether field {@code index} (from 1) may need trimming; if not, trimming it changes nothing.
     */
    public boolean mayBePadded(int index) {
      return index > 64 ? paddedBeyond64 : (paddedFields & (1L << (index - 1))) != 0;
    }
  }

  public LineScan {
    requireNonNull(header, "header is null");
    requireNonNull(rectangular, "rectangular is null");
    oddQuoteLines = List.copyOf(oddQuoteLines);
    invalidLines = List.copyOf(invalidLines);
    overlongLines = List.copyOf(overlongLines);
    lineIndex = List.copyOf(lineIndex);
  }

  /** DuckDB cannot number lines of this file right without a normalized copy. */
  public boolean needsNormalization() {
    return !invalidLines.isEmpty() || !overlongLines.isEmpty() || loneCarriageReturn;
  }

  /** A control byte that does not occur in the file, usable as a never-matching delimiter. */
  public char unusedControlCharacter() {
    for (int candidate = 0x1F; candidate >= 0x01; candidate--) {
      if (candidate != '\n'
          && candidate != '\r'
          && candidate != '\t'
          && (controlBytes & (1 << candidate)) == 0) {
        return (char) candidate;
      }
    }
    throw new IllegalStateException("every control character occurs in the file");
  }
}
