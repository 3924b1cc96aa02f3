package org.medlake.query;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.YearMonth;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.core.config.MedlakeHome;
import org.medlake.core.security.Role;
import org.medlake.lake.Lakehouse;
import org.medlake.lake.TableSummary;
import org.medlake.query.catalog.CatalogService;

/**
 * Summaries and coverage are remembered per table version: a commit is seen at once, or after the
 * refresh interval.
 */
class TestCatalogVersions {
  @Test
  void aCommitChangesTheAnswerAndNothingElseDoes(@TempDir Path directory) throws Exception {
    MedlakeHome home = MedlakeHome.open(directory.resolve("home"));
    try (Lakehouse lakehouse = Lakehouse.open(home)) {
      LakeFixture.append(home, lakehouse, "H001", YearMonth.of(2024, 1), 100, 10);
      CatalogService current = new CatalogService(lakehouse);
      CatalogService hourly = new CatalogService(lakehouse, Duration.ofHours(1));
      assertThat(rows(current)).isEqualTo(100);
      assertThat(rows(hourly)).isEqualTo(100);
      assertThat(current.partitions("lab_results", Role.VIEWER))
          .as("same version: the remembered coverage")
          .isSameAs(current.partitions("lab_results", Role.VIEWER));

      LakeFixture.append(home, lakehouse, "H002", YearMonth.of(2024, 2), 50, 5);
      assertThat(rows(current)).isEqualTo(150);
      assertThat(current.partitions("lab_results", Role.VIEWER))
          .extracting(CatalogService.Partition::hospitalId)
          .containsExactly("H001", "H002");
      assertThat(rows(hourly))
          .as("within its refresh interval a server may answer from the version it knows")
          .isEqualTo(100);
      assertThat(hourly.partitions("lab_results", Role.VIEWER)).hasSize(1);
    }
  }

  private static long rows(CatalogService catalog) {
    return catalog.tables(Role.VIEWER).stream().mapToLong(TableSummary::rows).sum();
  }
}
