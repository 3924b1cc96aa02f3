package org.medlake.core.file;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One pass over UTF-8 bytes that counts lines and finds what DuckDB's line reader cannot cope with,
 * so that every line keeps its number. Byte-level and allocation-free in the hot loop.
 */
public final class LineScanner {
  private static final int MAX_HEADER_BYTES = 1 << 20;

  /** Lists are capped: a file with more problems than this is rejected as a whole anyway. */
  private static final int MAX_LISTED = 5_000_000;

  private final byte quote;
  private final byte delimiter;

  /** Whether records can be checked for shape at all: delimiter and quote are single bytes. */
  private final boolean shapeCheckable;

  private final long maxLineBytes;

  /**
   * Bytes the scan must look at one by one: control bytes (line ends among them), non-ASCII bytes,
   * the quote and the delimiter. Runs of the others are skipped in a tight loop.
   */
  private final boolean[] special;

  public LineScanner(char delimiter, char quote, long maxLineBytes) {
    this.quote = (byte) quote;
    this.delimiter = (byte) delimiter;
    this.shapeCheckable =
        delimiter > 0
            && delimiter < 0x80
            && quote > 0
            && quote < 0x80
            && delimiter != quote
            && delimiter != '\n'
            && delimiter != '\r';
    this.maxLineBytes = maxLineBytes;
    this.special = new boolean[256];
    for (int b = 0; b < 256; b++) {
      special[b] = b < ' ' || b >= 0x80 || b == (quote & 0xFF) || b == (delimiter & 0xFF);
    }
  }

  public LineScan scan(InputStream input) throws IOException {
    byte[] buffer = new byte[1 << 16];
    List<Long> oddQuoteLines = new ArrayList<>();
    List<Long> invalidLines = new ArrayList<>();
    List<Long> overlongLines = new ArrayList<>();
    List<Long> lineIndex = new ArrayList<>();
    lineIndex.add(0L);
    // bytes of the input before the current buffer
    long position = 0;
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
    // the shape of each line as a CSV record: fields outside quotes, and whether its quoting is
    // the plain kind a CSV reader parses unambiguously (quotes only around whole fields)
    Shape shape = new Shape();
    // the byte before the current one on the line
    byte previous = 0;
    boolean[] special = this.special;
    int read;
    while ((read = input.read(buffer)) > 0) {
      sawAnything = true;
      for (int i = 0; i < read; i++) {
        int b = buffer[i] & 0xFF;
        // the common case, a run of printable ASCII inside a record, in as few steps a byte as
        // possible
        if (!special[b] && line > 1 && utf8Remaining == 0 && !pendingCarriageReturn) {
          int end = i + 1;
          while (end < read && !special[buffer[end] & 0xFF]) {
            end++;
          }
          lineBytes += end - i;
          // only a run's first byte can change the shape: after it the field is inside quotes or
          // unquoted, where no plain byte matters
          if (shapeCheckable && shape.state != Shape.UNQUOTED && shape.state != Shape.QUOTED) {
            shape.accept((byte) b, previous, delimiter, quote);
          }
          previous = buffer[end - 1];
          i = end - 1;
          continue;
        }
        boolean afterCarriageReturn = pendingCarriageReturn;
        if (pendingCarriageReturn) {
          pendingCarriageReturn = false;
          if (b != '\n') {
            loneCarriageReturn = true;
            // the \r ended a line of its own
            endLine(
                line,
                quotes,
                lineInvalid || utf8Remaining > 0,
                lineBytes,
                oddQuoteLines,
                invalidLines,
                overlongLines);
            shape.endLine(line, lineBytes, false, previous);
            line++;
            if ((line & (LineScan.INDEX_STRIDE - 1)) == 1) {
              // the line began with this byte
              lineIndex.add(position + i);
            }
            lineBytes = 0;
            quotes = 0;
            lineInvalid = false;
            utf8Remaining = 0;
          }
        }
        if (b == '\n') {
          endLine(
              line,
              quotes,
              lineInvalid || utf8Remaining > 0,
              lineBytes,
              oddQuoteLines,
              invalidLines,
              overlongLines);
          shape.endLine(line, lineBytes, afterCarriageReturn, previous);
          line++;
          if ((line & (LineScan.INDEX_STRIDE - 1)) == 1) {
            lineIndex.add(position + i + 1);
          }
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
        if (shapeCheckable) {
          shape.accept((byte) b, previous, delimiter, quote);
        }
        previous = (byte) b;
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
      position += read;
    }
    if (pendingCarriageReturn) {
      loneCarriageReturn = true;
    }
    if (pendingCarriageReturn || lineBytes > 0) {
      endLine(
          line,
          quotes,
          lineInvalid || utf8Remaining > 0,
          lineBytes,
          oddQuoteLines,
          invalidLines,
          overlongLines);
      // a last line without terminator ends like any other for a CSV reader
      shape.endLine(line, lineBytes, shape.crlfLines > 0, previous);
    } else {
      line--;
    }
    long lines = sawAnything ? line : 0;
    // a final line end at a stride indexed the start of a line that never came
    while (lineIndex.size() > 1
        && 1 + (long) (lineIndex.size() - 1) * LineScan.INDEX_STRIDE > lines) {
      lineIndex.remove(lineIndex.size() - 1);
    }
    String headerText = header.toString(StandardCharsets.UTF_8);
    if (headerText.startsWith("\uFEFF")) {
      headerText = headerText.substring(1);
    }
    boolean rectangular =
        shapeCheckable
            && shape.regular
            && lines > 1
            && (shape.crlfLines == 0 || shape.lfLines == 0);
    return new LineScan(
        lines,
        headerText,
        oddQuoteLines,
        invalidLines,
        overlongLines,
        loneCarriageReturn,
        nulBytes,
        controlBytes,
        rectangular
            ? Optional.of(
                new LineScan.Rectangular(
                    shape.headerFields,
                    shape.crlfLines > 0,
                    shape.paddedFields,
                    shape.paddedBeyond64))
            : Optional.empty(),
        lineIndex);
  }

  /**
   * Tracks whether every line is one record of the header's field count with plain quoting ({@code
   * "..."} around a whole field, {@code ""} for a quote inside it), ended the same way.
   */
  private static final class Shape {
    static final int FIELD_START = 0;
    static final int UNQUOTED = 1;
    static final int QUOTED = 2;
    static final int AFTER_QUOTE = 3;
    static final int QUOTED_START = 4;

    boolean regular = true;
    int state = FIELD_START;
    int fields = 1;
    int headerFields = -1;
    long crlfLines;
    long lfLines;

    /**
     * Bit i-1 set when field i of some record starts or ends with a byte that may be whitespace.
     */
    long paddedFields;

    boolean paddedBeyond64;

    /** The last byte inside the quotes of the current field. */
    private byte lastQuoted;

    /** One byte of a line; {@code previous} is the byte before it on the line. */
    void accept(byte b, byte previous, byte delimiter, byte quote) {
      switch (state) {
        case QUOTED_START, QUOTED -> {
          if (b == quote) {
            // an empty field (the opening quote just before) ends with a quote: not padded
            lastQuoted = previous;
            state = AFTER_QUOTE;
          } else {
            if (state == QUOTED_START) {
              edge(b);
            }
            state = QUOTED;
          }
        }
        case AFTER_QUOTE -> {
          if (b == quote) {
            state = QUOTED;
          } else if (b == delimiter) {
            edge(lastQuoted);
            fields++;
            state = FIELD_START;
          } else {
            regular = false;
            state = UNQUOTED;
          }
        }
        case UNQUOTED -> {
          if (b == delimiter) {
            edge(previous);
            fields++;
            state = FIELD_START;
          } else if (b == quote) {
            regular = false;
          }
        }
        default -> {
          if (b == delimiter) {
            fields++;
          } else if (b == quote) {
            state = QUOTED_START;
          } else {
            edge(b);
            state = UNQUOTED;
          }
        }
      }
    }

    /**
     * A field's first or last byte: whitespace, a control byte or part of a non-ASCII character.
     */
    private void edge(byte b) {
      if (b <= ' ') {
        // negative: a byte of a multi-byte UTF-8 character, which may be Unicode whitespace
        if (fields <= 64) {
          paddedFields |= 1L << (fields - 1);
        } else {
          paddedBeyond64 = true;
        }
      }
    }

    /** The end of a line; {@code last} is its last byte. */
    void endLine(long line, long lineBytes, boolean crlf, byte last) {
      if (state == QUOTED || state == QUOTED_START || lineBytes == 0) {
        regular = false;
      }
      if (state == UNQUOTED) {
        edge(last);
      } else if (state == AFTER_QUOTE) {
        edge(lastQuoted);
      }
      if (line == 1) {
        headerFields = fields;
        // the header's own padding does not matter
        paddedFields = 0;
        paddedBeyond64 = false;
      } else if (fields != headerFields) {
        regular = false;
      }
      if (line > 1) {
        if (crlf) {
          crlfLines++;
        } else {
          lfLines++;
        }
      }
      state = FIELD_START;
      fields = 1;
    }
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
