package org.medlake.cli;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import org.apache.iceberg.IcebergBuild;
import org.medlake.core.config.MedlakeHome;
import org.medlake.core.config.PlatformConfig;
import org.medlake.core.source.SourceRegistry;
import org.medlake.core.vault.PseudonymKey;
import org.medlake.ingest.automation.CronSchedule;
import org.medlake.lake.Lakehouse;
import org.medlake.platform.store.RunLedger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(
    name = "doctor",
    description =
        "Check an installation: versions, configuration, disk space, catalog, key, permissions. "
            + "Exit code 0 when nothing failed (warnings allowed), 1 when a check failed.")
final class DoctorCommand implements Callable<Integer> {
  static final long FAIL_BELOW_BYTES = 1L << 30;
  static final long WARN_BELOW_BYTES = 10L << 30;

  enum Status {
    OK,
    WARN,
    FAIL
  }

  /** One check's outcome. */
  record Check(
      @JsonProperty("check") String name,
      @JsonProperty("status") Status status,
      @JsonProperty("detail") String detail) {}

  @ParentCommand MedlakeCommand parent;

  @Option(names = "--json", description = "print as JSON")
  boolean json;

  @Option(
      names = "--offline",
      description =
          "check without reaching the catalog, the platform database or the object store (a"
              + " configuration rendered for a deployment, before it exists)")
  boolean offline;

  @Override
  public Integer call() {
    List<Check> checks = new ArrayList<>();
    Runtime.Version java = Runtime.version();
    checks.add(
        new Check(
            "java",
            java.feature() >= 17 ? Status.OK : Status.FAIL,
            "Java "
                + java
                + " ("
                + System.getProperty("java.vendor")
                + "); medlake needs 17 or newer"));
    MedlakeHome home;
    try {
      home = parent.openHome();
      checks.add(new Check("configuration", Status.OK, home.configFile().toString()));
    } catch (RuntimeException e) {
      checks.add(new Check("configuration", Status.FAIL, e.getMessage()));
      return report(checks);
    }
    checks.add(
        check(
            "versions",
            () ->
                "medlake 0.1.0, Iceberg "
                    + IcebergBuild.version()
                    + ", DuckDB "
                    + duckDbVersion()));
    checks.add(disk(home.root()));
    checks.add(
        reaching(
            "catalog",
            () -> {
              try (Lakehouse lakehouse = Lakehouse.open(home)) {
                return lakehouse.labResults().name()
                    + " and "
                    + lakehouse.rejects().name()
                    + " load from "
                    + (home.config().catalog().glue()
                        ? "the Glue catalog "
                            + home.config().catalog().glueEndpoint().orElse("of the AWS region")
                        : where(home.config().catalog().jdbcUrl(), home.catalogDatabase()));
              }
            }));
    checks.add(
        reaching(
            "platform database",
            () -> {
              // the configured database: PostgreSQL when platform.jdbc-url is set
              try (RunLedger ledger = RunLedger.open(home)) {
                return ledger.list().size()
                    + " runs in "
                    + where(home.config().platform().jdbcUrl(), home.platformDatabase());
              }
            }));
    checks.add(
        check(
            "source mappings",
            () -> new SourceRegistry(home.sources()).all().size() + " in " + home.sources()));
    checks.add(
        check(
            "schedules",
            () -> {
              home.config()
                  .schedules()
                  .completenessCheck()
                  .ifPresent(cron -> CronSchedule.parse("schedules.completeness-check", cron));
              home.config()
                  .schedules()
                  .maintenance()
                  .ifPresent(cron -> CronSchedule.parse("schedules.maintenance", cron));
              return "valid";
            }));
    checks.add(pseudonymKey(home));
    for (Path directory :
        List.of(home.warehouse(), home.landing(), home.temporary(), home.sources())) {
      checks.add(
          Files.isWritable(directory)
              ? new Check(
                  "writable " + home.root().relativize(directory), Status.OK, directory.toString())
              : new Check(
                  "writable " + home.root().relativize(directory),
                  Status.FAIL,
                  directory + " is not writable by this user"));
    }
    return report(checks);
  }

  /** The configured database: its JDBC URL without secrets, else the home's SQLite file. */
  private static String where(java.util.Optional<String> jdbcUrl, java.nio.file.Path sqlite) {
    return jdbcUrl.map(PlatformConfig::shown).orElse(sqlite.toString());
  }

  /** A check that reaches another system: with --offline a warning that it was not made. */
  private Check reaching(String name, Probe probe) {
    return offline ? new Check(name, Status.WARN, "not checked (--offline)") : check(name, probe);
  }

  private interface Probe {
    String run() throws Exception;
  }

  private static Check check(String name, Probe probe) {
    try {
      return new Check(name, Status.OK, probe.run());
    } catch (Exception e) {
      return new Check(
          name, Status.FAIL, String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
    }
  }

  private static String duckDbVersion() throws Exception {
    try (Connection connection = java.sql.DriverManager.getConnection("jdbc:duckdb:");
        Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery("SELECT version()")) {
      result.next();
      return result.getString(1);
    }
  }

  private static Check disk(Path root) {
    try {
      FileStore store = Files.getFileStore(root);
      long free = store.getUsableSpace();
      String detail =
          Output.bytes(free)
              + " free on "
              + store
              + " (ingest spills to tmp/; keep twice the largest file free)";
      return new Check(
          "disk space",
          free < FAIL_BELOW_BYTES ? Status.FAIL : free < WARN_BELOW_BYTES ? Status.WARN : Status.OK,
          detail);
    } catch (IOException e) {
      return new Check("disk space", Status.FAIL, e.getMessage());
    }
  }

  /**
   * The key must exist once the vault has links, and its file must not be readable by anyone else.
   */
  private static Check pseudonymKey(MedlakeHome home) {
    String variable = home.environment().get(PseudonymKey.ENVIRONMENT_VARIABLE).orElse(null);
    if (variable != null && !variable.isBlank()) {
      return new Check(
          "pseudonym key",
          variable.length() >= 16 ? Status.OK : Status.FAIL,
          PseudonymKey.ENVIRONMENT_VARIABLE
              + " is set"
              + (variable.length() >= 16 ? "" : " but shorter than 16 characters"));
    }
    Path file = home.pseudonymKeyFile();
    if (!Files.exists(file)) {
      return Files.exists(home.vaultDatabase())
          ? new Check(
              "pseudonym key",
              Status.FAIL,
              file + " is missing but vault.db has links: restore the key from the backup")
          : new Check(
              "pseudonym key",
              Status.WARN,
              file + " does not exist yet; the first ingest generates it (back it up)");
    }
    try {
      Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
      Set<PosixFilePermission> others =
          Set.of(
              PosixFilePermission.GROUP_READ,
              PosixFilePermission.GROUP_WRITE,
              PosixFilePermission.OTHERS_READ,
              PosixFilePermission.OTHERS_WRITE);
      if (permissions.stream().anyMatch(others::contains)) {
        return new Check(
            "pseudonym key",
            Status.FAIL,
            file + " is readable or writable by others: chmod 600 " + file);
      }
      return new Check("pseudonym key", Status.OK, file + " (mode 600)");
    } catch (UnsupportedOperationException | IOException e) {
      return new Check(
          "pseudonym key", Status.WARN, file + ": cannot read its permissions: " + e.getMessage());
    }
  }

  private int report(List<Check> checks) {
    if (json) {
      Output.json(System.out, checks);
    } else {
      Output.table(
          System.out,
          List.of("check", "status", "detail"),
          checks.stream()
              .map(check -> List.of(check.name(), check.status().name(), check.detail()))
              .toList());
    }
    return checks.stream().anyMatch(check -> check.status() == Status.FAIL) ? 1 : 0;
  }
}
