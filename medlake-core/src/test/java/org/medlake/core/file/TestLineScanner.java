package org.medlake.core.file;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TestLineScanner {
  private static LineScan scan(String text) throws IOException {
    return new LineScanner(',', '"', 1 << 20).scan(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void plainRecordsAreRectangular() throws IOException {
    LineScan scan = scan("a,b,c\n1,2,3\n4,,6\n");
    assertThat(scan.lines()).isEqualTo(3);
    assertThat(scan.rectangular()).contains(new LineScan.Rectangular(3, false, 0, false));
  }

  @Test
  void wholeFieldQuotingIsRectangular() throws IOException {
    LineScan.Rectangular shape = scan("a,b,c\r\n\"x, y\",\"say \"\"hi\"\"\",\"\"\r\n1,2,3").rectangular().orElseThrow();
    assertThat(shape.fields()).isEqualTo(3);
    assertThat(shape.crlf()).isTrue();
    assertThat(shape.paddedFields()).isZero();
  }

  @Test
  void anyIrregularLineMakesTheFileIrregular() throws IOException {
    // a field count other than the header's, an empty line, a quote inside an unquoted field,
    // text after a closing quote, a quoted field running over the line end, mixed line ends
    for (String text : List.of(
        "a,b,c\n1,2\n", "a,b,c\n1,2,3,4\n", "a,b,c\n\n1,2,3\n", "a,b,c\n1,x\"y,3\n", "a,b,c\n1,\"x\"y,3\n",
        "a,b,c\n1,\"x\n\",3\n", "a,b,c\n1,2,3\r\n4,5,6\n", "a,b,c\n 1,\"2\",3\n\"4\" ,5,6\n")) {
      assertThat(scan(text).rectangular()).as(text.replace("\n", "\\n")).isEmpty();
    }
  }

  @Test
  void paddingIsTrackedPerField() throws IOException {
    // field 1 starts with a space, field 3 ends with a tab inside quotes, field 4 ends with a
    // non-ASCII character; field 2 has inner spaces only; padding in the header does not count
    LineScan.Rectangular shape = scan(" h1 ,h2,h3,h4\n x,a b,\"c\t\",dé\ny,z,w,v\n").rectangular().orElseThrow();
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
      text.append("line ").append(i).append(i % 7 == 0 ? " é" : "").append(i % 2 == 0 ? "\r\n" : "\n");
    }
    text.append("last without end");
    Files.writeString(file, text);
    List<String> read = new ArrayList<>();
    int found = LinesByNumber.read(file, new long[] {1, 2, 7, 30_000, 50_000, 50_001, 50_002}, (number, line) -> read.add(number + ":" + line));
    assertThat(found).isEqualTo(6);
    assertThat(read).containsExactly("1:header", "2:line 2", "7:line 7 é", "30000:line 30000", "50000:line 50000", "50001:last without end");
  }
}
