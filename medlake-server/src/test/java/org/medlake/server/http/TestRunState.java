package org.medlake.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.medlake.core.ledger.IngestRun;
import org.medlake.core.ledger.RunStatus;

class TestRunState {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void everyStatusHasOneOfFourStatesAndOnlyFailedOnesAReason() {
    Map<RunStatus, String> expected =
        Map.of(
            RunStatus.QUEUED, "queued",
            RunStatus.RUNNING, "running",
            RunStatus.SUCCEEDED, "succeeded",
            RunStatus.DUPLICATE, "succeeded",
            RunStatus.FAILED, "failed",
            RunStatus.HELD, "failed");
    for (RunStatus status : RunStatus.values()) {
      RunState state = RunState.of(run(status, "why " + status));
      assertThat(state.state()).as(status.name()).isEqualTo(expected.get(status));
      assertThat(state.done())
          .as(status.name())
          .isEqualTo(status != RunStatus.QUEUED && status != RunStatus.RUNNING);
      assertThat(state.reason())
          .as(status.name())
          .isEqualTo(expected.get(status).equals("failed") ? "why " + status : null);
    }
  }

  @Test
  void aHeldRunIsWrittenAsFailedWithItsReason() throws Exception {
    JsonNode written =
        JSON.readTree(
            JSON.writeValueAsString(
                RunState.of(run(RunStatus.HELD, "held: 0 of 5 rows accepted"))));
    assertThat(written.get("run_id").asText()).isEqualTo("run-1");
    assertThat(written.get("status").asText()).isEqualTo("HELD");
    assertThat(written.get("state").asText()).isEqualTo("failed");
    assertThat(written.get("done").asBoolean()).isTrue();
    assertThat(written.get("reason").asText()).isEqualTo("held: 0 of 5 rows accepted");
    assertThat(written.get("snapshot_id").isNull()).isTrue();
    assertThat(written.get("superseded_by").isNull()).isTrue();
  }

  private static IngestRun run(RunStatus status, String message) {
    return new IngestRun(
        "run-1",
        "landing/h009/2024-01/a.csv",
        "h009",
        "0".repeat(64),
        "H009",
        "2024-01",
        status,
        Instant.parse("2024-02-01T00:00:00Z"),
        5,
        0,
        5,
        0,
        Map.of(),
        10,
        0,
        1,
        null,
        message);
  }
}
