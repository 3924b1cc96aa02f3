package org.medlake.lake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.core.config.MedlakeHome;
import org.medlake.core.error.MedlakeException;
import org.medlake.testkit.PostgresServer;

/**
 * The catalog database stopped under an open lakehouse: one line naming the database and the
 * operation (docs/reliability.md).
 */
class CatalogOutageIT {
  @Test
  void aStoppedCatalogDatabaseIsNamedWithTheOperation(@TempDir Path directory) throws Exception {
    try (PostgresServer postgres = PostgresServer.start()) {
      String url = postgres.createDatabase("outage");
      Files.writeString(
          directory.resolve("medlake.yaml"),
          """
          catalog:
            jdbc-url: %s?ApplicationName=medlake
            jdbc-user: %s
          """
              .formatted(url, PostgresServer.USER));
      try (Lakehouse lake = Lakehouse.open(MedlakeHome.open(directory))) {
        assertThat(lake.labResults().name()).endsWith("lab_results");
        postgres.stopServer();
        assertThatThrownBy(lake::labResults)
            .isInstanceOf(MedlakeException.class)
            .hasMessageStartingWith(
                "Cannot reach the catalog database "
                    + url
                    + " while loading table medlake.lab_results: ")
            .hasMessageNotContaining("ApplicationName");
        postgres.startServer();
      }
    }
  }
}
