package org.medlake.ingest.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.core.ledger.IngestRun;
import org.medlake.core.ledger.RunStatus;
import org.medlake.platform.store.RunLedger;

/**
 * A QUEUED run (an upload waiting on the server's queue) whose process ended is failed as an
 * interrupted RUNNING run is.
 */
class TestInterruptedQueuedRun {
  @TempDir Path directory;

  @Test
  void aQueuedRunOfAnEndedProcessIsInterrupted() throws Exception {
    Path database = directory.resolve("platform.db");
    IngestRun queued =
        new IngestRun(
            "run-1",
            "landing/h001/2024-01/upload-1.csv",
            "h001",
            "",
            "H001",
            "2024-01",
            RunStatus.QUEUED,
            Instant.parse("2024-02-01T00:00:00Z"),
            0,
            0,
            0,
            0,
            Map.of(),
            0,
            0,
            0,
            null,
            "");
    Process ended = new ProcessBuilder("true").start();
    ended.waitFor();
    Instant endedStart = ended.info().startInstant().orElse(Instant.EPOCH);
    try (RunLedger ledger = RunLedger.open(database)) {
      ledger.record(queued);
      // this process is alive: its queued run is left alone
      assertThat(ledger.interrupted()).isEmpty();
    }
    try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + database);
        PreparedStatement owner =
            connection.prepareStatement("UPDATE ingest_runs SET owner = ? WHERE id = ?")) {
      owner.setString(
          1,
          InetAddress.getLocalHost().getHostName().replace(' ', '_')
              + " "
              + ended.pid()
              + " "
              + endedStart);
      owner.setString(2, "run-1");
      assertThat(owner.executeUpdate()).isEqualTo(1);
    }
    try (RunLedger ledger = RunLedger.open(database)) {
      assertThat(ledger.interrupted())
          .singleElement()
          .satisfies(
              run -> {
                assertThat(run.id()).isEqualTo("run-1");
                assertThat(run.status()).isEqualTo(RunStatus.FAILED);
                assertThat(run.message())
                    .isEqualTo(
                        "interrupted: process "
                            + ended.pid()
                            + " on "
                            + InetAddress.getLocalHost().getHostName().replace(' ', '_')
                            + " ended before the run finished");
              });
    }
  }
}
