package org.medlake.lake;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.YearMonth;
import org.apache.iceberg.Metrics;
import org.apache.iceberg.MetricsConfig;
import org.apache.iceberg.Table;
import org.apache.iceberg.parquet.ParquetUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.core.config.MedlakeHome;

/**
 * The registrar's footer metrics, read with shared options, are Iceberg's own for the same file.
 */
class TestDataFileRegistrar {
  @TempDir Path directory;

  @Test
  void footerMetricsAreIcebergsFileMetrics() throws Exception {
    MedlakeHome home = MedlakeHome.open(directory.resolve("home"));
    try (Lakehouse lakehouse = Lakehouse.open(home)) {
      Path file =
          LocalFileIO.file(
                  LabResultFiles.append(home, lakehouse, "H001", YearMonth.of(2024, 1), 500, 40))
              .toPath();
      Table table = lakehouse.labResults();
      MetricsConfig config = MetricsConfig.forTable(table);

      Metrics shared = DataFileRegistrar.metrics(file, config);
      Metrics iceberg =
          ParquetUtil.fileMetrics(org.apache.iceberg.Files.localInput(file.toFile()), config);

      assertThat(shared.recordCount()).isEqualTo(iceberg.recordCount()).isEqualTo(500);
      assertThat(shared.columnSizes()).isEqualTo(iceberg.columnSizes());
      assertThat(shared.valueCounts()).isEqualTo(iceberg.valueCounts());
      assertThat(shared.nullValueCounts()).isEqualTo(iceberg.nullValueCounts()).isNotEmpty();
      assertThat(shared.nanValueCounts()).isEqualTo(iceberg.nanValueCounts());
      assertThat(shared.lowerBounds()).isEqualTo(iceberg.lowerBounds()).isNotEmpty();
      assertThat(shared.upperBounds()).isEqualTo(iceberg.upperBounds()).isNotEmpty();
    }
  }
}
