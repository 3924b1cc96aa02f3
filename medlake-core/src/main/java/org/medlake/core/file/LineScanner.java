package org.medlake.core.file;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One pass over UTF-8 bytes that counts lines and finds what DuckDB's line reader cannot cope
 * with, so that every line keeps its number. Byte-level and allocation-free in the hot loop.
 */
public final class LineScanner {
  private static final int MAX_HEADER_BYTES = 1 << 20;
  /** Lists are capped: a file with more problems than this is rejected as a whole anyway. */
  private static final int MAX_LISTED = 5_000_000;

  private final byte quote;
  private final long maxLineBytes;

  public LineScanner(char quote, long maxLineBytes) {
    this.quote = (byte) quote;
    this.maxLineBytes = maxLineBytes;
  }

  public LineScan scan(InputStream input) throws IOException {
    byte[] buffer = new byte[1 << 16];
    List<Long> oddQuoteLines = new ArrayList<>();
    List<Long> invalidLines = new ArrayList<>();
    List<Long> overlongLines = new ArrayList<>();
    ByteArrayOutputStream header = new ByteArrayOutputStream();
    long line = 1;
    long lineBytes = 0;
    int quotes = 0;
    boolean lineInvalid = false;
    boolean pendingCarriageReturn = false;
    boolean loneCarriageReturn = false;
    boolean sawAnything = false;
    long nulBytes = 0;
    int controlBytes = 0;
    int utf8Remaining = 0;
    int read;
    while ((read = input.read(buffer)) > 0) {
      sawAnything = true;
      for (int i = 0; i < read; i++) {
        int b = buffer[i] & 0xFF;
        if (pendingCarriageReturn) {
          pendingCarriageReturn = false;
          if (b != '\n') {
            loneCarriageReturn = true;
            // the \r ended a line of its own
            endLine(line, quotes, lineInvalid || utf8Remaining > 0, lineBytes, oddQuoteLines, invalidLines, overlongLines);
            line++;
            lineBytes = 0;
            quotes = 0;
            lineInvalid = false;
            utf8Remaining = 0;
          }
        }
        if (b == '\n') {
          endLine(line, quotes, lineInvalid || utf8Remaining > 0, lineBytes, oddQuoteLines, invalidLines, overlongLines);
          line++;
          lineBytes = 0;
          quotes = 0;
          lineInvalid = false;
          utf8Remaining = 0;
          continue;
        }
        if (b == '\r') {
          pendingCarriageReturn = true;
          continue;
        }
        if (line == 1 && header.size() < MAX_HEADER_BYTES) {
          header.write(b);
        }
        lineBytes++;
        if (b < 0x80) {
          if (utf8Remaining > 0) {
            lineInvalid = true;
            utf8Remaining = 0;
          }
          if (b == quote) {
            quotes++;
          } else if (b < 0x20) {
            if (b == 0) {
              nulBytes++;
            }
            controlBytes |= 1 << b;
          }
        } else if (b < 0xC0) {
          if (utf8Remaining > 0) {
            utf8Remaining--;
          } else {
            lineInvalid = true;
          }
        } else {
          if (utf8Remaining > 0 || b < 0xC2 || b > 0xF4) {
            lineInvalid = true;
          }
          utf8Remaining = b < 0xE0 ? 1 : b < 0xF0 ? 2 : 3;
          if (b < 0xC2 || b > 0xF4) {
            utf8Remaining = 0;
          }
        }
      }
    }
    if (pendingCarriageReturn) {
      loneCarriageReturn = true;
    }
    if (pendingCarriageReturn || lineBytes > 0) {
      endLine(line, quotes, lineInvalid || utf8Remaining > 0, lineBytes, oddQuoteLines, invalidLines, overlongLines);
    } else {
      line--;
    }
    long lines = sawAnything ? line : 0;
    String headerText = header.toString(StandardCharsets.UTF_8);
    if (headerText.startsWith("\uFEFF")) {
      headerText = headerText.substring(1);
    }
    return new LineScan(lines, headerText, oddQuoteLines, invalidLines, overlongLines, loneCarriageReturn, nulBytes, controlBytes);
  }

  private void endLine(
      long line,
      int quotes,
      boolean invalid,
      long lineBytes,
      List<Long> oddQuoteLines,
      List<Long> invalidLines,
      List<Long> overlongLines) {
    if (lineBytes > maxLineBytes) {
      add(overlongLines, line);
    } else if (invalid) {
      add(invalidLines, line);
    } else if ((quotes & 1) == 1) {
      add(oddQuoteLines, line);
    }
  }

  private static void add(List<Long> list, long line) {
    if (list.size() < MAX_LISTED) {
      list.add(line);
    }
  }
}
