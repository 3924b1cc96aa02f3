package org.medlake.core.file;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads chosen lines of a UTF-8 file by number (from 1; {@code \n} or {@code \r\n} ends a line), in
 * one sequential pass that copies only the chosen lines: how the raw text of rejected rows is
 * fetched when the rows were parsed by a CSV reader that does not keep it.
 */
public final class LinesByNumber {
  /** Receives one chosen line. */
  @FunctionalInterface
  public interface LineConsumer {
    void accept(long number, String text) throws IOException;
  }

  private LinesByNumber() {}

  /**
   * Passes each of {@code numbers} (ascending, each at most once) with its text to {@code
   * consumer}.
   *
   * @return how many of the numbers were found (fewer when the file has fewer lines)
   */
  public static int read(Path file, long[] numbers, LineConsumer consumer) throws IOException {
    if (numbers.length == 0) {
      return 0;
    }
    int next = 0;
    long line = 1;
    ByteArrayOutputStream current = new ByteArrayOutputStream();
    byte[] buffer = new byte[1 << 16];
    try (InputStream input = Files.newInputStream(file)) {
      int read;
      while (next < numbers.length && (read = input.read(buffer)) > 0) {
        int start = 0;
        for (int i = 0; i < read && next < numbers.length; i++) {
          if (buffer[i] != '\n') {
            continue;
          }
          if (line == numbers[next]) {
            current.write(buffer, start, i - start);
            consumer.accept(line, text(current));
            current.reset();
            next++;
          }
          line++;
          start = i + 1;
        }
        if (next < numbers.length && line == numbers[next] && start < read) {
          current.write(buffer, start, read - start);
        }
      }
    }
    if (next < numbers.length && line == numbers[next] && current.size() > 0) {
      // the last line has no terminator
      consumer.accept(line, text(current));
      next++;
    }
    return next;
  }

  private static String text(ByteArrayOutputStream bytes) {
    byte[] line = bytes.toByteArray();
    int length = line.length > 0 && line[line.length - 1] == '\r' ? line.length - 1 : line.length;
    return new String(line, 0, length, StandardCharsets.UTF_8);
  }
}
