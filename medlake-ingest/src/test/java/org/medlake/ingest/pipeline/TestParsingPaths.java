package org.medlake.ingest.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.medlake.ingest.pipeline.IngestFixture.HEADER;
import static org.medlake.ingest.pipeline.IngestFixture.STORED_ROW;
import static org.medlake.ingest.pipeline.IngestFixture.row;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.core.ledger.IngestRun;
import org.medlake.ingest.pipeline.IngestFixture.Reject;

/**
 * A file whose every line is one well-formed record is parsed by DuckDB's CSV reader, any other
 * file line by line; both must store exactly the same rows and rejects. Each case ingests the same
 * records twice: once as they are (the CSV reader) and once with one ragged line appended (line by
 * line), and compares everything but that line.
 */
class TestParsingPaths {
  @TempDir static Path directory;

  private static IngestFixture fixture;

  /**
   * Records a CSV reader parses as they are, with defects of every kind a rectangular file can
   * have.
   */
  private static final List<String> RECORDS =
      List.of(
          row(1),
          row(2),
          "P3,E3,2345-7,\"Glucose, fasting \"\"am\"\"\",95.5,mg/dL,70,99,N,2024-01-15 08:30:00,F,1970",
          " P4 , E4 ,2345-7, Glucose ,95.5 , mg/dL ,70,99,N,2024-01-15 08:30:00,F,1970",
          "P5,,2345-7,Glucose,95.5,mg/dL,,,,2024-01-15 08:30:00,,",
          "P6,E6,2345-7,Glucosé,<60,mg/dL,70,99,L,2024-01-15 08:30:00,M,1950",
          "P7,E7,5196-1,HBsAg,NEG,,,,N,2024-01-15 08:30:00,F,1980",
          ",E8,2345-7,Glucose,95.5,mg/dL,70,99,N,2024-01-15 08:30:00,F,1970",
          "P9,E9,2345-8,Glucose,95.5,mg/dL,70,99,N,2024-01-15 08:30:00,F,1970",
          "P10,E10,2345-7,Glucose,9x5,mg/dL,70,99,N,2024-01-15 08:30:00,F,1970",
          "P11,E11,2345-7,Glucose,95.5,mg/dL,70,99,N,2024-13-45 08:30:00,F,1970",
          "P12,E12,2345-7,Glucose,95.5,mg/dL,70,99,X,2024-01-15 08:30:00,Q,19x0",
          "P13,E13,2345-7,Glucose,95000,mg/dL,7a,99,N,2024-01-15 08:30:00,F,1970",
          "\"P14\",\"E14\",\"2345-7\",\"Glucose\",\"\",\"mg/dL\",\"70\",\"99\",\"N\",\"2024-01-15 08:30:00\",\"F\",\"1970\"",
          row(1),
          "P15,E15,,,95.5,mg/dL,70,99,N,,F,1970",
          "P16,E16,2345-7,Glucose,95.5,mg/dL,70,99,N,2024-01-15 08:30:00,F,1970");

  @BeforeAll
  static void createHome() throws IOException {
    fixture = IngestFixture.create(directory);
  }

  @AfterAll
  static void closeHome() {
    fixture.close();
  }

  @Test
  void csvReaderAndLineReaderStoreTheSame() throws IOException {
    compare("\n", "P99");
  }

  @Test
  void crlfLineEnds() throws IOException {
    compare("\r\n", "P97");
  }

  @Test
  void lastLineWithoutTerminator() throws IOException {
    String records = HEADER + "\n" + String.join("\n", RECORDS);
    Path rectangular = fixture.write("no-final-newline.csv", records);
    Path ragged = fixture.write("no-final-newline-ragged.csv", records + "\nP98,E98\n");
    assertSame(rectangular, ragged);
  }

  @Test
  void anEmptyLineSendsTheFileLineByLine() throws IOException {
    // an empty line makes the file irregular: it goes line by line and keeps its numbering
    Path file = fixture.write("empty-line.csv", HEADER + "\n" + row(1) + "\n\n" + row(2) + "\n");
    IngestRun run = fixture.ingestExpecting(file, 2, 2);
    assertThat(fixture.parsing(file)).isEqualTo(FileIngestion.PARSING_LINES);
    assertThat(run.rowsAccepted()).isEqualTo(2);
  }

  /**
   * @param raggedLine a line of too few fields, different in every case so that no file repeats
   *     another
   */
  private static void compare(String lineEnd, String raggedLine) throws IOException {
    String records = HEADER + lineEnd + String.join(lineEnd, RECORDS) + lineEnd;
    Path rectangular = fixture.write("rectangular.csv", records);
    Path ragged = fixture.write("ragged.csv", records + raggedLine + lineEnd);
    assertSame(rectangular, ragged);
  }

  private static void assertSame(Path rectangular, Path ragged) {
    IngestRun byRecords = fixture.ingest(rectangular);
    IngestRun byLines = fixture.ingest(ragged);
    assertThat(fixture.parsing(rectangular)).isEqualTo(FileIngestion.PARSING_RECORDS);
    assertThat(fixture.parsing(ragged)).isEqualTo(FileIngestion.PARSING_LINES);

    assertThat(byRecords.rowsRead()).isEqualTo(RECORDS.size());
    assertThat(byLines.rowsRead()).isEqualTo(RECORDS.size() + 1);
    // 9x5 is a text result, stored as written
    assertThat(byRecords.rowsAccepted()).isEqualTo(byLines.rowsAccepted()).isEqualTo(9);
    assertThat(fixture.accepted(byRecords, STORED_ROW))
        .isEqualTo(fixture.accepted(byLines, STORED_ROW))
        .hasSize(9);

    List<Reject> rejects = fixture.rejects(byRecords);
    List<Reject> lineRejects = new ArrayList<>(fixture.rejects(byLines));
    Reject raggedLine = lineRejects.remove(lineRejects.size() - 1);
    assertThat(raggedLine.reasonCodes()).containsExactly("RAGGED_ROW");
    assertThat(raggedLine.lineNumber()).isEqualTo(RECORDS.size() + 2);
    assertThat(rejects).isEqualTo(lineRejects);
    // the raw text of every reject is its line as delivered
    for (Reject reject : rejects) {
      assertThat(reject.rawLine()).isEqualTo(RECORDS.get((int) reject.lineNumber() - 2));
    }
    assertThat(rejects).extracting(Reject::lineNumber).contains(9L, 10L, 16L);
    assertThat(byRecords.rejectedByReason())
        .isEqualTo(without(byLines.rejectedByReason(), "RAGGED_ROW"));
  }

  private static java.util.Map<String, Long> without(
      java.util.Map<String, Long> counts, String reason) {
    java.util.Map<String, Long> rest = new java.util.TreeMap<>(counts);
    rest.remove(reason);
    return rest;
  }
}
