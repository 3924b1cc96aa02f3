package org.medlake.ingest.remap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.core.contract.LabResults;
import org.medlake.core.error.MedlakeException;
import org.medlake.ingest.pipeline.ProgressListener;
import org.medlake.testkit.S3Server;

/**
 * {@code medlake remap}: stored rows whose local code had no standard code get the code the
 * dictionary gained later, in one commit that changes nothing else, on real Iceberg and DuckDB.
 */
class CodeRemapIT {
  private static final String POTASSIUM = "Potassium [Moles/volume] in Serum or Plasma";
  private static final String ESTERASE = "Leukocyte esterase [Presence] in Urine by Test strip";
  private static final String AST =
      "Aspartate aminotransferase [Enzymatic activity/volume] in Serum or Plasma";

  private static final String DICTIONARY =
      """
      local_code,test_code,test_name,unit
      K1,2823-3,%s,mmol/L
      U7,,Urine sediment casts,
      U8,,,
      """
          .formatted(POTASSIUM);

  /**
   * U7, Z9 and A5 gained valid codes (A5 without a name); U8 gained a code with a wrong check
   * digit.
   */
  private static final String GAINED =
      """
      local_code,test_code,test_name,unit
      K1,2823-3,%s,mmol/L
      U7,5799-2,%s,
      U8,6768-5,Alkaline phosphatase,
      Z9,1920-8,%s,
      A5,1742-6,,
      """
          .formatted(POTASSIUM, ESTERASE, AST);

  /**
   * pid, item, label, name, value, unit, drawn; AST (Z9) in its canonical unit, in another (0.5
   * ukat/L = 30 U/L), and without one.
   */
  private static final List<String> JANUARY =
      List.of(
          "P1,K1,K+,,4.2,mmol/L,2024-01-15 08:30:00",
          "P2,U7,Casts,,0-2,,2024-01-16 08:30:00",
          "P3,U7,Casts,,1-3,,2024-01-17 08:30:00",
          "P4,U8,Crystals,,FEW,,2024-01-18 08:30:00",
          "P5,Z9,New assay,,12,U/L,2024-01-19 08:30:00",
          "P6,Z9,,,0.5,ukat/L,2024-01-20 08:30:00",
          "P7,A5,Thing,,7,,2024-01-21 08:30:00");

  private static final List<String> FEBRUARY =
      List.of(
          "P1,K1,K+,,4.4,mmol/L,2024-02-15 08:30:00",
          "P8,Z9,New assay,,15,U/L,2024-02-03 08:30:00",
          "P9,U8,Crystals,,MANY,,2024-02-04 08:30:00");

  /** A month without unmapped codes: its file holds no null test code and is never read. */
  private static final List<String> MARCH =
      List.of(
          "P1,K1,K+,,4.1,mmol/L,2024-03-15 08:30:00", "P2,K1,K+,,3.9,mmol/L,2024-03-16 08:30:00");

  private static final String EVERY_OTHER_COLUMN =
      "SELECT * EXCLUDE (test_code, test_name, value_canonical, unit_canonical, unit_status) FROM t ORDER BY ALL";

  /** What a re-delivery would store alike (its keys and lineage differ). */
  private static final String AS_DELIVERED =
      "SELECT * EXCLUDE (patient_key, encounter_key, ingest_run_id, source_file) FROM t WHERE local_code <> 'U8' ORDER BY ALL";

  private static final String CODES = "SELECT local_code, test_code, test_name FROM t ORDER BY ALL";

  @TempDir Path directory;

  @Test
  void fillsTheCodesTheDictionaryGainedInOneCommitChangingNothingElse() throws Exception {
    try (RemapFixture fixture = RemapFixture.create(directory, DICTIONARY, false, "")) {
      deliverThreeMonths(fixture);
      List<List<String>> rowsBefore = fixture.query(EVERY_OTHER_COLUMN);
      List<List<String>> codesBefore = fixture.query(CODES);
      long total = fixture.count("SELECT count(*) FROM t");
      assertThat(fixture.count("SELECT count(*) FROM t WHERE test_code IS NULL")).isEqualTo(8);
      int snapshots = fixture.snapshots().size();
      Set<String> marchFiles = dataFilesOf(fixture, "2024-03");

      fixture.dictionary(GAINED);
      RemapReport dryRun = fixture.remap(true);
      assertThat(fixture.snapshots()).hasSize(snapshots);
      assertThat(fixture.query(CODES)).isEqualTo(codesBefore);

      RemapReport report = fixture.remap(false);

      // the report, as the dry run predicted it
      List<RemapReport.Code> expected =
          List.of(
              new RemapReport.Code("A5", "1742-6", Optional.empty(), lines("A5")),
              new RemapReport.Code("U7", "5799-2", Optional.of(ESTERASE), lines("U7")),
              new RemapReport.Code("Z9", "1920-8", Optional.of(AST), lines("Z9")));
      assertThat(report.codes()).isEqualTo(expected);
      assertThat(report.rowsRemapped())
          .isEqualTo(lines("A5") + lines("U7") + lines("Z9"))
          .isEqualTo(6);
      assertThat(report.filesRewritten()).isEqualTo(2);
      assertThat(report.invalidCodes())
          .containsExactly(
              new RemapReport.Code(
                  "U8", "6768-5", Optional.of("Alkaline phosphatase"), lines("U8")));
      assertThat(dryRun.dryRun()).isTrue();
      assertThat(dryRun.snapshotId()).isEmpty();
      assertThat(dryRun.codes()).isEqualTo(report.codes());
      assertThat(dryRun.invalidCodes()).isEqualTo(report.invalidCodes());
      assertThat(dryRun.filesRewritten()).isEqualTo(report.filesRewritten());

      // the rows have their codes, counted against the delivered lines
      for (RemapReport.Code code : expected) {
        assertThat(
                fixture.count(
                    "SELECT count(*) FROM t WHERE local_code = '"
                        + code.localCode()
                        + "' AND test_code = '"
                        + code.testCode()
                        + "'"))
            .as(code.localCode())
            .isEqualTo(lines(code.localCode()));
      }
      assertThat(
              fixture.query(
                  "SELECT DISTINCT local_code, test_name FROM t WHERE local_code IN ('U7', 'Z9', 'A5') ORDER BY 1"))
          .containsExactly(List.of("A5", "Thing"), List.of("U7", ESTERASE), List.of("Z9", AST));
      assertThat(
              fixture.count("SELECT count(*) FROM t WHERE local_code = 'U8' AND test_code IS NULL"))
          .isEqualTo(lines("U8"));
      Set<String> remapped = Set.of("U7", "Z9", "A5");
      assertThat(fixture.query(CODES).stream().filter(row -> !remapped.contains(row.get(0))))
          .isEqualTo(codesBefore.stream().filter(row -> !remapped.contains(row.get(0))).toList());

      // the filled rows as a re-delivery with the new dictionary would store them, canonical values
      // included
      assertThat(
              fixture.query(
                  "SELECT value_numeric, unit, value_canonical, unit_canonical, unit_status FROM t WHERE local_code = 'Z9'"
                      + " ORDER BY collected_at"))
          .containsExactly(
              List.of("12.0", "U/L", "12.0", "U/L", "CANONICAL"),
              List.of("0.5", "ukat/L", "30.0", "U/L", "CONVERTED"),
              List.of("15.0", "U/L", "15.0", "U/L", "CANONICAL"));
      try (RemapFixture redelivered =
          RemapFixture.create(
              directory.resolve("redelivered"), GAINED.replace("U8,6768-5", "U8,"), false, "")) {
        deliverThreeMonths(redelivered);
        assertThat(fixture.query(AS_DELIVERED)).isEqualTo(redelivered.query(AS_DELIVERED));
      }

      // every other column of every row as it was, no row more or less, one new snapshot
      assertThat(fixture.query(EVERY_OTHER_COLUMN)).isEqualTo(rowsBefore);
      assertThat(fixture.count("SELECT count(*) FROM t")).isEqualTo(total);
      List<Snapshot> after = fixture.snapshots();
      assertThat(after).hasSize(snapshots + 1);
      Snapshot remap = after.get(after.size() - 1);
      assertThat(report.snapshotId()).contains(remap.snapshotId());
      assertThat(remap.operation()).isEqualTo("replace");
      assertThat(remap.summary())
          .containsEntry(CodeRemap.REMAP_SOURCE, "h007")
          .containsEntry(CodeRemap.ROWS_REMAPPED, "6")
          .containsEntry(CodeRemap.RUN_ID, report.remapId())
          .containsEntry("deleted-records", "10")
          .containsEntry("added-records", "10");
      assertThat(dataFilesOf(fixture, "2024-03")).isEqualTo(marchFiles);

      // the new files: same partitions, sorted by test code and time, columns stamped with the
      // contract's field ids
      Table table = fixture.table();
      List<DataFile> added = new ArrayList<>();
      remap.addedDataFiles(table.io()).forEach(added::add);
      Set<String> removedPartitions = new HashSet<>();
      remap
          .removedDataFiles(table.io())
          .forEach(
              file ->
                  removedPartitions.add(
                      table.specs().get(file.specId()).partitionToPath(file.partition())));
      assertThat(added).hasSize(2);
      assertThat(
              added.stream().map(file -> table.spec().partitionToPath(file.partition())).toList())
          .containsExactlyInAnyOrderElementsOf(removedPartitions);
      for (DataFile file : added) {
        List<List<String>> order = fixture.queryFile(file, "SELECT test_code, collected_at FROM t");
        List<List<String>> sorted = new ArrayList<>(order);
        sorted.sort(
            (a, b) ->
                a.get(0).equals(b.get(0))
                    ? a.get(1).compareTo(b.get(1))
                    : a.get(0).equals("null")
                        ? 1
                        : b.get(0).equals("null") ? -1 : a.get(0).compareTo(b.get(0)));
        assertThat(order).isEqualTo(sorted);
        List<List<String>> fieldIds =
            fixture.queryFile(
                file,
                "SELECT name, field_id FROM parquet_schema({file}) WHERE field_id IS NOT NULL ORDER BY field_id");
        assertThat(fieldIds)
            .isEqualTo(
                LabResults.CONTRACT.columns().stream()
                    .map(column -> List.of(column.name(), String.valueOf(column.id())))
                    .toList());
      }

      // a second remap finds nothing to do, and still names the invalid code
      RemapReport again = fixture.remap(false);
      assertThat(again.nothingToDo()).isTrue();
      assertThat(again.codes()).isEmpty();
      assertThat(again.snapshotId()).isEmpty();
      assertThat(again.invalidCodes()).isEqualTo(report.invalidCodes());
      assertThat(fixture.snapshots()).hasSize(snapshots + 1);
    }
  }

  @Test
  void aNameFromTheFileIsKeptAndOnlyAFallbackNameIsReplaced() throws Exception {
    try (RemapFixture fixture = RemapFixture.create(directory, DICTIONARY, true, "")) {
      fixture.ingest(
          YearMonth.of(2024, 1),
          List.of(
              "P1,Z9,New assay,AST (file),12,U/L,2024-01-19 08:30:00",
              "P2,Z9,New assay,,13,U/L,2024-01-20 08:30:00",
              "P3,Z9,,,14,U/L,2024-01-21 08:30:00"));
      fixture.dictionary(GAINED);

      assertThat(fixture.remap(false).rowsRemapped()).isEqualTo(3);

      assertThat(
              fixture
                  .query(
                      "SELECT patient_key IS NOT NULL, test_code, test_name FROM t ORDER BY value_numeric")
                  .stream()
                  .map(row -> row.get(2)))
          .containsExactly("AST (file)", AST, AST);
      assertThat(fixture.count("SELECT count(*) FROM t WHERE test_code = '1920-8'")).isEqualTo(3);
    }
  }

  @Test
  void aResubmissionCommittedMeanwhileIsNotUndoneAndItsRowsAreRemapped() throws Exception {
    try (RemapFixture fixture = RemapFixture.create(directory, DICTIONARY, false, "")) {
      fixture.ingest(YearMonth.of(2024, 1), JANUARY);
      fixture.ingest(YearMonth.of(2024, 2), FEBRUARY);
      fixture.dictionary(GAINED);
      List<String> resubmitted =
          List.of(
              "P20,Z9,New assay,,21,U/L,2024-01-05 08:30:00",
              "P21,Z9,New assay,,22,U/L,2024-01-06 08:30:00",
              "P22,U8,Crystals,,FEW,,2024-01-07 08:30:00");
      AtomicInteger commits = new AtomicInteger();

      // January is redelivered after the remap planned its files and before it commits
      RemapReport report =
          fixture.remap(
              false,
              () -> {
                if (commits.getAndIncrement() == 0) {
                  deliverUnderTheOldDictionary(fixture, YearMonth.of(2024, 1), resubmitted);
                }
              });

      assertThat(commits).hasValue(2);
      assertThat(fixture.count("SELECT count(*) FROM t"))
          .isEqualTo(resubmitted.size() + FEBRUARY.size());
      assertThat(
              fixture.count(
                  "SELECT count(*) FROM t WHERE value_numeric IN (21, 22) AND test_code = '1920-8'"))
          .isEqualTo(2);
      assertThat(fixture.count("SELECT count(*) FROM t WHERE test_code IS NULL"))
          .isEqualTo(2); // the U8 rows: invalid code
      assertThat(report.rowsRemapped()).isEqualTo(3);
    }
  }

  @Test
  void aMonthAppendedMeanwhileIsKept() throws Exception {
    try (RemapFixture fixture = RemapFixture.create(directory, DICTIONARY, false, "")) {
      fixture.ingest(YearMonth.of(2024, 1), JANUARY);
      fixture.dictionary(GAINED);
      AtomicInteger commits = new AtomicInteger();

      RemapReport report =
          fixture.remap(
              false,
              () -> {
                if (commits.getAndIncrement() == 0) {
                  deliverUnderTheOldDictionary(fixture, YearMonth.of(2024, 2), FEBRUARY);
                }
              });

      assertThat(commits).hasValue(1);
      assertThat(report.rowsRemapped()).isEqualTo(5);
      assertThat(fixture.count("SELECT count(*) FROM t"))
          .isEqualTo(JANUARY.size() + FEBRUARY.size());
      // February's Z9 row arrived after the plan: the next remap fills it
      assertThat(
              fixture.count("SELECT count(*) FROM t WHERE local_code = 'Z9' AND test_code IS NULL"))
          .isEqualTo(1);
      assertThat(fixture.remap(false).rowsRemapped()).isEqualTo(1);
      assertThat(
              fixture.count(
                  "SELECT count(*) FROM t WHERE local_code = 'Z9' AND test_code = '1920-8'"))
          .isEqualTo(3);
    }
  }

  @Test
  void worksOnAWarehouseInAnObjectStore() throws Exception {
    try (S3Server s3 = S3Server.start(directory.resolve("s3"), "lake");
        RemapFixture fixture =
            RemapFixture.create(
                directory,
                DICTIONARY,
                false,
                """
            catalog:
              warehouse: s3://lake/warehouse
              s3:
                endpoint: %s
                path-style-access: true
            """
                    .formatted(s3.endpoint()))) {
      deliverThreeMonths(fixture);
      List<List<String>> rowsBefore = fixture.query(EVERY_OTHER_COLUMN);
      fixture.dictionary(GAINED);

      RemapReport report = fixture.remap(false);

      assertThat(report.rowsRemapped()).isEqualTo(6);
      assertThat(report.filesRewritten()).isEqualTo(2);
      assertThat(fixture.query(EVERY_OTHER_COLUMN)).isEqualTo(rowsBefore);
      assertThat(
              fixture.count(
                  "SELECT count(*) FROM t WHERE local_code IN ('U7', 'Z9', 'A5') AND test_code IS NOT NULL"))
          .isEqualTo(6);
      Table table = fixture.table();
      table
          .currentSnapshot()
          .addedDataFiles(table.io())
          .forEach(file -> assertThat(file.location()).startsWith("s3://lake/warehouse/"));
      assertThat(fixture.remap(false).nothingToDo()).isTrue();
      try (Stream<Path> left = Files.list(fixture.home().temporary())) {
        assertThat(left.filter(path -> path.getFileName().toString().startsWith("remap-")))
            .as("work directories left")
            .isEmpty();
      }
    }
  }

  @Test
  void aSourceWithoutADictionaryIsRefused() throws Exception {
    try (RemapFixture fixture = RemapFixture.create(directory, DICTIONARY, false, "")) {
      Files.writeString(
          fixture.home().sources().resolve("h008.yaml"),
          """
          hospital-id: H008
          columns: {patient-id: pid, local-code: item, result: value, collected-at: drawn}
          """);
      assertThatThrownBy(
              () ->
                  new CodeRemap(fixture.service().lakehouse()).apply("h008", ProgressListener.NONE))
          .isInstanceOf(MedlakeException.class)
          .hasMessage("source 'h008' has no code-lookup dictionary");
    }
  }

  private static void deliverThreeMonths(RemapFixture fixture) throws Exception {
    fixture.ingest(YearMonth.of(2024, 1), JANUARY);
    fixture.ingest(YearMonth.of(2024, 2), FEBRUARY);
    fixture.ingest(YearMonth.of(2024, 3), MARCH);
  }

  /**
   * Delivers a month as it was delivered before the dictionary gained its codes; the remap has read
   * the dictionary already.
   */
  private static void deliverUnderTheOldDictionary(
      RemapFixture fixture, YearMonth month, List<String> lines) {
    try {
      fixture.dictionary(DICTIONARY);
      fixture.ingest(month, lines);
      fixture.dictionary(GAINED);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /**
   * Delivered lines (of all three months) with the local code, counted from the lines themselves.
   */
  private static long lines(String localCode) {
    return Stream.of(JANUARY, FEBRUARY, MARCH)
        .flatMap(List::stream)
        .filter(line -> line.split(",")[1].equals(localCode))
        .count();
  }

  private static Set<String> dataFilesOf(RemapFixture fixture, String month) {
    Table table = fixture.table();
    Set<String> files = new HashSet<>();
    for (org.apache.iceberg.FileScanTask task : table.newScan().planFiles()) {
      if (table
          .spec()
          .partitionToPath(task.file().partition())
          .contains("collected_at_month=" + month)) {
        files.add(task.file().location());
      }
    }
    assertThat(files).as("files of %s", month).isNotEmpty();
    return files;
  }
}
