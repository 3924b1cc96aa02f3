package org.medlake.testkit.generate;

import java.util.Arrays;
import java.util.stream.LongStream;

/** Line numbers of a file in ascending order (line 1 is the header), held compactly. */
public final class LineNumbers {
  static final LineNumbers NONE = new LineNumbers(new long[0]);

  private final long[] lines;

  private LineNumbers(long[] lines) {
    this.lines = lines;
  }

  static LineNumbers ofAscending(long[] lines, int count) {
    for (int i = 1; i < count; i++) {
      if (lines[i] <= lines[i - 1]) {
        throw new IllegalArgumentException("Line numbers are not ascending at " + lines[i]);
      }
    }
    return count == 0 ? NONE : new LineNumbers(Arrays.copyOf(lines, count));
  }

  public int size() {
    return lines.length;
  }

  public boolean contains(long line) {
    return Arrays.binarySearch(lines, line) >= 0;
  }

  public LongStream stream() {
    return Arrays.stream(lines);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof LineNumbers numbers && Arrays.equals(lines, numbers.lines);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(lines);
  }

  @Override
  public String toString() {
    return lines.length + " lines";
  }
}
