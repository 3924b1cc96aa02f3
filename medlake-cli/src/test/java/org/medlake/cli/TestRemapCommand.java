package org.medlake.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.core.config.MedlakeHome;
import org.medlake.platform.store.AuditAction;
import org.medlake.platform.store.AuditEvent;
import org.medlake.platform.store.AuditQuery;
import org.medlake.platform.store.PlatformDatabase;

/**
 * {@code medlake remap}: its lines, exit codes, the snapshot it lists under and its audit record.
 */
class TestRemapCommand {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path directory;

  @Test
  void fillsTheCodesAndSaysWhatItDid() throws Exception {
    Path home = directory.resolve("home");
    Path sources = Files.createDirectories(home.resolve("sources"));
    Files.writeString(
        sources.resolve("h007.yaml"),
        """
        hospital-id: H007
        rules: {disabled: [collected-at-in-month]}
        columns: {patient-id: pid, local-code: item, local-name: label, result: value, collected-at: drawn}
        code-lookup: {dictionary: h007-items.csv}
        """);
    Files.writeString(
        sources.resolve("h007-items.csv"), "local_code,test_code,test_name\nK1,2823-3,Potassium\n");
    Path file =
        Files.createDirectories(directory.resolve("landing/h007/2024-01")).resolve("items.csv");
    Files.writeString(
        file,
        """
        pid,item,label,value,drawn
        P1,K1,K+,4.2,2024-01-15 08:30:00
        P2,Z9,New assay,12,2024-01-16 08:30:00
        P3,Z9,New assay,13,2024-01-17 08:30:00
        P4,U8,Crystals,FEW,2024-01-18 08:30:00
        """);
    Cli.Result ingest = Cli.run(home, "ingest", file.toString());
    assertThat(ingest.exitCode()).as(ingest.err()).isZero();

    Cli.Result nothing = Cli.run(home, "remap", "h007");
    assertThat(nothing.exitCode()).as(nothing.err()).isZero();
    assertThat(nothing.out())
        .isEqualTo(
            "remap h007: nothing to do: no stored row of h007 without a standard code has a local code that"
                + " h007-items.csv maps to a valid code"
                + System.lineSeparator());

    Files.writeString(
        sources.resolve("h007-items.csv"),
        "local_code,test_code,test_name\nK1,2823-3,Potassium\nZ9,1920-8,AST\nU8,6768-5,ALP\n");
    Cli.Result dryRun = Cli.run(home, "remap", "h007", "--dry-run");
    assertThat(dryRun.exitCode()).as(dryRun.err()).isZero();
    assertThat(dryRun.out())
        .endsWith(
            "remap h007 (dry run): would fill 2 rows of 1 local code in 1 file; nothing committed"
                + System.lineSeparator());
    assertThat(dryRun.err())
        .contains(
            "medlake: warning: h007-items.csv: local code 'U8' has test code '6768-5' with a wrong LOINC check digit;"
                + " not applied (1 stored row keeps no standard code)");

    Cli.Result remap = Cli.run(home, "remap", "h007", "--json");
    assertThat(remap.exitCode()).as(remap.err()).isZero();
    JsonNode report = JSON.readTree(remap.out());
    assertThat(report.get("rows_remapped").asLong()).isEqualTo(2);
    assertThat(report.get("codes").get(0).get("local_code").asText()).isEqualTo("Z9");
    assertThat(report.get("invalid_codes").get(0).get("local_code").asText()).isEqualTo("U8");
    String remapId = report.get("remap_id").asText();

    JsonNode snapshots = JSON.readTree(Cli.run(home, "snapshots", "lab_results", "--json").out());
    JsonNode last = snapshots.get(snapshots.size() - 1);
    assertThat(last.get("run_id").asText()).isEqualTo(remapId);
    assertThat(last.get("operation").asText()).isEqualTo("replace");
    assertThat(last.get("snapshot_id").asLong()).isEqualTo(report.get("snapshot_id").asLong());
    assertThat(
            JSON.readTree(
                    Cli.run(
                            home,
                            "sql",
                            "SELECT count(*) AS n FROM lab_results WHERE test_code = '1920-8'",
                            "--json")
                        .out())
                .get("rows")
                .get(0)
                .get(0)
                .asLong())
        .isEqualTo(2);

    assertThat(Cli.run(home, "remap", "h007").out()).startsWith("remap h007: nothing to do");
    try (PlatformDatabase platform = PlatformDatabase.open(MedlakeHome.open(home))) {
      List<AuditEvent> events =
          platform.audit().search(AuditQuery.builder().action(AuditAction.ADMIN).build());
      assertThat(events)
          .hasSize(3)
          .allSatisfy(event -> assertThat(event.target()).contains("remap h007"));
      assertThat(
              events.stream()
                  .filter(event -> remapId.equals(event.details().get("remap_id")))
                  .findFirst()
                  .orElseThrow()
                  .details())
          .containsEntry("rows_remapped", 2L);
    }
  }
}
