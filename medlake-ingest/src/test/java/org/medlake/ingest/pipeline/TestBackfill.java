package org.medlake.ingest.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.medlake.ingest.pipeline.IngestFixture.HEADER;

import java.io.IOException;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntUnaryOperator;
import java.util.stream.Collectors;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.core.ledger.IngestRun;
import org.medlake.core.ledger.RunStatus;
import org.medlake.lake.DuckDb;

/**
 * A backfill: one delivered file whose rows span 300 months (with gaps, rows on the first of a
 * month that fall in the month before in UTC, rejected rows, and one month large enough to be
 * written on its own), written by two threads. Every accepted row is stored, each UTC month's count
 * is the one computed here from the CSV, the file is one snapshot, each month one data file sorted
 * by test code and collection time; a resubmission of the hospital-month replaces all of the file's
 * months in one snapshot.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TestBackfill {
  private static final ZoneId ZONE = ZoneId.of("Europe/Berlin");
  private static final YearMonth FIRST = YearMonth.of(2001, 1);
  private static final int MONTHS = 300;

  /** Above {@link FileIngestion#SMALL_MONTH_ROWS}: written by its own multi-threaded COPY. */
  private static final int LARGE_MONTH = 150;

  private static final int LARGE_MONTH_ROWS = (int) FileIngestion.SMALL_MONTH_ROWS + 120;
  private static final YearMonth DELIVERY = YearMonth.of(2026, 1);
  private static final DateTimeFormatter LOCAL = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

  /**
   * Test codes with the units the test catalogue gives them; values 60 to 90 are plausible for
   * each.
   */
  private static final String[][] TESTS = {
    {"2345-7", "mg/dL"}, {"1742-6", "U/L"}, {"2093-3", "mg/dL"}
  };

  private Path directory;
  private IngestFixture fixture;
  private Backfill first;
  private IngestRun firstRun;

  @BeforeAll
  void ingestTheBackfill(@TempDir Path directory) throws IOException {
    this.directory = directory;
    fixture = IngestFixture.create(directory.resolve("whole"), 2, "", "");
    first =
        backfill(
            fixture,
            MONTHS,
            index -> index == LARGE_MONTH ? LARGE_MONTH_ROWS : 1 + index % 4,
            false,
            "5");
    firstRun = ingest(fixture, first);
  }

  @AfterAll
  void close() {
    fixture.close();
  }

  @Test
  @Order(1)
  void everyRowIsStoredInItsUtcMonth() {
    assertThat(firstRun.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(firstRun.rowsRead()).isEqualTo(first.lines().size());
    assertThat(firstRun.rowsRejected()).isEqualTo(first.rejected());
    assertThat(firstRun.rejectedByReason()).containsOnlyKeys("INVALID_FLAG");
    assertThat(
            fixture.accepted(
                firstRun,
                "concat_ws('|', test_code, value_numeric, strftime(collected_at, '%Y-%m-%d %H:%M:%S'))"))
        .isEqualTo(first.storedRows());
    assertThat(rowsPerMonth(firstRun)).isEqualTo(first.rowsPerUtcMonth());
    // rows of the first of a month before 01:00 or 02:00 local time are the month before's in UTC
    assertThat(first.rowsPerUtcMonth()).isNotEqualTo(first.rowsPerLocalMonth());
  }

  @Test
  @Order(2)
  void theFileIsOneSnapshot() {
    Table table = table();
    assertThat(runSnapshots(table, firstRun)).hasSize(1);
    assertThat(count(table.snapshots())).isEqualTo(1);
  }

  @Test
  @Order(3)
  void eachMonthIsOneDataFileSortedByTestCodeAndCollectionTime() {
    Map<String, List<DataFile>> files = filesByMonth(fixture, firstRun);
    assertThat(files.keySet()).isEqualTo(first.rowsPerUtcMonth().keySet());
    assertThat(files.values()).allSatisfy(monthFiles -> assertThat(monthFiles).hasSize(1));
    // what the committer registered is what the files hold
    assertThat(
            files.values().stream().mapToLong(monthFiles -> monthFiles.get(0).recordCount()).sum())
        .isEqualTo(firstRun.rowsAccepted());
  }

  @Test
  @Order(4)
  void aResubmissionReplacesAllMonthsInOneSnapshot() throws IOException {
    Table table = table();
    long snapshotsBefore = count(table.snapshots());
    int firstFiles = dataFiles(table, firstRun).size();
    // a corrected file: fewer months, other values, no large month
    Backfill second = backfill(fixture, 200, index -> 1 + index % 4, false, "6");
    IngestRun secondRun = ingest(fixture, second);
    assertThat(secondRun.status()).isEqualTo(RunStatus.SUCCEEDED);

    table = table();
    assertThat(count(table.snapshots())).isEqualTo(snapshotsBefore + 1);
    List<Snapshot> snapshots = runSnapshots(table, secondRun);
    assertThat(snapshots).hasSize(1);
    Snapshot replacement = snapshots.get(0);
    assertThat(replacement.operation()).isEqualTo("overwrite");
    assertThat(replacement.summary())
        .containsEntry("deleted-data-files", String.valueOf(firstFiles))
        .containsEntry("added-data-files", String.valueOf(second.rowsPerUtcMonth().size()));
    assertThat(fixture.accepted(firstRun, "1")).isEmpty();
    assertThat(
            fixture.accepted(
                secondRun,
                "concat_ws('|', test_code, value_numeric, strftime(collected_at, '%Y-%m-%d %H:%M:%S'))"))
        .isEqualTo(second.storedRows());
    // the table holds the second file's months only: the first file's later months are gone
    Map<String, Long> stored = new TreeMap<>();
    query("SELECT strftime(collected_at, '%Y-%m'), count(*) FROM t GROUP BY 1")
        .forEach(row -> stored.put(row.get(0), Long.parseLong(row.get(1))));
    assertThat(stored).isEqualTo(second.rowsPerUtcMonth());
  }

  @Test
  @Order(5)
  void aFileInChunksLeavesOneFilePerMonthUnlessTheMonthOutgrowsAChunk(
      @TempDir Path chunkedDirectory) throws IOException {
    try (IngestFixture chunked =
        IngestFixture.create(chunkedDirectory, 2, "  chunk-rows: 1000\n", "")) {
      // every month's rows in every chunk; 2009-05 has more rows than a chunk
      Backfill backfill = backfill(chunked, MONTHS, index -> index == 100 ? 1500 : 10, true, "5");
      IngestRun run = ingest(chunked, backfill);
      assertThat(run.status()).isEqualTo(RunStatus.SUCCEEDED);
      assertThat(run.rowsRead()).isEqualTo(backfill.lines().size());
      assertThat(
              chunked.accepted(
                  run,
                  "concat_ws('|', test_code, value_numeric, strftime(collected_at, '%Y-%m-%d %H:%M:%S'))"))
          .isEqualTo(backfill.storedRows());
      Map<String, List<DataFile>> files = filesByMonth(chunked, run);
      assertThat(files.keySet()).isEqualTo(backfill.rowsPerUtcMonth().keySet());
      assertThat(files.remove("2009-05")).hasSizeGreaterThan(1);
      Map<String, Integer> filesPerMonth = new TreeMap<>();
      files.forEach((month, monthFiles) -> filesPerMonth.put(month, monthFiles.size()));
      assertThat(filesPerMonth)
          .allSatisfy(
              (month, count) -> assertThat(count).as("data files of %s", month).isEqualTo(1));
      Table table = chunked.service().lakehouse().labResults();
      table.refresh();
      assertThat(runSnapshots(table, run)).hasSize(1);
    }
  }

  /**
   * The run's data files by the month of their partition, after checking that each holds rows of
   * that month only, sorted by test code and collection time.
   */
  private static Map<String, List<DataFile>> filesByMonth(IngestFixture fixture, IngestRun run) {
    Table table = fixture.service().lakehouse().labResults();
    table.refresh();
    Map<String, List<DataFile>> byMonth = new TreeMap<>();
    for (DataFile file : dataFiles(table, run)) {
      String partition = table.spec().partitionToPath(file.partition());
      assertThat(partition).endsWith("/hospital_id=H001");
      byMonth
          .computeIfAbsent(
              partition.replaceAll("collected_at_month=([0-9-]+)/.*", "$1"),
              month -> new ArrayList<>())
          .add(file);
    }
    List<String> paths =
        byMonth.values().stream().flatMap(List::stream).map(DataFile::location).toList();
    String list = paths.stream().map(DuckDb::literal).collect(Collectors.joining(", ", "[", "]"));
    List<List<String>> perFile =
        LakeReader.query(
            table,
            fixture.scratch(),
            "SELECT filename, min(strftime(collected_at, '%Y-%m')),"
                + " max(strftime(collected_at, '%Y-%m')), count(*) FILTER (WHERE previous_code IS NOT NULL"
                + " AND (test_code, collected_at) < (previous_code, previous_time))"
                + " FROM (SELECT filename, test_code, collected_at, lag(test_code) OVER w AS previous_code, lag(collected_at) OVER w AS previous_time"
                + " FROM read_parquet("
                + list
                + ", filename = true, file_row_number = true)"
                + " WINDOW w AS (PARTITION BY filename ORDER BY file_row_number)) GROUP BY filename");
    Map<String, String> monthOfFile = new java.util.HashMap<>();
    byMonth.forEach(
        (month, files) -> files.forEach(file -> monthOfFile.put(file.location(), month)));
    assertThat(perFile)
        .hasSize(paths.size())
        .allSatisfy(
            file -> {
              String month = monthOfFile.get(file.get(0));
              assertThat(file.get(1)).as(file.get(0)).isEqualTo(month);
              assertThat(file.get(2)).as(file.get(0)).isEqualTo(month);
              assertThat(file.get(3)).as("rows out of order in %s", file.get(0)).isEqualTo("0");
            });
    return byMonth;
  }

  /** A delivered backfill and what it must store, computed from its lines. */
  private record Backfill(
      Path file,
      List<String> lines,
      long rejected,
      List<String> storedRows,
      Map<String, Long> rowsPerUtcMonth,
      Map<String, Long> rowsPerLocalMonth) {}

  /**
   * {@code months} months from 2001-01 with {@code rowsOfMonth} rows each, newest first, each
   * month's rows newest first (so the writer must sort), or, if {@code interleaved}, the months'
   * rows taken in turns: every 37th month has no rows, every 10th one more row at 00:30 on the 1st
   * (the month before in UTC), every 50th a row with an invalid flag.
   */
  private static Backfill backfill(
      IngestFixture fixture,
      int months,
      IntUnaryOperator rowsOfMonth,
      boolean interleaved,
      String decimals)
      throws IOException {
    List<List<LocalDateTime>> timesByMonth = new ArrayList<>();
    for (int index = months - 1; index >= 0; index--) {
      YearMonth month = FIRST.plusMonths(index);
      List<LocalDateTime> times = new ArrayList<>();
      if (index % 37 != 5) {
        for (int row = rowsOfMonth.applyAsInt(index) - 1; row >= 0; row--) {
          times.add(month.atDay(2 + row % 26).atTime(8 + row % 12, (row / 312) % 60, row % 60));
        }
        if (index % 10 == 3) {
          times.add(month.atDay(1).atTime(0, 30));
        }
      }
      timesByMonth.add(times);
    }
    List<LocalDateTime> order = new ArrayList<>();
    if (interleaved) {
      for (int turn = 0; order.size() < timesByMonth.stream().mapToInt(List::size).sum(); turn++) {
        for (List<LocalDateTime> times : timesByMonth) {
          if (turn < times.size()) {
            order.add(times.get(turn));
          }
        }
      }
    } else {
      timesByMonth.forEach(order::addAll);
    }
    List<String> lines = new ArrayList<>();
    List<String> stored = new ArrayList<>();
    Map<String, Long> perUtcMonth = new TreeMap<>();
    Map<String, Long> perLocalMonth = new TreeMap<>();
    long rejected = 0;
    for (int line = 0; line < order.size(); line++) {
      LocalDateTime local = order.get(line);
      String[] test = TESTS[line % TESTS.length];
      String code = test[0];
      String value = (60 + line % 30) + "." + decimals;
      boolean invalid =
          (local.getYear() * 12 + local.getMonthValue()) % 50 == 7 && local.getDayOfMonth() == 2;
      lines.add(
          "P%d,E%d,%s,Test %s,%s,%s,,,%s,%s,F,1970"
              .formatted(
                  line,
                  line,
                  code,
                  code,
                  value,
                  test[1],
                  invalid ? "X" : "N",
                  LOCAL.format(local)));
      if (invalid) {
        rejected++;
        continue;
      }
      LocalDateTime utc = local.atZone(ZONE).withZoneSameInstant(ZoneOffset.UTC).toLocalDateTime();
      stored.add(code + "|" + value + "|" + LOCAL.format(utc));
      perUtcMonth.merge(YearMonth.from(utc).toString(), 1L, Long::sum);
      perLocalMonth.merge(YearMonth.from(local).toString(), 1L, Long::sum);
    }
    stored.sort(null);
    Path file = fixture.write("backfill.csv", HEADER + "\n" + String.join("\n", lines) + "\n");
    return new Backfill(file, lines, rejected, stored, perUtcMonth, perLocalMonth);
  }

  private static IngestRun ingest(IngestFixture fixture, Backfill backfill) {
    return fixture
        .service()
        .ingest(new IngestService.Delivery(backfill.file(), IngestFixture.SOURCE, DELIVERY));
  }

  private Table table() {
    Table table = fixture.service().lakehouse().labResults();
    table.refresh();
    return table;
  }

  private Map<String, Long> rowsPerMonth(IngestRun run) {
    Map<String, Long> months = new TreeMap<>();
    for (String month : fixture.accepted(run, "strftime(collected_at, '%Y-%m')")) {
      months.merge(month, 1L, Long::sum);
    }
    return months;
  }

  private static List<Snapshot> runSnapshots(Table table, IngestRun run) {
    List<Snapshot> snapshots = new ArrayList<>();
    for (Snapshot snapshot : table.snapshots()) {
      if (run.id().equals(snapshot.summary().get(LakeCommitter.RUN_ID))) {
        snapshots.add(snapshot);
      }
    }
    return snapshots;
  }

  private static List<DataFile> dataFiles(Table table, IngestRun run) {
    List<DataFile> files = new ArrayList<>();
    try (CloseableIterable<FileScanTask> tasks =
        table.newScan().filter(Expressions.equal("ingest_run_id", run.id())).planFiles()) {
      tasks.forEach(task -> files.add(task.file()));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return files;
  }

  private List<List<String>> query(String sql) {
    return LakeReader.query(table(), directory, sql);
  }

  private static long count(Iterable<?> values) {
    long count = 0;
    for (Object ignored : values) {
      count++;
    }
    return count;
  }
}
