package org.medlake.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.testkit.PostgresServer;

/**
 * The Terraform module (deploy/terraform/aws) puts the Iceberg catalog and the platform tables in
 * one PostgreSQL database (RDS creates one): both open there, side by side, and an ingest, its run
 * record and a query work as with two databases.
 */
class OneDatabaseIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path directory;

  @Test
  void catalogAndPlatformTablesShareOneDatabase() throws Exception {
    try (PostgresServer postgres = PostgresServer.start()) {
      String url = postgres.createDatabase("medlake");
      Path home = directory.resolve("home");
      Files.createDirectories(home);
      Files.writeString(
          home.resolve("medlake.yaml"),
          "catalog:\n  jdbc-url: "
              + url
              + "\n  jdbc-user: "
              + PostgresServer.USER
              + "\nplatform:\n  jdbc-url: "
              + url
              + "\n  jdbc-user: "
              + PostgresServer.USER
              + "\n");
      Path landing = directory.resolve("landing");
      assertThat(
              Cli.run(
                      home,
                      "generate",
                      "--out",
                      landing.toString(),
                      "--hospitals",
                      "2",
                      "--months",
                      "1",
                      "--rows-per-file",
                      "200")
                  .exitCode())
          .isZero();

      Cli.Result ingest = Cli.run(home, "ingest", landing.toString());
      assertThat(ingest.exitCode()).as(ingest.err()).isZero();

      Cli.Result runs = Cli.run(home, "runs", "--json");
      assertThat(runs.exitCode()).as(runs.err()).isZero();
      JsonNode ledger = JSON.readTree(runs.out());
      assertThat(ledger).hasSize(2);
      assertThat(ledger)
          .allSatisfy(run -> assertThat(run.get("status").asText()).isEqualTo("SUCCEEDED"));
      Cli.Result tables = Cli.run(home, "tables", "--json");
      assertThat(tables.exitCode()).as(tables.err()).isZero();
      assertThat(tables.out()).contains("lab_results");
      Cli.Result doctor = Cli.run(home, "doctor", "--json");
      JsonNode checks = JSON.readTree(doctor.out());
      assertThat(detail(checks, "catalog")).startsWith("OK ").endsWith(" load from " + url);
      assertThat(detail(checks, "platform database")).isEqualTo("OK 2 runs in " + url);
      assertThat(Files.exists(home.resolve("catalog.db"))).isFalse();
      assertThat(Files.exists(home.resolve("platform.db"))).isFalse();

      try (Connection connection = DriverManager.getConnection(url, PostgresServer.USER, "");
          ResultSet result =
              connection
                  .createStatement()
                  .executeQuery(
                      "SELECT table_name FROM information_schema.tables"
                          + " WHERE table_schema = 'public' ORDER BY table_name")) {
        List<String> names = new ArrayList<>();
        while (result.next()) {
          names.add(result.getString(1));
        }
        assertThat(names).contains("iceberg_tables", "ingest_runs", "users", "audit_events");
      }
    }
  }

  private static String detail(JsonNode checks, String name) {
    for (JsonNode check : checks) {
      if (check.get("check").asText().equals(name)) {
        return check.get("status").asText() + " " + check.get("detail").asText();
      }
    }
    throw new AssertionError("doctor has no check " + name + ": " + checks);
  }
}
