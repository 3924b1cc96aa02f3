package org.medlake.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.lake.LocalFileIO;

/**
 * The executors' ranged reader gives every line exactly once, in order, whatever the split size:
 * line ends {@code \n}, {@code \r\n} and {@code \r} falling on, before and after a range boundary,
 * empty lines, a byte order mark, multi-byte characters and a last line without an end.
 */
class TestObjectLines {
  @TempDir
  Path directory;

  @Test
  void everySplitSizeGivesTheSameLinesAsOneRange() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    bytes.writeBytes(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF});
    bytes.writeBytes("h1,h2\r\nä,1\n\n\r\nb,2\rc,3\r\r\nlong line with glucosé,42\n\nlast,no end".getBytes(StandardCharsets.UTF_8));
    Path file = directory.resolve("lines.csv");
    Files.write(file, bytes.toByteArray());
    List<String> expected = List.of("h1,h2", "ä,1", "", "", "b,2", "c,3", "", "long line with glucosé,42", "", "last,no end");

    LocalFileIO io = new LocalFileIO();
    long length = Files.size(file);
    for (long split = 1; split <= length + 1; split++) {
      List<String> lines = new ArrayList<>();
      for (long[] range : ObjectLines.ranges(length, split)) {
        Iterator<String> iterator = ObjectLines.read(io, file.toString(), range[0], range[1]);
        iterator.forEachRemaining(lines::add);
      }
      assertThat(lines).as("split size %d", split).isEqualTo(expected);
    }
  }

  @Test
  void aFileEndingWithALineEndHasNoEmptyLastLineAndAnEmptyFileNoLine() throws IOException {
    Path file = directory.resolve("ends.csv");
    Files.writeString(file, "a\nb\r\n");
    LocalFileIO io = new LocalFileIO();
    for (long split = 1; split <= 6; split++) {
      List<String> lines = new ArrayList<>();
      for (long[] range : ObjectLines.ranges(Files.size(file), split)) {
        ObjectLines.read(io, file.toString(), range[0], range[1]).forEachRemaining(lines::add);
      }
      assertThat(lines).as("split size %d", split).containsExactly("a", "b");
    }
    Path empty = Files.createFile(directory.resolve("empty.csv"));
    assertThat(ObjectLines.ranges(0, 10)).hasSize(1);
    assertThat(ObjectLines.read(io, empty.toString(), 0, 0).hasNext()).isFalse();
  }
}
