package org.medlake.ingest.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.medlake.core.config.HoldConfig;
import org.medlake.core.ledger.IngestRun;
import org.medlake.core.ledger.RunStatus;

/** Which runs the fail-safe holds, and the one line it says. */
class TestRunHold {
  private static final RunHold DEFAULTS = new RunHold(HoldConfig.defaults());
  private static final String ADVICE =
      "; fix the mapping and re-run, or medlake runs approve run-1";

  @Test
  void aFileThatKeepsNothingIsHeld() {
    assertThat(DEFAULTS.reason(run(1_234, 0, 0), 10_000))
        .contains(
            "held: 0 of 1,234 rows accepted (would replace 10,000 stored rows of H001/2024-03)"
                + ADVICE);
    assertThat(DEFAULTS.reason(run(5, 0, 0), 0)).contains("held: 0 of 5 rows accepted" + ADVICE);
    assertThat(DEFAULTS.reason(run(0, 0, 40), 0))
        .contains("held: 0 rows accepted: the row filter dropped all 40 rows" + ADVICE);
    assertThat(DEFAULTS.reason(run(0, 0, 0), 7))
        .contains(
            "held: the file has no rows (would replace 7 stored rows of H001/2024-03)" + ADVICE);
    // an empty file for an empty month wipes nothing
    assertThat(DEFAULTS.reason(run(0, 0, 0), 0)).isEmpty();
  }

  @Test
  void moreThanTheShareRejectedIsHeld() {
    assertThat(DEFAULTS.reason(run(1_000, 300, 0), 0))
        .contains(
            "held: 700 of 1,000 rows rejected (70.0 %, more than ingest.hold.max-rejected-share 50.0 %)"
                + ADVICE);
    assertThat(DEFAULTS.reason(run(1_000, 500, 0), 0)).isEmpty();
    assertThat(new RunHold(new HoldConfig(true, 1, 0.5)).reason(run(1_000, 1, 0), 0)).isEmpty();
  }

  @Test
  void aReplacementKeepingLessThanTheShareIsHeld() {
    assertThat(DEFAULTS.reason(run(300, 300, 0), 10_000))
        .contains(
            "held: 300 rows accepted would replace 10,000 stored rows of H001/2024-03 (3.0 %, less than"
                + " ingest.hold.min-kept-share 50.0 %)"
                + ADVICE);
    assertThat(DEFAULTS.reason(run(5_000, 5_000, 0), 10_000)).isEmpty();
    assertThat(new RunHold(new HoldConfig(true, 0.5, 0)).reason(run(1, 1, 0), 10_000)).isEmpty();
  }

  @Test
  void switchedOffItHoldsNothing() {
    assertThat(new RunHold(new HoldConfig(false, 0.5, 0.5)).reason(run(1_234, 0, 0), 10_000))
        .isEmpty();
  }

  private static IngestRun run(long read, long accepted, long filtered) {
    return new IngestRun(
        "run-1",
        "landing/h001/2024-03/a.csv",
        "h001",
        "abc",
        "H001",
        "2024-03",
        RunStatus.SUCCEEDED,
        Instant.EPOCH,
        read,
        accepted,
        read - accepted,
        filtered,
        Map.of(),
        0,
        0,
        0,
        null,
        "");
  }
}
