package org.medlake.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.apache.iceberg.AppendFiles;
import org.apache.iceberg.Table;
import org.medlake.core.config.MedlakeHome;
import org.medlake.core.contract.LabResults;
import org.medlake.core.security.Role;
import org.medlake.core.text.TextTable;
import org.medlake.ingest.pipeline.StatusLine;
import org.medlake.lake.DataFileRegistrar;
import org.medlake.lake.DuckDb;
import org.medlake.lake.IcebergSchemas;
import org.medlake.lake.Lakehouse;
import org.medlake.lake.TableScans;
import org.medlake.query.QueryService;
import org.medlake.query.cache.InProcessResultCache;
import org.medlake.query.engine.AsOf;
import org.medlake.query.engine.QueryRequest;
import org.medlake.query.engine.QueryResult;
import org.medlake.query.plan.PruningPredicate;
import org.medlake.query.sql.GuardedSql;
import org.medlake.query.sql.SqlGuard;

/**
 * {@code medlake bench query}: a synthetic lab_results table of hospitals x months, queried through
 * medlake (guard, Iceberg planning, DuckDB over the planned files, cache) and by plain DuckDB over
 * all the table's Parquet files, in the same run.
 */
public final class QueryBenchmark {
  private static final int REPEATS = 5;

  private QueryBenchmark() {}

  public static void run(Path directory, long rows, int hospitals, int months) throws Exception {
    MedlakeHome home = MedlakeHome.open(directory.resolve("home"));
    try (Lakehouse lakehouse = Lakehouse.open(home)) {
      Table table = lakehouse.labResults();
      if (table.currentSnapshot() == null) {
        build(home, table, rows, hospitals, months);
      }
      table.refresh();
      List<String> files =
          TableScans.plannedFiles(table, org.apache.iceberg.expressions.Expressions.alwaysTrue());
      long tableBytes = 0;
      for (String file : files) {
        tableBytes += Files.size(Path.of(file));
      }
      long tableRows = Long.parseLong(table.currentSnapshot().summary().get("total-records"));
      System.out.printf(
          Locale.ROOT,
          "table: %,d rows, %d files, %s; %d hospitals x %d months%n",
          tableRows,
          files.size(),
          TextTable.bytes(tableBytes),
          hospitals,
          months);
      YearMonth month = YearMonth.of(2020, 1).plusMonths(months / 2);
      String pruned =
          "SELECT test_code, count(*) AS n, avg(value_numeric) AS mean FROM lab_results WHERE hospital_id = 'H003'"
              + " AND collected_at >= TIMESTAMP '"
              + month.atDay(1)
              + " 00:00:00' AND collected_at < TIMESTAMP '"
              + month.plusMonths(1).atDay(1)
              + " 00:00:00' GROUP BY test_code ORDER BY test_code";
      String full =
          "SELECT hospital_id, count(*) AS n, avg(value_numeric) AS mean, count(DISTINCT patient_key) AS patients"
              + " FROM lab_results GROUP BY hospital_id ORDER BY hospital_id";
      List<List<String>> report = new ArrayList<>();
      for (Map.Entry<String, String> query :
          Map.of("one hospital-month", pruned, "full table", full).entrySet()) {
        report.add(measure(home, lakehouse, files, tableBytes, query.getKey(), query.getValue()));
      }
      TextTable.print(
          System.out,
          List.of(
              "query",
              "medlake cold",
              "plain DuckDB",
              "ratio",
              "cached",
              "bytes scanned",
              "of table",
              "files"),
          report);
      System.out.println(
          "medlake cold = SQL guard + Iceberg planning + DuckDB over the planned files, cache miss; cached = same query again;"
              + " plain DuckDB = read_parquet over all files of the table; medians of "
              + REPEATS
              + " runs");
    }
  }

  private static List<String> measure(
      MedlakeHome home,
      Lakehouse lakehouse,
      List<String> files,
      long tableBytes,
      String name,
      String sql)
      throws Exception {
    SqlGuard guard = new SqlGuard(Set.of(LabResults.TABLE), SqlGuard.defaultFunctions());
    guard.check(sql);
    long[] cold = new long[REPEATS];
    long[] cached = new long[REPEATS];
    QueryResult result = null;
    // one service, as a server holds it; a new policy string per run makes every first run a cache
    // miss
    QueryService service =
        new QueryService(lakehouse, home.config().query(), new InProcessResultCache(100));
    for (int i = 0; i < REPEATS; i++) {
      long start = System.nanoTime();
      GuardedSql guarded = guard.check(sql);
      Map<String, List<PruningPredicate>> predicates = new HashMap<>();
      predicates.put(LabResults.TABLE, guarded.predicates());
      QueryRequest request =
          new QueryRequest(
              guarded.sql(), List.of(), guarded.tables(), predicates, Set.of(), AsOf.CURRENT);
      result =
          service.run(request, Role.ANALYST, "bench " + name + " " + i, UnaryOperator.identity());
      cold[i] = System.nanoTime() - start;
      start = System.nanoTime();
      QueryResult again =
          service.run(request, Role.ANALYST, "bench " + name + " " + i, UnaryOperator.identity());
      cached[i] = System.nanoTime() - start;
      if (!again.cached()) {
        throw new IllegalStateException("second run was not cached");
      }
    }
    long[] plain = new long[REPEATS];
    String source =
        "read_parquet("
            + files.stream().map(DuckDb::literal).collect(Collectors.joining(", ", "[", "]"))
            + ")";
    for (int i = 0; i < REPEATS; i++) {
      long start = System.nanoTime();
      try (Connection connection =
              DuckDb.open(
                  home.config().query().memoryLimit(),
                  home.config().query().threads(),
                  home.temporary());
          Statement statement = connection.createStatement();
          ResultSet rows =
              statement.executeQuery(sql.replace("FROM lab_results", "FROM " + source))) {
        while (rows.next()) {
          rows.getObject(1);
        }
      }
      plain[i] = System.nanoTime() - start;
    }
    double coldMs = median(cold) / 1e6;
    double plainMs = median(plain) / 1e6;
    return List.of(
        name,
        String.format(Locale.ROOT, "%.1f ms", coldMs),
        String.format(Locale.ROOT, "%.1f ms", plainMs),
        String.format(Locale.ROOT, "%.2f", coldMs / plainMs),
        String.format(Locale.ROOT, "%.3f ms", median(cached) / 1e6),
        TextTable.bytes(result.bytesScanned()),
        String.format(
            Locale.ROOT, "1/%.0f", (double) tableBytes / Math.max(1, result.bytesScanned())),
        String.valueOf(result.filesScanned()));
  }

  private static long median(long[] values) {
    long[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }

  /**
   * One Parquet file per hospital-month, written by DuckDB as ingestion writes them, registered in
   * one commit.
   */
  private static void build(MedlakeHome home, Table table, long rows, int hospitals, int months)
      throws Exception {
    long perFile = Math.max(1, rows / ((long) hospitals * months));
    AppendFiles append = table.newAppend();
    StatusLine status = new StatusLine(System.err);
    try (Connection connection = DuckDb.open("2GB", 2, home.temporary());
        Statement statement = connection.createStatement()) {
      for (int h = 1; h <= hospitals; h++) {
        String hospital = String.format(Locale.ROOT, "H%03d", h);
        for (int m = 0; m < months; m++) {
          YearMonth month = YearMonth.of(2020, 1).plusMonths(m);
          Path file =
              home.warehouse().resolve("bench").resolve(hospital + "-" + month + ".parquet");
          Files.createDirectories(file.getParent());
          statement.execute(
              "COPY ("
                  + syntheticRows(hospital, month, perFile)
                  + ") TO "
                  + DuckDb.literal(file.toString())
                  + " (FORMAT parquet, COMPRESSION zstd, FIELD_IDS "
                  + IcebergSchemas.duckDbFieldIds(LabResults.CONTRACT)
                  + ")");
          int ordinal = (month.getYear() - 1970) * 12 + month.getMonthValue() - 1;
          append.appendFile(
              DataFileRegistrar.register(
                  table, file, "collected_at_month=" + ordinal + "/hospital_id=" + hospital));
          status.update(
              "bench table",
              hospital + " " + month,
              ((h - 1) * months + m + 1.0) / (hospitals * months));
        }
      }
    }
    append.set("medlake.run-id", "bench").commit();
    status.done();
  }

  private static String syntheticRows(String hospital, YearMonth month, long rows) {
    return """
        SELECT '%1$s' AS hospital_id, 'p%1$s' || (hash(i) %% 5000) AS patient_key, 'e%1$s%2$s' || (i // 4) AS encounter_key,
          ['718-7', '2345-7', '2160-0', '2951-2', '2823-3', '1742-6', '6690-2', '777-3'][1 + (i %% 8)] AS test_code,
          ['Hemoglobin', 'Glucose', 'Creatinine', 'Sodium', 'Potassium', 'ALT', 'Leukocytes', 'Platelets'][1 + (i %% 8)] AS test_name,
          'serum' AS specimen, round(5 + (hash(i * 7) %% 1000) / 10.0, 1) AS value_numeric, NULL::VARCHAR AS value_comparator,
          NULL::VARCHAR AS value_text, 'mg/dL' AS unit, 10.0 AS ref_low, 90.0 AS ref_high,
          CASE WHEN hash(i * 3) %% 10 = 0 THEN 'H' ELSE 'N' END AS abnormal_flag,
          TIMESTAMP '%2$s-01 06:00:00' + INTERVAL (i %% 27) DAY + INTERVAL (i %% 600) MINUTE AS collected_at,
          TIMESTAMP '%2$s-01 09:00:00' + INTERVAL (i %% 27) DAY AS resulted_at,
          CASE WHEN i %% 2 = 0 THEN 'F' ELSE 'M' END AS patient_sex, (1930 + hash(i) %% 80)::INTEGER AS patient_birth_year,
          'bench' AS source_id, 'bench.csv' AS source_file, 'bench' AS ingest_run_id,
          'number' AS value_kind, NULL::DOUBLE AS value_low, NULL::DOUBLE AS value_high, NULL::DOUBLE AS value_titer,
          NULL::DOUBLE AS value_ordinal, NULL::VARCHAR AS local_code, NULL::VARCHAR AS local_name, NULL::DOUBLE AS value_canonical,
          NULL::VARCHAR AS unit_canonical, NULL::VARCHAR AS unit_status, NULL::VARCHAR AS delta_flag
        FROM range(%3$d) t(i) ORDER BY test_code, collected_at
        """
        .formatted(hospital, month, rows);
  }
}
