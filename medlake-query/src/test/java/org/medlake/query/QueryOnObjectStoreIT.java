package org.medlake.query;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.YearMonth;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.core.config.MedlakeHome;
import org.medlake.core.security.Role;
import org.medlake.lake.Lakehouse;
import org.medlake.query.cache.InProcessResultCache;
import org.medlake.query.engine.AsOf;
import org.medlake.query.engine.QueryResult;
import org.medlake.testkit.S3Server;

/**
 * Guarded SQL over tables in an S3-compatible object store (s3proxy on loopback), read through the
 * local file cache.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class QueryOnObjectStoreIT {
  private S3Server s3;
  private Lakehouse lakehouse;
  private QueryService service;
  private Path cacheDirectory;

  @BeforeAll
  void lake(@TempDir Path directory) throws Exception {
    s3 = S3Server.start(directory.resolve("s3"), "lake");
    Path root = directory.resolve("home");
    Files.createDirectories(root);
    // a cache smaller than the two H001 files together: the second query must evict and download
    // again
    Files.writeString(
        root.resolve("medlake.yaml"),
        """
        catalog:
          warehouse: s3://lake/warehouse
          s3:
            endpoint: %s
            path-style-access: true
        query:
          file-cache-size: 1B
        """
            .formatted(s3.endpoint()));
    MedlakeHome home = MedlakeHome.open(root);
    lakehouse = Lakehouse.open(home);
    LakeFixture.append(home, lakehouse, "H001", YearMonth.of(2024, 1), 300, 40);
    LakeFixture.append(home, lakehouse, "H001", YearMonth.of(2024, 2), 200, 40);
    LakeFixture.append(home, lakehouse, "H002", YearMonth.of(2024, 1), 100, 10);
    service = new QueryService(lakehouse, home.config().query(), new InProcessResultCache(100));
    cacheDirectory = lakehouse.warehouse().readableDirectories().get(0);
  }

  @AfterAll
  void close() throws Exception {
    lakehouse.close();
    s3.close();
  }

  @Test
  void sqlOverObjectStoreTablesIsPrunedAndRight() {
    QueryResult h001 =
        service.run(
            QueryService.sqlRequest(
                "SELECT hospital_id, count(*) AS n, count(DISTINCT patient_key) AS patients FROM lab_results WHERE hospital_id = 'H001' GROUP BY hospital_id",
                Role.ANALYST,
                AsOf.CURRENT),
            Role.ANALYST,
            "analyst",
            UnaryOperator.identity());
    assertThat(h001.table().rows()).containsExactly(List.of("H001", 500L, 40L));
    assertThat(h001.filesScanned()).isEqualTo(2);

    QueryResult all =
        service.run(
            QueryService.sqlRequest(
                "SELECT test_code, count(*) AS n FROM lab_results GROUP BY test_code ORDER BY test_code",
                Role.ANALYST,
                AsOf.CURRENT),
            Role.ANALYST,
            "analyst",
            UnaryOperator.identity());
    // test codes cycle by i % 3 over 300, 200 and 100 rows: 718-7 gets 100 + 67 + 34, 2160-0 gets
    // 100 + 66 + 33
    assertThat(all.table().rows())
        .containsExactly(List.of("2160-0", 199L), List.of("2345-7", 200L), List.of("718-7", 201L));
    assertThat(all.filesScanned()).isEqualTo(3);
    // leases ended with the queries; the 1-byte bound left no copy behind
    assertThat(cacheDirectory).isEmptyDirectory();
  }
}
