package org.medlake.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code medlake sql}: admins read the rejects, every other role is told why not, nobody reaches
 * the link vault.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TestSqlRoles {
  private static final ObjectMapper JSON = new ObjectMapper();

  private Path home;
  private long rejected;

  @BeforeAll
  void ingestDirtyData(@TempDir Path directory) throws Exception {
    home = directory.resolve("home");
    Path landing = directory.resolve("landing");
    assertThat(
            Cli.run(
                    home,
                    "generate",
                    "--out",
                    landing.toString(),
                    "--hospitals",
                    "1",
                    "--months",
                    "1",
                    "--rows-per-file",
                    "400",
                    "--dirty-fraction",
                    "0.1",
                    "--seed",
                    "3")
                .exitCode())
        .isZero();
    Cli.Result ingest = Cli.run(home, "ingest", "--json", landing.toString());
    assertThat(ingest.exitCode()).as(ingest.err()).isZero();
    for (JsonNode run : JSON.readTree(ingest.out())) {
      rejected += run.get("rows_rejected").asLong();
    }
    assertThat(rejected).isPositive();
  }

  @Test
  void anAdminReadsTheRejects() throws Exception {
    Cli.Result admin =
        Cli.run(
            home,
            "sql",
            "--role",
            "admin",
            "--json",
            "SELECT count(*) AS n, count(DISTINCT line_number) AS lines FROM lab_results_rejects WHERE hospital_id = 'H001'");
    assertThat(admin.exitCode()).as(admin.err()).isZero();
    JsonNode row = JSON.readTree(admin.out()).get("rows").get(0);
    assertThat(row.get(0).asLong()).isEqualTo(rejected);
    assertThat(row.get(1).asLong()).isEqualTo(rejected);
  }

  @Test
  void otherRolesAreRefusedWithTheReason() {
    for (String query :
        new String[] {
          "SELECT raw_line FROM lab_results_rejects",
          "SELECT count(*) FROM lab_results l JOIN lab_results_rejects r USING (hospital_id)",
          "WITH r AS (SELECT * FROM lab_results_rejects) SELECT count(*) FROM r"
        }) {
      Cli.Result analyst = Cli.run(home, "sql", query);
      assertThat(analyst.exitCode()).as(query).isEqualTo(2);
      assertThat(analyst.err().strip())
          .isEqualTo(
              "medlake: error: Table 'lab_results_rejects' is readable by admins only, not by role analyst");
    }
    Cli.Result viewer =
        Cli.run(home, "sql", "--role", "viewer", "SELECT count(*) FROM lab_results_rejects");
    assertThat(viewer.exitCode()).isEqualTo(2);
    assertThat(viewer.err().strip())
        .isEqualTo("medlake: error: Ad-hoc SQL needs the analyst or admin role, not viewer");
  }

  @Test
  void theLinkVaultIsOutOfEverybodysReach() {
    String vault = home.resolve("vault.db").toString();
    for (String query :
        new String[] {
          "SELECT * FROM id_links",
          "SELECT * FROM '" + vault + "'",
          "SELECT * FROM sqlite_scan('" + vault + "', 'id_links')",
          "SELECT * FROM read_text('" + vault + "')"
        }) {
      Cli.Result admin = Cli.run(home, "sql", "--role", "admin", query);
      assertThat(admin.exitCode()).as(query).isEqualTo(2);
      assertThat(admin.out()).isEmpty();
    }
    assertThat(Cli.run(home, "sql", "--role", "admin", "SELECT * FROM id_links").err().strip())
        .isEqualTo(
            "medlake: error: Table 'id_links' is not in the catalogue (allowed: lab_results, lab_results_rejects)");
  }
}
