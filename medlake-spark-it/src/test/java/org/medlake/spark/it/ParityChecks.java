package org.medlake.spark.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.expressions.Expressions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.medlake.core.config.MedlakeHome;
import org.medlake.core.ledger.IngestRun;
import org.medlake.core.ledger.RunStatus;
import org.medlake.ingest.ledger.RejectedRows;
import org.medlake.ingest.pipeline.IngestService;
import org.medlake.lake.DuckDb;
import org.medlake.lake.FileCache;
import org.medlake.lake.Lakehouse;
import org.medlake.lake.TableScans;
import org.medlake.platform.store.RunLedger;
import org.medlake.testkit.generate.GenerationReport;

/**
 * What {@code SparkParityIT} (embedded profile) and {@code SparkDistributedParityIT} (S3 and
 * PostgreSQL) check once a subclass has ingested one dirty landing zone with the embedded pipeline
 * into one home and with the Spark job into a second home sharing the first one's link vault: that
 * both stored exactly the same.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ParityChecks {
  /**
   * The landing zone as both engines were given it: a local directory or an {@code s3://} prefix.
   */
  protected String landing;

  protected MedlakeHome embedded;
  protected MedlakeHome spark;
  protected GenerationReport generated;
  protected List<IngestRun> embeddedRuns;
  protected SparkJobProcess.Result job;

  /** DuckDB's spill directory for the comparisons. */
  protected Path scratch;

  /** Files written by hand next to the generated ones (edge cases, ...). */
  protected int handWritten = 1;

  @Test
  void theLandingZoneIsDirtyAndBothEnginesIngestEveryFile() {
    assertThat(job.exitCode()).as(job.output()).isZero();
    assertThat(generated.files()).hasSize(4);
    assertThat(embeddedRuns)
        .hasSize(4 + handWritten)
        .allSatisfy(run -> assertThat(run.status()).isEqualTo(RunStatus.SUCCEEDED));
    assertThat(sparkRuns())
        .hasSize(4 + handWritten)
        .allSatisfy(run -> assertThat(run.status()).isEqualTo(RunStatus.SUCCEEDED));
    assertThat(embeddedRuns.stream().mapToLong(IngestRun::rowsRejected).sum()).isGreaterThan(100);
    assertThat(
            embeddedRuns.stream()
                .flatMap(run -> run.rejectedByReason().keySet().stream())
                .distinct()
                .count())
        .isGreaterThanOrEqualTo(8);
  }

  @Test
  void runRecordsCountTheSameRowsAndReasons() {
    Map<String, IngestRun> bySha =
        sparkRuns().stream().collect(Collectors.toMap(IngestRun::sha256, Function.identity()));
    for (IngestRun expected : embeddedRuns) {
      IngestRun actual = bySha.get(expected.sha256());
      assertThat(actual).as("Spark run of %s", expected.sourceFile()).isNotNull();
      assertThat(actual.sourceFile()).isEqualTo(expected.sourceFile());
      assertThat(actual.hospitalId()).isEqualTo(expected.hospitalId());
      assertThat(actual.month()).isEqualTo(expected.month());
      assertThat(actual.bytesIn()).isEqualTo(expected.bytesIn());
      assertThat(
              List.of(
                  actual.rowsRead(),
                  actual.rowsAccepted(),
                  actual.rowsRejected(),
                  actual.rowsFiltered()))
          .as(expected.sourceFile())
          .isEqualTo(
              List.of(
                  expected.rowsRead(),
                  expected.rowsAccepted(),
                  expected.rowsRejected(),
                  expected.rowsFiltered()));
      assertThat(new TreeMap<>(actual.rejectedByReason()))
          .as(expected.sourceFile())
          .isEqualTo(new TreeMap<>(expected.rejectedByReason()));
    }
  }

  @Test
  void acceptedRowsAndSurrogatesAreIdentical() {
    String rows = "SELECT * EXCLUDE (ingest_run_id) FROM t ORDER BY ALL";
    List<String> expected = read(embedded, false, rows);
    assertThat(expected).hasSizeGreaterThan(10_000);
    assertSameRows(read(spark, false, rows), expected);
  }

  @Test
  void rejectsAreIdenticalWithLineNumbersRawLinesAndReasons() {
    String rows = "SELECT * EXCLUDE (ingest_run_id) FROM t ORDER BY source_file, line_number";
    List<String> expected = read(embedded, true, rows);
    assertThat(expected).hasSizeGreaterThan(100);
    assertSameRows(read(spark, true, rows), expected);
  }

  @Test
  void aggregatesAreIdentical() {
    String aggregate =
        "SELECT hospital_id, strftime(collected_at, '%Y-%m') AS month, test_code, count(*), count(DISTINCT patient_key),"
            + " round(avg(value_numeric), 9), min(value_numeric), max(value_numeric), count(value_text), count(encounter_key),"
            + " sum(patient_birth_year) FROM t GROUP BY ALL ORDER BY ALL";
    List<String> expected = read(embedded, false, aggregate);
    assertThat(expected).hasSizeGreaterThan(20);
    assertSameRows(read(spark, false, aggregate), expected);
  }

  @Test
  void sparkFilesAreZstdSortedAndPartitionedAsTheEmbeddedOnes() {
    try (Lakehouse lakehouse = Lakehouse.open(spark);
        FileCache.Lease readable =
            TableScans.readableFiles(
                lakehouse.warehouse(), lakehouse.labResults(), Expressions.alwaysTrue())) {
      List<String> files =
          TableScans.plannedFiles(lakehouse.labResults(), Expressions.alwaysTrue());
      assertThat(files)
          .isNotEmpty()
          .allSatisfy(
              file ->
                  assertThat(file).containsPattern("/collected_at_month=[^/]+/hospital_id=[^/]+/"));
      try (Lakehouse embeddedLake = Lakehouse.open(embedded)) {
        // the same pipeline wrote both: the same partition directories, the same number of files
        assertThat(partitionDirectories(files))
            .isEqualTo(
                partitionDirectories(
                    TableScans.plannedFiles(embeddedLake.labResults(), Expressions.alwaysTrue())));
      }
      for (Path file : readable.paths()) {
        String literal = DuckDb.literal(file.toString());
        assertThat(query("SELECT DISTINCT compression FROM parquet_metadata(" + literal + ")"))
            .containsExactly("ZSTD");
        assertThat(
                query(
                    "SELECT count(*) FROM (SELECT test_code, collected_at, lag(test_code) OVER w AS previous_code,"
                        + " lag(collected_at) OVER w AS previous_at FROM read_parquet("
                        + literal
                        + ", file_row_number = true)"
                        + " WINDOW w AS (ORDER BY file_row_number)) WHERE previous_code > test_code"
                        + " OR (previous_code = test_code AND previous_at > collected_at)"))
            .containsExactly("0");
      }
    }
  }

  /** Each file's partition directory ({@code collected_at_month=.../hospital_id=...}), sorted. */
  private static List<String> partitionDirectories(List<String> files) {
    return files.stream()
        .map(file -> file.replaceAll(".*/data/(.*)/[^/]+$", "$1"))
        .sorted()
        .toList();
  }

  @Test
  void embeddedToolingReadsSparkRunsAndRejects() {
    try (Lakehouse lakehouse = Lakehouse.open(spark)) {
      Table table = lakehouse.labResults();
      for (IngestRun run : sparkRuns()) {
        Snapshot snapshot = table.snapshot(run.snapshotId());
        assertThat(snapshot.summary())
            .containsEntry("medlake.run-id", run.id())
            .containsEntry("medlake.source-sha256", run.sha256())
            .containsEntry("medlake.hospital-month", run.hospitalId() + "/" + run.month())
            .containsEntry("medlake.rows-accepted", String.valueOf(run.rowsAccepted()));
        IngestRun twin =
            embeddedRuns.stream()
                .filter(embeddedRun -> embeddedRun.sha256().equals(run.sha256()))
                .findFirst()
                .orElseThrow();
        try (Lakehouse embeddedLake = Lakehouse.open(embedded)) {
          assertThat(RejectedRows.read(lakehouse, run.id(), 100_000))
              .isEqualTo(RejectedRows.read(embeddedLake, twin.id(), 100_000));
        }
      }
    }
    // the embedded pipeline finds the files the Spark job committed and stores nothing twice
    try (IngestService service = IngestService.open(spark, (file, phase, fraction) -> {})) {
      List<IngestRun> again =
          service.ingest(
              service.discoverLocations(List.of(landing), Optional.empty(), Optional.empty()));
      assertThat(again)
          .hasSize(4 + handWritten)
          .allSatisfy(run -> assertThat(run.status()).isEqualTo(RunStatus.DUPLICATE));
    }
  }

  @Test
  void edgeCasesGetTheSameReasonsAndValues() {
    IngestRun edge =
        embeddedRuns.stream()
            .filter(run -> run.sourceFile().endsWith("edge-cases.csv"))
            .findFirst()
            .orElseThrow();
    assertThat(edge.rejectedByReason())
        .containsKeys(
            "LINE_TOO_LONG",
            "ENCODING",
            "BAD_QUOTING",
            "RAGGED_ROW",
            "DUPLICATE_ROW",
            "INVALID_FLAG",
            "INVALID_SEX",
            "INVALID_BIRTH_YEAR",
            "INVALID_REFERENCE_RANGE",
            "INVALID_COLLECTED_AT",
            "FUTURE_TIMESTAMP",
            "RESULTED_BEFORE_COLLECTED",
            "INVALID_RESULTED_AT");
    // a quoted field over two lines, an ambiguous local time (the later offset) and a generalised
    // birth year, as the embedded pipeline stored them
    String rows =
        "SELECT patient_key, test_name, value_numeric, value_comparator, value_text, ref_low, collected_at, patient_birth_year"
            + " FROM t WHERE source_file LIKE '%edge-cases.csv' ORDER BY ALL";
    List<String> expected = read(embedded, false, rows);
    assertThat(expected)
        .anyMatch(row -> row.contains("Glucose\nfasting"))
        .anyMatch(row -> row.contains("2024-10-27 01:30:00"));
    assertSameRows(read(spark, false, rows), expected);
  }

  /**
   * Lines the generator does not write: spans, blanks, spaces, BOM and CRLF, DST overlap, an
   * overlong line, a bad byte.
   */
  static void writeEdgeCases(Path file) throws IOException {
    Files.createDirectories(file.getParent());
    String header =
        "patient_id,encounter_id,loinc,test_name,result,unit,ref_low,ref_high,flag,collected_at,resulted_at,sex,birth_year,specimen";
    List<String> lines =
        List.of(
            "P9001,E9001,2823-3,Potassium,4.2,mmol/L,3.5,5.1,N,2024-10-27 02:30:00,2024-10-27 03:10:00,F,1961,serum",
            "P9001,E9001,1988-5,C reactive protein,<0.5,mg/L,,5.0,N,2024-10-04 08:15:00,2024-10-04 09:30:00,F,1961,serum",
            "P9002,E9002,2345-7,Glucose,>= 100,mg/dL,70,99,H,2024-10-01 00:30:00,2024-10-01 01:10:00,M,1928,serum",
            "P9003,,2106-3,hCG urine,NEG,,,,,2024-10-10 11:00:00,,F,1990,urine",
            "P9004,E9004,2345-7,\"Glucose\nfasting\",95,mg/dL,70,99,N,2024-10-11 07:00:00,2024-10-11 08:00:00,M,1970,serum",
            "",
            "   ",
            "P9005,E9005,2345-7,Glucose,\"5,5\",mmol/L,3.9,5.5,N,2024-10-11 07:00:00,2024-10-11 08:00:00,M,1970,serum",
            "P9006,E9006,2345-7,Glu\"cose,95,mg/dL,70,99,N,2024-10-11 07:00:00,2024-10-11 08:00:00,M,1970,serum",
            "P9007 ,E9007,2345-7,Glucose,  101 ,mg/dL, 70 ,99,N, 2024-10-12\t07:00:00 ,2024-10-12 8:05:00,M,1970,serum",
            "P9008,E9008,2345-7,Glucose,+85.5,mg/dL,70,99,L,2024-10-12 07:00:00,2024-10-12 08:00:00,U,1970,\"serum, \"\"fresh\"\"\"",
            "P9009,E9009,2106-3,hCG urine,positive (weak),,,,X,2024-10-12 07:00:00,2024-10-12 08:00:00,W,1970,urine",
            "P9010,E9010,2345-7,Glucosé,91,mg/dL,70,99,N,2024-10-31 23:30:00,2024-11-01 00:10:00,F,1999,serum",
            "P9011,E9011,2345-7,Glucose,91,mg/dL,70,99,N,2024-10-05 08:00:00,2024-10-05 07:00:00,F,1999,serum",
            "P9012,E9012,2345-7,Glucose,91,mg/dL,70,99,N,2099-10-05 08:00:00,2099-10-05 09:00:00,F,1999,serum",
            "P9013,E9013,2345-7,Glucose,91,mg/dL,70,99,N,2024-10-05 08:00:00,2024-10-05 09:00:00,F,1850,serum",
            "P9014,E9014,2345-7,Glucose,5.1,mmol/L,x,5.5,N,2024-10-05 08:00:00,2024-10-05 09:00:00,F,abcd,serum",
            "P9015,E9015,2345-7,Glucose,91,mg/dL,70,99,N,2024-02-30 08:00:00,2024-10-05 25:00:00,F,1980,serum",
            "P9016,E9016,2345-7,Glucose,91,mg/dL,70,99,N,2024-10-05 08:00:00,2024-10-05 09:00:00,F,1980,"
                + "x".repeat(5_000),
            "P9017,E9017,2345-7,Glucose,91,mg/dL,70,99,N,2024-10-05 08:00:00,2024-10-05 09:00:00,F,1980,se\u0000rum",
            "P9001,E9001,2823-3,Potassium,4.2,mmol/L,3.5,5.1,N,2024-10-27 02:30:00,2024-10-27 03:10:00,F,1961,serum",
            "P9018,E9018,2345-7,Glucose,250,mg/dL,70,99,HH,2024-10-06 09:00:00,,M,1935,serum",
            // results as laboratories write them, units in other spellings, flag words
            "P9019,E9019,5196-1,HBsAg,1:80,,,,abnormal,2024-10-07 09:00:00,,M,1980,serum",
            "P9020,E9020,5804-0,Protein urine,2+,,,,High,2024-10-07 09:00:00,,M,1980,urine",
            "P9021,E9021,5804-0,Protein urine,TRACE,,,,delta,2024-10-07 09:00:00,,M,1980,urine",
            "P9022,E9022,5821-4,WBC urine sediment,0-2,/[HPF],,,,2024-10-07 09:00:00,,M,1980,urine",
            "P9023,E9023,5196-1,HBsAg,\"neg, see comment\",,,,,2024-10-07 09:00:00,,M,1980,serum",
            "P9024,E9024,5196-1,HBsAg,<1:20,,,,,2024-10-07 09:00:00,,M,1980,serum",
            "P9025,E9025,2345-7,Glucose,5.5,mmol/l,3.9,5.5,n,2024-10-07 09:00:00,,M,1980,serum",
            "P9026,E9026,2345-7,Glucose,99,MG/DL,70,99,critical high,2024-10-07 09:00:00,,M,1980,serum",
            "P9027,E9027,2345-7,Glucose,99,furlongs,70,99,N,2024-10-07 09:00:00,,M,1980,serum",
            "P9028,E9028,2345-7,Glucose,99,10*3/uL,70,99,N,2024-10-07 09:00:00,,M,1980,serum",
            "P9029,E9029,2160-0,Creatinine,88.4,umol/L,45,84,N,2024-10-07 09:00:00,,M,1980,serum",
            "P9030,E9030,5196-1,HBsAg,See comments,,,,,2024-10-07 09:00:00,,M,1980,serum");
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    bytes.writeBytes(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF});
    bytes.writeBytes((header + "\r\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
    for (String line : lines) {
      // U+0000 stands for a byte that is not UTF-8
      byte[] encoded =
          line.replace('\u0000', '#').getBytes(java.nio.charset.StandardCharsets.UTF_8);
      if (line.indexOf('\u0000') >= 0) {
        encoded[line.indexOf('\u0000')] = (byte) 0xFF;
      }
      bytes.writeBytes(encoded);
      bytes.writeBytes("\r\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
    Files.write(file, bytes.toByteArray());
  }

  /**
   * A home whose overlong-line limit is small enough for a test line, with more settings from
   * {@code yaml}. The hand-written edge cases reject 12 of their 21 rows on purpose: more than the
   * fail-safe's default share, so both engines are let to commit them (SparkHeldRunIT checks the
   * hold).
   */
  static MedlakeHome open(Path directory, String yaml) throws IOException {
    Files.createDirectories(directory);
    Files.writeString(
        directory.resolve("medlake.yaml"),
        "ingest:\n  max-line-bytes: 4096\n  hold:\n    max-rejected-share: 0.75\n" + yaml);
    return MedlakeHome.open(directory);
  }

  private List<IngestRun> sparkRuns() {
    try (RunLedger ledger = RunLedger.open(spark)) {
      return ledger.list().stream().filter(run -> run.status() != RunStatus.DUPLICATE).toList();
    }
  }

  private static void assertSameRows(List<String> actual, List<String> expected) {
    for (int i = 0; i < Math.min(actual.size(), expected.size()); i++) {
      assertThat(actual.get(i)).as("row %d of %d", i, expected.size()).isEqualTo(expected.get(i));
    }
    assertThat(actual).hasSameSizeAs(expected);
  }

  /**
   * Rows of {@code sql} over the table's planned files ({@code t}, local copies for an object
   * store), each rendered as one string.
   */
  private List<String> read(MedlakeHome home, boolean rejects, String sql) {
    try (Lakehouse lakehouse = Lakehouse.open(home)) {
      Table table = rejects ? lakehouse.rejects() : lakehouse.labResults();
      try (FileCache.Lease files =
          TableScans.readableFiles(lakehouse.warehouse(), table, Expressions.alwaysTrue())) {
        assertThat(files.paths()).isNotEmpty();
        return query(
            "WITH t AS (SELECT * FROM read_parquet("
                + files.paths().stream()
                    .map(path -> DuckDb.literal(path.toString()))
                    .collect(Collectors.joining(", ", "[", "]"))
                + ")) "
                + sql);
      }
    }
  }

  private List<String> query(String sql) {
    try (Connection connection = DuckDb.open("1GB", 2, scratch);
        Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery(sql)) {
      ResultSetMetaData metadata = result.getMetaData();
      List<String> rows = new ArrayList<>();
      while (result.next()) {
        StringBuilder row = new StringBuilder();
        for (int column = 1; column <= metadata.getColumnCount(); column++) {
          row.append(column > 1 ? " | " : "").append(result.getString(column));
        }
        rows.add(row.toString());
      }
      return rows;
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  static void copyDirectory(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.list(from)) {
      for (Path file : files.toList()) {
        Files.copy(file, to.resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
      }
    }
  }
}
