package org.medlake.core.text;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class TestTextTable {
  @Test
  void columnsAreAsWideAsTheirWidestCellWithNumbersOnTheRightAndHeadersOnTheLeft() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    TextTable.print(
        new PrintStream(bytes, true, StandardCharsets.UTF_8),
        List.of("table", "rows", "size"),
        List.of(
            List.of("lab_results", TextTable.count(1_234_567), TextTable.bytes(1536)),
            List.of("rejects", "12", TextTable.bytes(100))));
    assertThat(bytes.toString(StandardCharsets.UTF_8))
        .isEqualTo(
            """
        table        rows       size
        -----------  ---------  -------
        lab_results  1,234,567  1.5 KiB
        rejects             12    100 B
        """);
  }

  @Test
  void bytesUseBinaryUnitsUpToTebibytes() {
    assertThat(TextTable.bytes(1023)).isEqualTo("1023 B");
    assertThat(TextTable.bytes(1024L * 1024 * 1024 * 3)).isEqualTo("3.0 GiB");
    assertThat(TextTable.bytes(1024L * 1024 * 1024 * 1024 * 2048)).isEqualTo("2048.0 TiB");
  }
}
