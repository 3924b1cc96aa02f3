package org.medlake.ingest.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.medlake.core.config.MedlakeHome;
import org.medlake.core.ledger.IngestRun;
import org.medlake.core.ledger.RunStatus;

/**
 * Every rejected row points at its own line, whatever the mapping does: the test writes dirty files
 * whose bad records it knows by line, ingests them through a source with a code dictionary, value
 * maps and a row filter, and re-reads each delivered file on its own (its physical lines) to check
 * that the set of rejected lines is exactly the bad ones and that each {@code raw_line} is the text
 * of the lines it names.
 */
class TestRejectProvenance {
  private static final String SOURCE = "h009";
  private static final String HEADER =
      "pid,item,item_label,value,unit,flag,drawn,sex,category,comment";

  @TempDir static Path directory;

  private static MedlakeHome home;
  private static IngestService service;
  private static int deliveries;

  @BeforeAll
  static void createHome() throws IOException {
    Path root = directory.resolve("home");
    Files.createDirectories(root);
    Files.writeString(root.resolve("medlake.yaml"), "ingest:\n  threads: 2\n");
    home = MedlakeHome.open(root);
    Files.writeString(
        home.sources().resolve(SOURCE + ".yaml"),
        """
        source: h009
        hospital-id: H009
        time-zone: UTC
        timestamp-formats: ["%Y-%m-%d %H:%M:%S"]
        csv: {delimiter: ","}
        rules: {disabled: [collected-at-in-month]}
        columns: {patient-id: pid, local-code: item, local-name: item_label, result: value, unit: unit, abnormal-flag: flag,
          collected-at: drawn, patient-sex: sex}
        code-lookup: {dictionary: h009-items.csv}
        value-maps: {abnormal-flag: {high: H, low: L, normal: N}, patient-sex: {female: F, male: M}}
        filter: {column: category, keep: [LAB]}
        """);
    // a real dictionary lists far more items than a small file has rows
    StringBuilder dictionary =
        new StringBuilder(
            """
        local_code,test_code,test_name,unit
        K1,2823-3,Potassium [Moles/volume] in Serum or Plasma,mmol/L
        K2,2345-7,Glucose [Mass/volume] in Serum or Plasma,mg/dL
        K3,718-7,Hemoglobin [Mass/volume] in Blood,g/dL
        """);
    for (int item = 100; item < 5_000; item++) {
      dictionary.append("X").append(item).append(",2823-3,Item ").append(item).append(",mmol/L\n");
    }
    Files.writeString(home.sources().resolve("h009-items.csv"), dictionary);
    service = IngestService.open(home, (file, phase, fraction) -> {});
  }

  @AfterAll
  static void close() {
    service.close();
  }

  /** The shapes of a delivered file that change how its lines are read. */
  enum Shape {
    PLAIN(false, false, false),
    CRLF(true, false, false),
    GZIP(false, true, false),
    QUOTED_NEWLINES(false, false, true),
    CRLF_GZIP_QUOTED_NEWLINES(true, true, true);

    final boolean crlf;
    final boolean gzip;
    final boolean quotedNewlines;

    Shape(boolean crlf, boolean gzip, boolean quotedNewlines) {
      this.crlf = crlf;
      this.gzip = gzip;
      this.quotedNewlines = quotedNewlines;
    }
  }

  @ParameterizedTest
  @EnumSource(Shape.class)
  void everyRejectPointsAtItsOwnLine(Shape shape) throws IOException {
    for (int records : List.of(60, 3_000)) {
      DirtyFile file =
          DirtyFile.write(
              directory
                  .resolve("landing")
                  .resolve(shape + "-" + records + ".csv" + (shape.gzip ? ".gz" : "")),
              records,
              shape,
              1);
      IngestRun run = ingest(file.path(), YearMonth.of(2024, 1).plusMonths(deliveries++));
      assertExactProvenance(run, file);
    }
  }

  @Test
  void severalFilesForOneMonthKeepTheLastFilesLines() throws IOException {
    YearMonth month = YearMonth.of(2023, 6);
    DirtyFile first =
        DirtyFile.write(directory.resolve("landing").resolve("month-a.csv"), 500, Shape.PLAIN, 7);
    DirtyFile second =
        DirtyFile.write(
            directory.resolve("landing").resolve("month-b.csv"), 800, Shape.QUOTED_NEWLINES, 3);
    assertExactProvenance(ingest(first.path(), month), first);
    assertExactProvenance(ingest(second.path(), month), second);
  }

  @Test
  void chunkedFilesKeepTheirLines() throws IOException {
    Path root = directory.resolve("chunked-home");
    Files.createDirectories(root);
    Files.writeString(root.resolve("medlake.yaml"), "ingest:\n  threads: 2\n  chunk-rows: 700\n");
    MedlakeHome chunkedHome = MedlakeHome.open(root);
    for (String name : List.of(SOURCE + ".yaml", "h009-items.csv")) {
      Files.copy(home.sources().resolve(name), chunkedHome.sources().resolve(name));
    }
    try (IngestService chunked = IngestService.open(chunkedHome, (file, phase, fraction) -> {})) {
      for (Shape shape : List.of(Shape.PLAIN, Shape.CRLF_GZIP_QUOTED_NEWLINES)) {
        DirtyFile file =
            DirtyFile.write(
                directory.resolve("chunked").resolve(shape + ".csv" + (shape.gzip ? ".gz" : "")),
                4_000,
                shape,
                5);
        IngestRun run =
            chunked.ingest(
                new IngestService.Delivery(
                    file.path(), SOURCE, YearMonth.of(2022, 1).plusMonths(shape.ordinal())));
        assertExactProvenance(chunked, run, file);
      }
    }
  }

  private static IngestRun ingest(Path file, YearMonth month) {
    return service.ingest(new IngestService.Delivery(file, SOURCE, month));
  }

  private static void assertExactProvenance(IngestRun run, DirtyFile file) throws IOException {
    assertExactProvenance(service, run, file);
  }

  private static void assertExactProvenance(IngestService ingest, IngestRun run, DirtyFile file)
      throws IOException {
    assertThat(run.status()).as(run.message()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(run.rowsFiltered()).isEqualTo(file.filtered());
    assertThat(run.rowsRead()).isEqualTo(file.records() - file.filtered());
    List<String> lines = physicalLines(file.path());
    Map<Long, String> rejects = new TreeMap<>();
    for (RejectedRow reject : rejectedRows(ingest, run)) {
      rejects.put(reject.line(), reject.raw());
      String[] parts = reject.raw().split("\n", -1);
      for (int part = 0; part < parts.length; part++) {
        assertThat(parts[part])
            .as("line %d of %s", reject.line() + part, file.path().getFileName())
            .isEqualTo(lines.get((int) reject.line() - 1 + part));
      }
    }
    assertThat(rejects.keySet())
        .as("rejected lines of %s", file.path().getFileName())
        .isEqualTo(file.badLines());
    assertThat(run.rowsRejected()).isEqualTo(file.badLines().size());
  }

  private record RejectedRow(long line, String raw) {}

  private static List<RejectedRow> rejectedRows(IngestService ingest, IngestRun run) {
    List<RejectedRow> rows = new ArrayList<>();
    for (org.medlake.ingest.ledger.RejectedRows.Row row :
        org.medlake.ingest.ledger.RejectedRows.read(
            ingest.lakehouse(), run.id(), Integer.MAX_VALUE)) {
      rows.add(new RejectedRow(row.lineNumber(), row.rawLine()));
    }
    return rows;
  }

  /**
   * The file's physical lines, read without medlake's code: decompressed, decoded, split at every
   * line end.
   */
  private static List<String> physicalLines(Path file) throws IOException {
    byte[] bytes;
    try (InputStream input = Files.newInputStream(file)) {
      bytes = input.readAllBytes();
    }
    if (bytes.length > 1 && (bytes[0] & 0xff) == 0x1f && (bytes[1] & 0xff) == 0x8b) {
      try (InputStream input = new GZIPInputStream(new java.io.ByteArrayInputStream(bytes))) {
        bytes = input.readAllBytes();
      }
    }
    return List.of(new String(bytes, StandardCharsets.UTF_8).split("\r\n|\r|\n", -1));
  }

  /**
   * A delivered file with good, filtered and bad records; {@code badLines} are the lines where the
   * bad records start, {@code records} counts every data record.
   */
  private record DirtyFile(Path path, long records, long filtered, TreeSet<Long> badLines) {
    static DirtyFile write(Path path, int count, Shape shape, int seed) throws IOException {
      Files.createDirectories(path.getParent());
      String end = shape.crlf ? "\r\n" : "\n";
      StringBuilder text = new StringBuilder(HEADER).append(end);
      long line = 2;
      long filtered = 0;
      TreeSet<Long> bad = new TreeSet<>();
      for (int i = 1; i <= count; i++) {
        int item = 1 + (i + seed) % 3;
        String value =
            switch (item) {
              case 1 -> "4." + i % 10;
              case 2 -> String.valueOf(80 + i % 20);
              default -> "13." + i % 10;
            };
        String flag = List.of("normal", "high", "low", "").get(i % 4);
        String sex = i % 2 == 0 ? "female" : "male";
        String drawn = "2024-01-%02d %02d:%02d:00".formatted(1 + i % 28, i % 24, i % 60);
        String category = "LAB";
        String comment =
            shape.quotedNewlines && i % 9 == 0 ? "\"first part" + end + "second, part\"" : "ok";
        String pid = "P" + seed + "-" + i;
        boolean isBad = (i * 7 + seed) % 13 == 0;
        boolean isFiltered = !isBad && i % 11 == 0;
        if (isFiltered) {
          category = "VITAL";
          filtered++;
        }
        if (isBad) {
          switch (i % 5) {
            case 0 -> pid = "";
            case 1 -> drawn = "2024-13-45 08:00:00";
            case 2 -> flag = "weird";
            case 3 -> sex = "X";
            default -> value = "";
          }
          bad.add(line);
        }
        text.append(
                String.join(
                    ",",
                    pid,
                    "K" + item,
                    "local " + item,
                    value,
                    "",
                    flag,
                    drawn,
                    sex,
                    category,
                    comment))
            .append(end);
        line += comment.startsWith("\"") ? 2 : 1;
      }
      byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
      Files.write(path, shape.gzip ? IngestFixture.gzip(bytes) : bytes);
      return new DirtyFile(path, count, filtered, bad);
    }
  }
}
