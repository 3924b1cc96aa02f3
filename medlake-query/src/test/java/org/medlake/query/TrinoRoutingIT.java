package org.medlake.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.YearMonth;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.core.config.MedlakeHome;
import org.medlake.core.config.QueryConfig;
import org.medlake.core.config.QueryEngineConfig;
import org.medlake.core.error.MedlakeException;
import org.medlake.core.security.Role;
import org.medlake.lake.Lakehouse;
import org.medlake.query.cache.InProcessResultCache;
import org.medlake.query.engine.AsOf;
import org.medlake.query.engine.QueryRequest;
import org.medlake.query.engine.QueryResult;
import org.medlake.query.plan.PruningPredicate;
import org.medlake.query.plan.PruningPredicate.Operator;
import org.medlake.testkit.PostgresServer;
import org.medlake.testkit.S3Server;

/**
 * Query routing to a real Trino that reads the same Iceberg tables (PostgreSQL JDBC catalog, S3
 * warehouse on s3proxy): the routed answers equal the embedded engine's, and planning, budgets and
 * the cache stay in medlake.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TrinoRoutingIT {
  private S3Server s3;
  private PostgresServer postgres;
  private TrinoServer trino;
  private MedlakeHome home;
  private Lakehouse lakehouse;
  private QueryService embedded;
  private QueryService routed;

  @BeforeAll
  void start(@TempDir Path directory) throws Exception {
    s3 = S3Server.start(directory.resolve("s3"), "lake");
    postgres = PostgresServer.start();
    String catalogUrl = postgres.createDatabase("catalog");
    Path root = directory.resolve("home");
    Files.createDirectories(root);
    Files.writeString(
        root.resolve("medlake.yaml"),
        """
        catalog:
          warehouse: s3://lake/warehouse
          jdbc-url: %s
          jdbc-user: %s
          s3:
            endpoint: %s
            path-style-access: true
        """
            .formatted(catalogUrl, PostgresServer.USER, s3.endpoint()));
    home = MedlakeHome.open(root);
    lakehouse = Lakehouse.open(home);
    LakeFixture.append(home, lakehouse, "H001", YearMonth.of(2024, 1), 300, 40);
    LakeFixture.append(home, lakehouse, "H001", YearMonth.of(2024, 2), 200, 40);
    LakeFixture.append(home, lakehouse, "H002", YearMonth.of(2024, 1), 100, 10);

    trino =
        TrinoServer.start(
            directory.resolve("trino"),
            Map.ofEntries(
                Map.entry("iceberg.catalog.type", "jdbc"),
                Map.entry("iceberg.jdbc-catalog.catalog-name", home.config().catalog().name()),
                Map.entry("iceberg.jdbc-catalog.driver-class", "org.postgresql.Driver"),
                Map.entry("iceberg.jdbc-catalog.connection-url", catalogUrl),
                Map.entry("iceberg.jdbc-catalog.connection-user", PostgresServer.USER),
                Map.entry("iceberg.jdbc-catalog.connection-password", "unused"),
                Map.entry("iceberg.jdbc-catalog.default-warehouse-dir", "s3://lake/warehouse"),
                Map.entry("fs.native-s3.enabled", "true"),
                Map.entry("s3.endpoint", s3.endpoint()),
                Map.entry("s3.region", "us-east-1"),
                Map.entry("s3.path-style-access", "true"),
                Map.entry("s3.aws-access-key", S3Server.ACCESS_KEY),
                Map.entry("s3.aws-secret-key", S3Server.SECRET_KEY)));

    QueryConfig defaults = home.config().query();
    QueryConfig jdbc =
        new QueryConfig(
            defaults.pricePerTerabyte(),
            defaults.maxRows(),
            defaults.timeoutSeconds(),
            defaults.memoryLimit(),
            defaults.threads(),
            defaults.fullScanBytes(),
            defaults.minimumCellPatients(),
            defaults.cacheEntries(),
            defaults.budgets(),
            defaults.redisUrl(),
            defaults.cacheTtlSeconds(),
            defaults.exportRows(),
            defaults.fileCacheBytes(),
            new QueryEngineConfig(
                QueryEngineConfig.Kind.JDBC,
                Optional.of(trino.jdbcUrl("medlake")),
                Optional.of("medlake")));
    embedded = new QueryService(lakehouse, defaults, new InProcessResultCache(100));
    routed = new QueryService(lakehouse, jdbc, new InProcessResultCache(100));
  }

  @AfterAll
  void stop() throws Exception {
    for (AutoCloseable resource : new AutoCloseable[] {lakehouse, trino, postgres, s3}) {
      if (resource != null) {
        resource.close();
      }
    }
  }

  @Test
  void routedAnswersEqualTheEmbeddedEngines() {
    for (String sql :
        List.of(
            "SELECT hospital_id, count(*) AS n, count(DISTINCT patient_key) AS patients FROM lab_results GROUP BY hospital_id ORDER BY hospital_id",
            "SELECT test_code, count(*) AS n, min(value_numeric) AS low, max(value_numeric) AS high FROM lab_results"
                + " WHERE hospital_id = 'H001' GROUP BY test_code ORDER BY test_code")) {
      QueryResult local =
          embedded.run(
              QueryService.sqlRequest(sql, Role.ANALYST, AsOf.CURRENT),
              Role.ANALYST,
              "analyst",
              UnaryOperator.identity());
      QueryResult remote =
          routed.run(
              QueryService.sqlRequest(sql, Role.ANALYST, AsOf.CURRENT),
              Role.ANALYST,
              "analyst",
              UnaryOperator.identity());
      assertThat(remote.table().rows()).as(sql).isEqualTo(local.table().rows()).isNotEmpty();
      assertThat(remote.filesScanned()).isEqualTo(local.filesScanned());
      assertThat(remote.snapshotIds()).isEqualTo(local.snapshotIds());
      assertThat(remote.cached()).isFalse();
    }
    assertThat(
            embedded
                .run(
                    QueryService.sqlRequest(
                        "SELECT count(*) AS n FROM lab_results", Role.ANALYST, AsOf.CURRENT),
                    Role.ANALYST,
                    "analyst",
                    UnaryOperator.identity())
                .table()
                .rows())
        .containsExactly(List.of(600L));
  }

  @Test
  void boundParametersAndPruningTravelWithTheQuery() {
    QueryRequest request =
        new QueryRequest(
            "SELECT count(*) AS n FROM lab_results WHERE hospital_id = ? AND test_code = ?",
            List.of("H001", "718-7"),
            Set.of("lab_results"),
            Map.of(
                "lab_results",
                List.of(new PruningPredicate("hospital_id", Operator.EQUAL, List.of("H001")))),
            Set.of(),
            AsOf.CURRENT);
    QueryResult result = routed.run(request, Role.ANALYST, "analyst", UnaryOperator.identity());
    // i % 3 == 0 over 300 and 200 rows
    assertThat(result.table().rows()).containsExactly(List.of(167L));
    assertThat(result.filesScanned()).isEqualTo(2);
    assertThat(routed.run(request, Role.ANALYST, "analyst", UnaryOperator.identity()).cached())
        .isTrue();
  }

  @Test
  void snapshotQueriesAndEngineErrorsAreOneLineRefusals() {
    long first = lakehouse.labResults().snapshots().iterator().next().snapshotId();
    assertThatThrownBy(
            () ->
                routed.run(
                    QueryService.sqlRequest(
                        "SELECT count(*) AS n FROM lab_results",
                        Role.ANALYST,
                        AsOf.snapshot(first)),
                    Role.ANALYST,
                    "analyst",
                    UnaryOperator.identity()))
        .isInstanceOf(MedlakeException.class)
        .hasMessageStartingWith("Queries as of a snapshot or time are not routed to jdbc:trino://");
    // valid for DuckDB, unknown to Trino: the engine's error, on one line, naming the endpoint
    assertThatThrownBy(
            () ->
                routed.run(
                    QueryService.sqlRequest(
                        "SELECT median(value_numeric) AS m FROM lab_results",
                        Role.ANALYST,
                        AsOf.CURRENT),
                    Role.ANALYST,
                    "analyst",
                    UnaryOperator.identity()))
        .isInstanceOf(MedlakeException.class)
        .hasMessageStartingWith("Query failed on jdbc:trino://")
        .hasMessageContaining("median")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
  }
}
