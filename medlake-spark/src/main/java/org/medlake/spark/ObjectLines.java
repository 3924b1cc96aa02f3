package org.medlake.spark;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.io.SeekableInputStream;

/**
 * The lines of an object in the store, read by executors through Iceberg's FileIO in byte ranges,
 * as Hadoop's text source splits a file: a range owns the lines that start inside it (the first
 * partial line belongs to the range before), lines end at {@code \n}, {@code \r\n} or {@code \r},
 * and a UTF-8 byte order mark at the start of the object is skipped.
 */
final class ObjectLines {
  private ObjectLines() {}

  /** {@code [start, end)} ranges of at most {@code splitBytes} covering {@code length} bytes (one empty range for an empty object). */
  static List<long[]> ranges(long length, long splitBytes) {
    List<long[]> ranges = new ArrayList<>();
    long step = Math.max(1, splitBytes);
    for (long start = 0; start < length; start += step) {
      ranges.add(new long[] {start, Math.min(length, start + step)});
    }
    if (ranges.isEmpty()) {
      ranges.add(new long[] {0, 0});
    }
    return ranges;
  }

  /** The lines starting in {@code [start, end)} of {@code location}, read lazily; the stream closes at the end. */
  static Iterator<String> read(FileIO io, String location, long start, long end) {
    if (start >= end) {
      return java.util.Collections.emptyIterator();
    }
    SeekableInputStream raw = io.newInputFile(location).newStream();
    try {
      raw.seek(start == 0 ? 0 : start - 1);
      return new LineIterator(raw, start, end);
    } catch (IOException | RuntimeException e) {
      closeQuietly(raw);
      throw new UncheckedIOException(new IOException("Cannot read " + location + " from byte " + start + ": " + e.getMessage(), e));
    }
  }

  private static final class LineIterator implements Iterator<String> {
    private final InputStream raw;
    private final BufferedInputStream in;
    private final long end;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream(256);
    private long position;
    private String next;
    private boolean done;
    /** The first line of the object starts at 0 even when a byte order mark reaches past the range. */
    private boolean first;

    LineIterator(InputStream raw, long start, long end) throws IOException {
      this.raw = raw;
      this.in = new BufferedInputStream(raw, 1 << 16);
      this.end = end;
      if (start == 0) {
        position = 0;
        first = true;
        in.mark(3);
        byte[] bom = in.readNBytes(3);
        if (bom.length == 3 && (bom[0] & 0xFF) == 0xEF && (bom[1] & 0xFF) == 0xBB && (bom[2] & 0xFF) == 0xBF) {
          position = 3;
        } else {
          in.reset();
        }
      } else {
        // from the byte before the range: skip to the first line that starts at or after start
        position = start - 1;
        if (!skipLine()) {
          done = true;
        }
      }
    }

    @Override
    public boolean hasNext() {
      if (next == null && !done) {
        try {
          next = readLine();
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
        if (next == null) {
          done = true;
          closeQuietly(raw);
        }
      }
      return next != null;
    }

    @Override
    public String next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      String line = next;
      next = null;
      return line;
    }

    /** Consumes through the next line end; false at the end of the object. */
    private boolean skipLine() throws IOException {
      int b;
      while ((b = in.read()) != -1) {
        position++;
        if (b == '\n') {
          return true;
        }
        if (b == '\r') {
          consumeLineFeed();
          return true;
        }
      }
      return false;
    }

    private String readLine() throws IOException {
      if (position >= end && !first) {
        return null;
      }
      first = false;
      line.reset();
      int b = in.read();
      if (b == -1) {
        return null;
      }
      while (b != -1) {
        position++;
        if (b == '\n') {
          break;
        }
        if (b == '\r') {
          consumeLineFeed();
          break;
        }
        line.write(b);
        b = in.read();
      }
      return line.toString(StandardCharsets.UTF_8);
    }

    private void consumeLineFeed() throws IOException {
      in.mark(1);
      if (in.read() == '\n') {
        position++;
      } else {
        in.reset();
      }
    }
  }

  private static void closeQuietly(InputStream stream) {
    try {
      stream.close();
    } catch (IOException ignored) {
      // nothing left to read
    }
  }
}
