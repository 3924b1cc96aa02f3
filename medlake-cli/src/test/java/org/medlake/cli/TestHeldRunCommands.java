package org.medlake.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.core.config.MedlakeHome;
import org.medlake.platform.store.AuditAction;
import org.medlake.platform.store.AuditEvent;
import org.medlake.platform.store.AuditOutcome;
import org.medlake.platform.store.AuditQuery;
import org.medlake.platform.store.PlatformDatabase;
import org.medlake.testkit.GlucoseSource;

/**
 * A held delivery fails {@code medlake ingest} with one line; {@code medlake runs approve} commits
 * it and is audited.
 */
class TestHeldRunCommands {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path directory;

  @Test
  void aHeldDeliveryExitsWithOneAndAnApprovalCommitsIt() throws Exception {
    Path home = directory.resolve("home");
    Path sources = MedlakeHome.open(home).sources();
    Files.writeString(sources.resolve("h009.yaml"), GlucoseSource.MAPPING);
    Path month = directory.resolve("landing").resolve("h009").resolve("2024-01");
    Files.createDirectories(month);
    Files.writeString(month.resolve("first.csv"), rows(1, 10));
    assertThat(Cli.run(home, "ingest", month.resolve("first.csv").toString()).exitCode()).isZero();

    Files.writeString(month.resolve("smaller.csv"), rows(50, 2));
    Cli.Result held = Cli.run(home, "ingest", "--json", month.resolve("smaller.csv").toString());
    assertThat(held.exitCode()).isEqualTo(1);
    JsonNode run = JSON.readTree(held.out()).get(0);
    String heldId = run.get("id").asText();
    assertThat(run.get("status").asText()).isEqualTo("HELD");
    assertThat(held.err())
        .contains(
            "medlake: "
                + run.get("source_file").asText()
                + ": held: 2 rows accepted would replace 10 stored rows"
                + " of H009/2024-01 (20.0 %, less than ingest.hold.min-kept-share 50.0 %); fix the mapping and re-run, or medlake runs approve "
                + heldId
                + "\n");

    Cli.Result listed = Cli.run(home, "runs");
    assertThat(listed.out())
        .contains("HELD")
        .contains("flagged")
        .contains("unmapped codes")
        .contains("held: 2 rows accepted");

    Cli.Result approved = Cli.run(home, "runs", "approve", "--json", heldId);
    assertThat(approved.exitCode()).as(approved.err()).isZero();
    JsonNode committed = JSON.readTree(approved.out());
    assertThat(committed.get("status").asText()).isEqualTo("SUCCEEDED");
    assertThat(committed.get("rows_accepted").asLong()).isEqualTo(2);
    assertThat(committed.get("message").asText())
        .startsWith("approved by cli:")
        .endsWith("(held as " + heldId + ")");
    JsonNode runs = JSON.readTree(Cli.run(home, "runs", "--json").out());
    for (JsonNode each : runs) {
      if (each.get("id").asText().equals(heldId)) {
        assertThat(each.get("superseded_by").asText()).isEqualTo(committed.get("id").asText());
      }
    }
    Cli.Result again = Cli.run(home, "runs", "approve", heldId);
    assertThat(again.exitCode()).isEqualTo(2);
    assertThat(again.err())
        .contains(
            "medlake: error: Run "
                + heldId
                + " is no longer held: superseded by "
                + committed.get("id").asText());

    try (PlatformDatabase platform = PlatformDatabase.open(MedlakeHome.open(home))) {
      var events = platform.audit().search(AuditQuery.builder().action(AuditAction.ADMIN).build());
      assertThat(events)
          .extracting(AuditEvent::outcome)
          .containsExactlyInAnyOrder(AuditOutcome.OK, AuditOutcome.REFUSED);
      assertThat(events)
          .allSatisfy(
              event -> {
                assertThat(event.target()).contains("approve run " + heldId);
                assertThat(event.actor()).startsWith("cli:");
              });
    }
  }

  private static String rows(int first, int count) {
    return GlucoseSource.csv(first, count);
  }
}
