package org.medlake.core.file;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TestLineScanner {
  private static LineScan scan(String text) throws IOException {
    return new LineScanner(',', '"', 1 << 20)
        .scan(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void plainRecordsAreRectangular() throws IOException {
    LineScan scan = scan("a,b,c\n1,2,3\n4,,6\n");
    assertThat(scan.lines()).isEqualTo(3);
    assertThat(scan.rectangular()).contains(new LineScan.Rectangular(3, false, 0, false));
  }

  @Test
  void wholeFieldQuotingIsRectangular() throws IOException {
    LineScan.Rectangular shape =
        scan("a,b,c\r\n\"x, y\",\"say \"\"hi\"\"\",\"\"\r\n1,2,3").rectangular().orElseThrow();
    assertThat(shape.fields()).isEqualTo(3);
    assertThat(shape.crlf()).isTrue();
    assertThat(shape.paddedFields()).isZero();
  }

  @Test
  void anyIrregularLineMakesTheFileIrregular() throws IOException {
    // a field count other than the header's, an empty line, a quote inside an unquoted field,
    // text after a closing quote, a quoted field running over the line end, mixed line ends
    for (String text :
        List.of(
            "a,b,c\n1,2\n",
            "a,b,c\n1,2,3,4\n",
            "a,b,c\n\n1,2,3\n",
            "a,b,c\n1,x\"y,3\n",
            "a,b,c\n1,\"x\"y,3\n",
            "a,b,c\n1,\"x\n\",3\n",
            "a,b,c\n1,2,3\r\n4,5,6\n",
            "a,b,c\n 1,\"2\",3\n\"4\" ,5,6\n")) {
      assertThat(scan(text).rectangular()).as(text.replace("\n", "\\n")).isEmpty();
    }
  }

  @Test
  void paddingIsTrackedPerField() throws IOException {
    // field 1 starts with a space, field 3 ends with a tab inside quotes, field 4 ends with a
    // non-ASCII character; field 2 has inner spaces only; padding in the header does not count
    LineScan.Rectangular shape =
        scan(" h1 ,h2,h3,h4\n x,a b,\"c\t\",dé\ny,z,w,v\n").rectangular().orElseThrow();
    assertThat(shape.mayBePadded(1)).isTrue();
    assertThat(shape.mayBePadded(2)).isFalse();
    assertThat(shape.mayBePadded(3)).isTrue();
    assertThat(shape.mayBePadded(4)).isTrue();
    assertThat(scan("h1,h2\n\"\",x\n").rectangular().orElseThrow().paddedFields()).isZero();
  }

  @Test
  void linesAreReadBackByNumber(@TempDir Path directory) throws IOException {
    Path file = directory.resolve("lines.csv");
    StringBuilder text = new StringBuilder("header\r\n");
    for (int i = 2; i <= 50_000; i++) {
      text.append("line ")
          .append(i)
          .append(i % 7 == 0 ? " é" : "")
          .append(i % 2 == 0 ? "\r\n" : "\n");
    }
    text.append("last without end");
    Files.writeString(file, text);
    List<String> read = new ArrayList<>();
    int found =
        LinesByNumber.read(
            file,
            new long[] {1, 2, 7, 30_000, 50_000, 50_001, 50_002},
            (number, line) -> read.add(number + ":" + line));
    assertThat(found).isEqualTo(6);
    assertThat(read)
        .containsExactly(
            "1:header",
            "2:line 2",
            "7:line 7 é",
            "30000:line 30000",
            "50000:line 50000",
            "50001:last without end");
  }

  @Test
  void lineIndexHoldsTheOffsetOfEveryStrideLine() throws IOException {
    // lines of varying length and both line ends; the last line's end falls exactly on a stride,
    // so the line after it, which does not exist, is not indexed
    StringBuilder text = new StringBuilder();
    List<Long> starts = new ArrayList<>();
    int lines = 3 * LineScan.INDEX_STRIDE;
    for (int line = 1; line <= lines; line++) {
      starts.add((long) text.toString().getBytes(StandardCharsets.UTF_8).length);
      text.append("é".repeat(line % 7)).append(line).append(line % 3 == 0 ? "\r\n" : "\n");
    }
    LineScan scan = scan(text.toString());
    assertThat(scan.lines()).isEqualTo(lines);
    assertThat(scan.lineIndex())
        .containsExactly(
            starts.get(0),
            starts.get(LineScan.INDEX_STRIDE),
            starts.get(2 * LineScan.INDEX_STRIDE));

    // one line more: its start is indexed
    text.append("x");
    assertThat(scan(text.toString()).lineIndex())
        .hasSize(4)
        .endsWith((long) text.toString().getBytes(StandardCharsets.UTF_8).length - 1);
  }

  @Test
  void chunksCutAtIndexedLinesAndNeverInsideARecordSpanningLines(@TempDir Path directory)
      throws IOException {
    StringBuilder text = new StringBuilder("a,b\n");
    for (int line = 2; line <= 5000; line++) {
      text.append(line).append(",x\n");
    }
    Path file = Files.writeString(directory.resolve("chunks.csv"), text);
    LineScan scan = scan(text.toString());
    long size = Files.size(file);

    assertThat(FileChunks.plan(scan, size, List.of(), 10_000))
        .containsExactly(new FileChunks.Chunk(0, 1, 5000, 0, size));
    List<FileChunks.Chunk> chunks = FileChunks.plan(scan, size, List.of(), 1000);
    assertThat(chunks)
        .extracting(FileChunks.Chunk::firstLine)
        .containsExactly(1L, 1025L, 2049L, 3073L, 4097L);
    assertThat(chunks.get(0).records()).isEqualTo(1023);
    assertThat(chunks.get(4).lastLine()).isEqualTo(5000);
    assertThat(chunks.stream().mapToLong(FileChunks.Chunk::records).sum()).isEqualTo(4999);
    // the copies put together are the file
    StringBuilder joined = new StringBuilder();
    for (FileChunks.Chunk chunk : chunks) {
      Path copy = directory.resolve("chunk-" + chunk.index());
      FileChunks.copy(file, chunk, copy);
      String part = Files.readString(copy);
      assertThat(part)
          .startsWith(chunk.firstLine() == 1 ? "a,b\n" : chunk.firstLine() + ",x\n")
          .endsWith(chunk.lastLine() + ",x\n");
      joined.append(part);
    }
    assertThat(joined.toString()).isEqualTo(text.toString());

    // a record on lines 2048-2049 moves the cut before 2049 to the next indexed line
    List<FileChunks.Chunk> around =
        FileChunks.plan(scan, size, List.of(new RecordGroups.Span(2048, 2049)), 1000);
    assertThat(around)
        .extracting(FileChunks.Chunk::firstLine)
        .containsExactly(1L, 1025L, 3073L, 4097L);
  }

  @Test
  void theResultDoesNotDependOnHowTheInputIsReadInPieces() throws IOException {
    // random CSV-like text with padding, quotes, multi-byte characters, both line ends and stray
    // bytes; read whole, and a few bytes at a time, so that runs of plain bytes end at every
    // possible place of a read
    java.util.Random random = new java.util.Random(42);
    String[] pieces = {
      "abc",
      "1.5",
      " x",
      "y ",
      "\"q, r\"",
      "\"\"",
      "é",
      "2024-01-15 08:30:00",
      "",
      "\t",
      "\"a\"\"b\""
    };
    for (int round = 0; round < 20; round++) {
      StringBuilder text = new StringBuilder("h1,h2,h3\n");
      for (int line = 0; line < 300; line++) {
        int fields = random.nextInt(10) == 0 ? 2 : 3;
        for (int field = 0; field < fields; field++) {
          text.append(field == 0 ? "" : ",").append(pieces[random.nextInt(pieces.length)]);
        }
        text.append(random.nextInt(50) == 0 ? "\r\n" : "\n");
      }
      byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
      LineScan whole = new LineScanner(',', '"', 1 << 20).scan(new ByteArrayInputStream(bytes));
      LineScan pieced =
          new LineScanner(',', '"', 1 << 20)
              .scan(
                  new ByteArrayInputStream(bytes) {
                    @Override
                    public synchronized int read(byte[] buffer, int offset, int length) {
                      return super.read(buffer, offset, Math.min(length, 1 + random.nextInt(7)));
                    }
                  });
      assertThat(pieced).isEqualTo(whole);
      assertThat(whole.lines()).isEqualTo(301);
    }
  }
}
