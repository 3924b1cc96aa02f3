package org.medlake.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.testkit.GlueServer;
import org.medlake.testkit.S3Server;

/**
 * The Terraform module's {@code catalog = "glue"} profile: the tables in the Glue Data Catalog (a
 * Glue API server on loopback), the warehouse in S3 (s3proxy). Messy deliveries ingest, answer
 * queries and report in {@code doctor} exactly as on the embedded JDBC catalog, and Glue points at
 * each table's current metadata, which is what Athena reads.
 */
class GlueProfileIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PER_HOSPITAL_AND_TEST =
      "SELECT hospital_id, test_code, unit, count(*) AS n, round(sum(value_numeric), 3) AS total"
          + " FROM lab_results GROUP BY ALL ORDER BY ALL";

  @TempDir Path directory;

  @Test
  void messyDeliveriesIngestAndAnswerAsOnTheEmbeddedCatalog() throws Exception {
    try (S3Server s3 = S3Server.start(directory.resolve("s3"), "lake");
        GlueServer glue = GlueServer.start()) {
      Path landing = directory.resolve("landing");
      Path embedded = directory.resolve("embedded");
      Path home = directory.resolve("glue-home");
      Files.createDirectories(home);
      Files.writeString(
          home.resolve("medlake.yaml"),
          """
          catalog:
            type: glue
            warehouse: s3://lake/warehouse
            glue-endpoint: %s
            s3:
              endpoint: %s
              path-style-access: true
              region: eu-central-1
          """
              .formatted(glue.endpoint(), s3.endpoint()));

      Cli.Result generate =
          Cli.run(
              home,
              "generate",
              "--out",
              landing.toString(),
              "--hospitals",
              "2",
              "--months",
              "2",
              "--rows-per-file",
              "600",
              "--dirty-fraction",
              "0.08",
              "--seed",
              "11");
      assertThat(generate.exitCode()).as(generate.err()).isZero();

      // the embedded home reads the files with the same source mappings
      Files.createDirectories(embedded.resolve("sources"));
      try (Stream<Path> mappings = Files.list(home.resolve("sources"))) {
        for (Path mapping : mappings.toList()) {
          Files.copy(mapping, embedded.resolve("sources").resolve(mapping.getFileName()));
        }
      }

      JsonNode runs = ingest(home, landing);
      JsonNode embeddedRuns = ingest(embedded, landing);
      // every record the generator wrote (2 hospitals x 2 months x 600, some of them broken) is
      // read
      // or filtered, and every row read is stored or quarantined, as on the embedded catalog
      assertThat(runs).hasSize(4);
      assertThat(sum(runs, "rows_read") + sum(runs, "rows_filtered")).isEqualTo(4 * 600);
      assertThat(sum(runs, "rows_accepted") + sum(runs, "rows_rejected"))
          .isEqualTo(sum(runs, "rows_read"));
      assertThat(sum(runs, "rows_rejected")).isPositive();
      assertThat(runs)
          .allSatisfy(run -> assertThat(run.get("status").asText()).isEqualTo("SUCCEEDED"));

      JsonNode stored = sql(home, "SELECT count(*) FROM lab_results");
      assertThat(stored.get(0).get(0).asLong()).isEqualTo(sum(runs, "rows_accepted"));
      assertThat(sql(home, PER_HOSPITAL_AND_TEST)).isEqualTo(sql(embedded, PER_HOSPITAL_AND_TEST));
      for (String field :
          new String[] {"rows_read", "rows_filtered", "rows_accepted", "rows_rejected"}) {
        assertThat(sum(runs, field)).as(field).isEqualTo(sum(embeddedRuns, field));
      }

      // the tables are Glue tables pointing at their current metadata, in S3
      assertThat(glue.tableNames("medlake")).containsExactly("lab_results", "lab_results_rejects");
      String metadata =
          glue.tableParameters("medlake", "lab_results").orElseThrow().get("metadata_location");
      assertThat(metadata).startsWith("s3://lake/warehouse/medlake/lab_results/metadata/");
      assertThat(
              s3.keys("lake", "warehouse/medlake/lab_results/metadata/")
                  .map(key -> "s3://lake/" + key))
          .contains(metadata);
      assertThat(home.resolve("catalog.db")).doesNotExist();

      Cli.Result doctor = Cli.run(home, "doctor", "--json");
      JsonNode catalog = check(JSON.readTree(doctor.out()), "catalog");
      assertThat(catalog.get("status").asText()).isEqualTo("OK");
      assertThat(catalog.get("detail").asText())
          .isEqualTo(
              "medlake.medlake.lab_results and medlake.medlake.lab_results_rejects load from the"
                  + " Glue catalog "
                  + glue.endpoint());
    }
  }

  private static JsonNode ingest(Path home, Path landing) throws IOException {
    Cli.Result ingest = Cli.run(home, "ingest", "--json", landing.toString());
    assertThat(ingest.exitCode()).as(ingest.err()).isZero();
    return JSON.readTree(ingest.out());
  }

  private static JsonNode sql(Path home, String query) throws IOException {
    Cli.Result result = Cli.run(home, "sql", "--json", query);
    assertThat(result.exitCode()).as(result.err()).isZero();
    return JSON.readTree(result.out()).get("rows");
  }

  private static long sum(JsonNode runs, String field) {
    long total = 0;
    for (JsonNode run : runs) {
      total += run.get(field).asLong();
    }
    return total;
  }

  private static JsonNode check(JsonNode checks, String name) {
    for (JsonNode check : checks) {
      if (check.get("check").asText().equals(name)) {
        return check;
      }
    }
    throw new AssertionError("doctor has no check " + name + ": " + checks);
  }
}
