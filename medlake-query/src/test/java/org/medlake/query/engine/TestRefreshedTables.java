package org.medlake.query.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.iceberg.Table;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.core.config.MedlakeHome;
import org.medlake.lake.LabResultFiles;
import org.medlake.lake.Lakehouse;

class TestRefreshedTables {
  @Test
  void aTableHandedOutStaysOnItsSnapshotWhenAnotherCallerRefreshes(@TempDir Path directory)
      throws Exception {
    MedlakeHome home = MedlakeHome.open(directory.resolve("home"));
    try (Lakehouse lakehouse = Lakehouse.open(home)) {
      LabResultFiles.append(home, lakehouse, "H001", YearMonth.of(2024, 1), 50, 10);
      RefreshedTables tables = new RefreshedTables(lakehouse, Duration.ZERO);
      Table planning = tables.table("lab_results");
      long first = planning.currentSnapshot().snapshotId();

      LabResultFiles.append(home, lakehouse, "H001", YearMonth.of(2024, 2), 50, 10);
      Table next = tables.table("lab_results");

      assertThat(next.currentSnapshot().snapshotId())
          .isEqualTo(lakehouse.labResults().currentSnapshot().snapshotId())
          .isNotEqualTo(first);
      assertThat(planning.currentSnapshot().snapshotId())
          .as("the table a query is planning with")
          .isEqualTo(first);
    }
  }

  @Test
  void concurrentCallersDuringCommitsNeverSeeATableGoBack(@TempDir Path directory)
      throws Exception {
    MedlakeHome home = MedlakeHome.open(directory.resolve("home"));
    try (Lakehouse lakehouse = Lakehouse.open(home)) {
      LabResultFiles.append(home, lakehouse, "H001", YearMonth.of(2023, 1), 20, 5);
      RefreshedTables tables = new RefreshedTables(lakehouse, Duration.ZERO);
      AtomicBoolean loading = new AtomicBoolean(true);
      ExecutorService readers = Executors.newFixedThreadPool(4);
      try {
        List<Future<Integer>> reads = new ArrayList<>();
        for (int thread = 0; thread < 4; thread++) {
          reads.add(
              readers.submit(
                  () -> {
                    long lastSequence = -1;
                    int count = 0;
                    while (loading.get() || count == 0) {
                      Table table = tables.table("lab_results");
                      long sequence = table.currentSnapshot().sequenceNumber();
                      assertThat(sequence)
                          .as("snapshot sequence seen by one caller")
                          .isGreaterThanOrEqualTo(lastSequence);
                      assertThat(table.snapshot(table.currentSnapshot().snapshotId())).isNotNull();
                      lastSequence = sequence;
                      count++;
                    }
                    return count;
                  }));
        }
        for (int month = 2; month <= 7; month++) {
          LabResultFiles.append(home, lakehouse, "H001", YearMonth.of(2023, month), 20, 5);
        }
        loading.set(false);
        for (Future<Integer> read : reads) {
          assertThat(read.get()).isPositive();
        }
      } finally {
        readers.shutdown();
      }
      assertThat(tables.table("lab_results").currentSnapshot().snapshotId())
          .isEqualTo(lakehouse.labResults().currentSnapshot().snapshotId());
    }
  }
}
