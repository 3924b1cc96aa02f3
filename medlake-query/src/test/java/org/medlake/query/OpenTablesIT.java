package org.medlake.query;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.core.config.MedlakeHome;
import org.medlake.core.security.Role;
import org.medlake.lake.BareLocationLake;
import org.medlake.lake.Lakehouse;
import org.medlake.query.cache.InProcessResultCache;
import org.medlake.query.engine.AsOf;
import org.medlake.query.engine.QueryResult;

/**
 * The embedded warehouse (SQLite catalog, local files) is open to other engines: a real Trino 476
 * with its native local file system (no Hadoop) reads it through the same catalog database and
 * returns medlake's answers for the same snapshot. The lake was first written with bare paths (as
 * medlake wrote until issue 20), migrated on open, then appended to: migrated and new files alike.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenTablesIT {
  private static final List<String> QUERIES =
      List.of(
          "SELECT hospital_id, count(*) AS n, count(DISTINCT patient_key) AS patients,"
              + " round(sum(value_numeric), 3) AS total FROM lab_results GROUP BY hospital_id ORDER BY hospital_id",
          "SELECT test_code, year(collected_at) * 100 + month(collected_at) AS month, count(*) AS n,"
              + " min(value_numeric) AS low, max(value_numeric) AS high FROM lab_results"
              + " GROUP BY 1, 2 ORDER BY 1, 2",
          "SELECT abnormal_flag, count(*) AS n FROM lab_results WHERE hospital_id = 'H1'"
              + " GROUP BY abnormal_flag ORDER BY abnormal_flag");

  private TrinoServer trino;
  private MedlakeHome home;
  private Lakehouse lakehouse;
  private QueryService medlake;
  private long migratedSnapshot;

  @BeforeAll
  void start(@TempDir Path directory) throws Exception {
    home = MedlakeHome.open(directory.resolve("home"));
    BareLocationLake.write(home, 2);
    lakehouse = Lakehouse.open(home);
    migratedSnapshot = lakehouse.labResults().currentSnapshot().snapshotId();
    LakeFixture.append(home, lakehouse, "H3", YearMonth.of(2024, 3), 250, 30);
    medlake = new QueryService(lakehouse, home.config().query(), new InProcessResultCache(100));
    Path sqliteDriver =
        Path.of(
            Class.forName("org.sqlite.JDBC")
                .getProtectionDomain()
                .getCodeSource()
                .getLocation()
                .toURI());
    trino =
        TrinoServer.start(
            directory.resolve("trino"),
            Map.ofEntries(
                Map.entry("iceberg.catalog.type", "jdbc"),
                Map.entry("iceberg.jdbc-catalog.catalog-name", home.config().catalog().name()),
                Map.entry("iceberg.jdbc-catalog.driver-class", "org.sqlite.JDBC"),
                Map.entry(
                    "iceberg.jdbc-catalog.connection-url", "jdbc:sqlite:" + home.catalogDatabase()),
                Map.entry(
                    "iceberg.jdbc-catalog.default-warehouse-dir",
                    home.warehouse().toUri().toString()),
                // Trino's own local file system, the one that refuses bare paths; the legacy
                // Hadoop file system stays off
                Map.entry("fs.native-local.enabled", "true"),
                Map.entry("local.location", "/")),
            List.of(sqliteDriver));
  }

  @AfterAll
  void stop() throws Exception {
    for (AutoCloseable resource : new AutoCloseable[] {lakehouse, trino}) {
      if (resource != null) {
        resource.close();
      }
    }
  }

  @Test
  void trinoReadsTheEmbeddedWarehouseAndAgreesWithMedlake() throws Exception {
    long current = lakehouse.labResults().currentSnapshot().snapshotId();
    for (String sql : QUERIES) {
      List<List<Object>> expected = medlake(sql, AsOf.snapshot(current));
      assertThat(
              trino(
                  sql.replace("FROM lab_results", "FROM lab_results FOR VERSION AS OF " + current)))
          .as(sql)
          .isEqualTo(expected)
          .isNotEmpty();
    }
    // every row: the migrated hospital-months (2 hospitals x 2 months) and the one appended after
    assertThat(trino("SELECT count(*) FROM lab_results"))
        .containsExactly(List.of(4L * BareLocationLake.ROWS + 250L));
  }

  @Test
  void theMigratedSnapshotReadsInTrinoAsInMedlake() throws Exception {
    String sql = QUERIES.get(0);
    assertThat(
            trino(
                sql.replace(
                    "FROM lab_results", "FROM lab_results FOR VERSION AS OF " + migratedSnapshot)))
        .isEqualTo(medlake(sql, AsOf.snapshot(migratedSnapshot)))
        .hasSize(2);
  }

  private List<List<Object>> medlake(String sql, AsOf asOf) {
    QueryResult result =
        medlake.run(
            QueryService.sqlRequest(sql, Role.ANALYST, asOf),
            Role.ANALYST,
            "analyst",
            UnaryOperator.identity());
    List<List<Object>> rows = new ArrayList<>();
    for (List<Object> row : result.table().rows()) {
      rows.add(row.stream().map(OpenTablesIT::comparable).toList());
    }
    return rows;
  }

  private List<List<Object>> trino(String sql) throws Exception {
    List<List<Object>> rows = new ArrayList<>();
    try (Connection connection =
            DriverManager.getConnection(trino.jdbcUrl("medlake"), "medlake", null);
        Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery(sql)) {
      ResultSetMetaData columns = result.getMetaData();
      while (result.next()) {
        List<Object> row = new ArrayList<>();
        for (int i = 1; i <= columns.getColumnCount(); i++) {
          row.add(comparable(result.getObject(i)));
        }
        rows.add(row);
      }
    }
    return rows;
  }

  /** Numbers as longs or doubles, whichever engine's type they came in. */
  private static Object comparable(Object value) {
    if (value instanceof Integer || value instanceof Long || value instanceof Short) {
      return ((Number) value).longValue();
    }
    if (value instanceof java.math.BigInteger big) {
      return big.longValue();
    }
    if (value instanceof Number number) {
      return number.doubleValue();
    }
    return value;
  }
}
