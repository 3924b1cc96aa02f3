package org.medlake.ingest.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.medlake.ingest.pipeline.IngestFixture.HEADER;
import static org.medlake.ingest.pipeline.IngestFixture.STORED_ROW;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.iceberg.expressions.Expressions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.core.ledger.IngestRun;
import org.medlake.lake.TableScans;

/**
 * A file with more records than {@code ingest.chunk-rows} is processed in chunks; it must store
 * exactly what the same file processed whole stores: the same rows, the same rejects with the same
 * line numbers and raw text, duplicates found across chunks, and one key per patient however many
 * chunks the patient's rows fall in. Two homes ingest the same files, one with chunks of about
 * 1,000 records, the other with the default (one chunk).
 */
class TestChunkedIngest {
  @TempDir static Path directory;

  private static IngestFixture chunked;
  private static IngestFixture whole;

  private static final int LAST_LINE = 5001;

  @BeforeAll
  static void createHomes() throws IOException {
    chunked = IngestFixture.create(directory.resolve("chunked"), "  chunk-rows: 1000\n", "");
    whole = IngestFixture.create(directory.resolve("whole"));
  }

  @AfterAll
  static void closeHomes() {
    chunked.close();
    whole.close();
  }

  @Test
  void rectangularFileInChunks() throws IOException {
    List<String> lines = lines();
    IngestRun[] runs = compare("rectangular.csv", String.join("\n", lines) + "\n");
    assertThat(chunked.parsing(runFile(runs[0]))).isEqualTo(FileIngestion.PARSING_RECORDS);
    assertThat(runs[0].rowsRead()).isEqualTo(LAST_LINE - 1);
  }

  @Test
  void crlfFileWithoutFinalLineEndInChunks() throws IOException {
    List<String> lines = lines();
    IngestRun[] runs = compare("crlf.csv", String.join("\r\n", lines));
    assertThat(chunked.parsing(runFile(runs[0]))).isEqualTo(FileIngestion.PARSING_RECORDS);
  }

  @Test
  void lineByLineFileWithARecordAcrossACut() throws IOException {
    List<String> lines = lines();
    // lines 2048 and 2049 hold one record with a quoted line break: the cut planned before
    // line 2049 must move
    lines.set(2047, "P2048,E2048,2345-7,\"Glucose");
    lines.set(2048, "fasting\",95.5,mg/dL,70,99,N,2024-01-15 08:30:00,F,1970");
    lines.set(3500, "P3501,E3501");
    IngestRun[] runs = compare("quoted-newline.csv", String.join("\n", lines) + "\n");
    assertThat(chunked.parsing(runFile(runs[0]))).isEqualTo(FileIngestion.PARSING_LINES);
    assertThat(runs[0].rowsRead()).isEqualTo(LAST_LINE - 2);
    assertThat(runs[0].rejectedByReason()).containsEntry("RAGGED_ROW", 1L);
    assertThat(chunked.accepted(runs[0], "test_name")).contains("Glucose\nfasting");
  }

  /**
   * Header and 5,000 records, line n at index n - 1: patients recur every 700 lines, so most of
   * them have rows in several chunks; duplicates within a chunk and across chunks, and a row with
   * an invalid flag in the first, a middle and the last chunk.
   */
  private static List<String> lines() {
    List<String> lines = new ArrayList<>();
    lines.add(HEADER);
    for (int line = 2; line <= LAST_LINE; line++) {
      lines.add(
          "P%d,E%d,2345-7,Glucose,%d.5,mg/dL,70,99,N,2024-01-15 08:%02d:00,F,1970"
              .formatted(line % 700, line % 1500, 50 + line % 100, line % 60));
    }
    lines.set(29, lines.get(19));
    lines.set(2999, lines.get(1499));
    lines.set(4499, lines.get(9));
    lines.set(2099, lines.get(99));
    lines.set(4099, lines.get(99));
    for (int line : new int[] {7, 1030, 4999}) {
      lines.set(line - 1, lines.get(line - 1).replace(",N,", ",X,"));
    }
    return lines;
  }

  /**
   * Ingests {@code content} in both homes, asserts they stored the same, and returns the runs
   * (chunked first).
   */
  private static IngestRun[] compare(String name, String content) throws IOException {
    IngestRun byChunks = chunked.ingest(chunked.write(name, content));
    IngestRun byWhole = whole.ingest(whole.write(name, content));
    assertThat(byChunks.rowsRead()).isEqualTo(byWhole.rowsRead());
    assertThat(byChunks.rowsAccepted()).isEqualTo(byWhole.rowsAccepted());
    assertThat(byChunks.rejectedByReason())
        .isEqualTo(byWhole.rejectedByReason())
        .containsEntry("DUPLICATE_ROW", 5L)
        .containsEntry("INVALID_FLAG", 3L);
    assertThat(chunked.rejects(byChunks)).isEqualTo(whole.rejects(byWhole));
    assertThat(chunked.accepted(byChunks, STORED_ROW))
        .isEqualTo(whole.accepted(byWhole, STORED_ROW))
        .hasSize((int) byWhole.rowsAccepted());
    // each patient's rows share one key in both: the same number of keys, each with the same number
    // of rows
    assertThat(rowsPerKey(chunked, byChunks)).isEqualTo(rowsPerKey(whole, byWhole));
    assertThat(dataFiles(chunked, byChunks)).isGreaterThanOrEqualTo(4);
    assertThat(dataFiles(whole, byWhole)).isEqualTo(1);
    return new IngestRun[] {byChunks, byWhole};
  }

  /** How many keys have 1, 2, 3, ... accepted rows. */
  private static Map<Long, Long> rowsPerKey(IngestFixture fixture, IngestRun run) {
    Map<String, Long> rows =
        fixture.accepted(run, "patient_key").stream()
            .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
    return rows.values().stream()
        .collect(Collectors.groupingBy(Function.identity(), TreeMap::new, Collectors.counting()));
  }

  private static long dataFiles(IngestFixture fixture, IngestRun run) {
    var table = fixture.service().lakehouse().labResults();
    table.refresh();
    return TableScans.plannedFiles(table, Expressions.alwaysTrue()).stream()
        .filter(file -> file.contains(run.id()))
        .count();
  }

  private static Path runFile(IngestRun run) {
    return Path.of(run.sourceFile());
  }
}
