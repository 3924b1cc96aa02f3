package org.medlake.cli;

import java.nio.file.Path;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.medlake.core.config.MedlakeHome;
import org.medlake.core.ledger.IngestRun;
import org.medlake.ingest.pipeline.IngestService;
import org.medlake.ingest.pipeline.IngestService.Delivery;
import org.medlake.ingest.pipeline.StatusLine;
import org.medlake.testkit.generate.GeneratedFile;
import org.medlake.testkit.generate.GenerationReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(
    name = "demo",
    description =
        "Generate a realistic landing zone (with real-world shapes, a backfill and a broken resubmission),"
            + " ingest it, and show what is in the lake.")
final class DemoCommand implements Callable<Integer> {
  /** The demo's first month. */
  static final YearMonth START = YearMonth.of(2024, 1);

  /** The line that ends the demo's output: the URL and the admin login are just above it. */
  static final String BANNER = "=".repeat(72);

  @ParentCommand MedlakeCommand parent;

  @Option(
      names = "--hospitals",
      defaultValue = "5",
      description = "hospitals (default ${DEFAULT-VALUE})")
  int hospitals;

  @Option(
      names = "--months",
      defaultValue = "12",
      description = "months (default ${DEFAULT-VALUE})")
  int months;

  @Option(
      names = "--rows-per-file",
      defaultValue = "20000",
      description = "rows per monthly file (default ${DEFAULT-VALUE})")
  int rowsPerFile;

  @Option(
      names = "--dirty-fraction",
      defaultValue = "0.02",
      description = "fraction of defective rows (default ${DEFAULT-VALUE})")
  double dirtyFraction;

  @Option(
      names = "--backfill-months",
      defaultValue = "600",
      description =
          "months of the first hospital's backfill file"
              + " (default ${DEFAULT-VALUE}; 0 for none)")
  int backfillMonths;

  @Option(
      names = "--no-serve",
      description = "stop after the ingest instead of starting the server")
  boolean noServe;

  @Option(
      names = "--port",
      description = "server port (default: server.port in medlake.yaml, 8080)")
  Integer port;

  @Override
  public Integer call() throws Exception {
    // the demo's data ends with its last generated month: the completeness check (the web's banner,
    // runs --missing, the schedule) expects that month, not last month of today's calendar
    YearMonth newest = START.plusMonths(Math.max(months, 1) - 1L);
    java.util.Map<String, String> commandLine = new java.util.HashMap<>();
    commandLine.put("schedules.completeness-month", newest.toString());
    if (port != null) {
      commandLine.put("server.port", Integer.toString(port));
    }
    MedlakeHome home = parent.openHome(commandLine);
    pinCompletenessMonth(home.root().resolve("medlake.yaml"), newest);
    System.out.printf("medlake demo in %s%n", home.root());
    Path landing = home.landing();
    GenerationReport report =
        GenerateCommand.generate(
            GenerateCommand.builder(
                    home,
                    landing,
                    hospitals,
                    months,
                    START,
                    rowsPerFile,
                    42,
                    dirtyFraction,
                    false,
                    false)
                .realWorld()
                .backfillMonths(backfillMonths)
                .resubmission()
                .build());
    List<GeneratedFile> monthly =
        report.files().stream().filter(file -> file.kind() == GeneratedFile.Kind.MONTHLY).toList();
    System.out.printf(
        "generated %d monthly files from %d hospitals, %s rows, %s with an injected defect, %s of real-world shape%n",
        monthly.size(),
        hospitals,
        Output.count(monthly.stream().mapToLong(GeneratedFile::dataRows).sum()),
        Output.count(monthly.stream().mapToLong(GeneratedFile::defectiveRows).sum()),
        Output.count(
            monthly.stream()
                .flatMap(file -> file.shapes().values().stream())
                .mapToLong(Long::longValue)
                .sum()));
    GenerateCommand.printSpecialFiles(report, landing);
    Optional<GeneratedFile> resubmission = report.file(GeneratedFile.Kind.RESUBMISSION);
    StatusLine status = new StatusLine(System.err);
    try (IngestService service = IngestService.open(home, status)) {
      List<IngestRun> runs =
          IngestCommand.ingestAll(
              service,
              resubmissionLast(
                  service.discover(List.of(landing), Optional.empty(), Optional.empty()),
                  resubmission),
              status);
      status.done();
      System.out.println();
      RunsCommand.print(runs);
      LakeReport.print(home, service.lakehouse());
      ShapesReport.print(home, service.lakehouse(), runs, resubmission);
    }
    if (org.medlake.server.http.DemoDashboards.ensure(home, START, newest).isPresent()) {
      System.out.println(
          "dashboard '"
              + org.medlake.server.http.DemoDashboards.NAME
              + "' saved (shared with admins, analysts and viewers)");
    }
    System.out.println();
    System.out.println(
        "Next: ./medlake tables | ./medlake runs | ./medlake rejects RUN_ID   (home: "
            + home.root()
            + ")");
    if (noServe) {
      return 0;
    }
    String password = demoAdmin(home);
    // from here on, logs (server start, a JSON audit line per login and query) go to a file, so
    // that the URL and the password stay the last lines of the terminal
    Path log = DemoLogs.toFile(home.root().resolve("logs").resolve("demo.log"), home.environment());
    org.medlake.server.http.MedlakeServer server =
        org.medlake.server.http.MedlakeServer.start(home, home.config().server().port());
    java.util.concurrent.CountDownLatch stopped = new java.util.concurrent.CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  server.close();
                  stopped.countDown();
                }));
    System.out.println();
    System.out.println(BANNER);
    System.out.println("medlake demo server is running; Ctrl-C stops it. Logs: " + log);
    System.out.println(
        "  open         http://127.0.0.1:" + server.port() + "   (API under /api/v1)");
    System.out.println(
        password == null
            ? "  admin login  user 'admin' (password set earlier)"
            : "  admin login  user 'admin', password '" + password + "'");
    System.out.println(BANNER);
    System.out.flush();
    stopped.await();
    return 0;
  }

  /**
   * Writes {@code schedules.completeness-month} into the demo home's medlake.yaml (a new file, or
   * where the template has it commented out), so that a later {@code medlake serve} of the demo
   * home expects the demo's newest month too.
   */
  private static void pinCompletenessMonth(Path config, YearMonth month)
      throws java.io.IOException {
    if (!java.nio.file.Files.exists(config)) {
      java.nio.file.Files.createDirectories(config.getParent());
      java.nio.file.Files.writeString(
          config,
          "# written by medlake demo: its data ends in "
              + month
              + "; the completeness check expects that month\n"
              + "schedules:\n  completeness-month: "
              + month
              + "\n");
      return;
    }
    String text = java.nio.file.Files.readString(config);
    String pinned =
        text.replaceFirst(
            "(?m)^(\\s*)# completeness-month: \\S+$", "$1completeness-month: " + month);
    if (!pinned.equals(text)) {
      java.nio.file.Files.writeString(config, pinned);
    }
  }

  /**
   * The broken resubmission last, so that the story reads in order: the month is delivered, then
   * the broken re-delivery is held by the fail-safe instead of replacing the month with nothing.
   */
  private static List<Delivery> resubmissionLast(
      List<Delivery> deliveries, Optional<GeneratedFile> resubmission) {
    if (resubmission.isEmpty()) {
      return deliveries;
    }
    Path broken = resubmission.get().path().toAbsolutePath().normalize();
    List<Delivery> ordered = new ArrayList<>();
    List<Delivery> last = new ArrayList<>();
    for (Delivery delivery : deliveries) {
      (delivery.file().toAbsolutePath().normalize().equals(broken) ? last : ordered).add(delivery);
    }
    ordered.addAll(last);
    return ordered;
  }

  /**
   * Creates the demo's admin with a random password on first use; returns the password, or null if
   * it exists.
   */
  private static String demoAdmin(MedlakeHome home) {
    try (org.medlake.platform.store.PlatformDatabase platform =
        org.medlake.platform.store.PlatformDatabase.open(home)) {
      if (platform.users().find("admin").isPresent()) {
        return null;
      }
      byte[] random = new byte[12];
      new java.security.SecureRandom().nextBytes(random);
      String password = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(random);
      platform
          .users()
          .add(
              "admin",
              org.medlake.core.security.Role.ADMIN,
              java.util.Optional.empty(),
              password.toCharArray());
      return password;
    }
  }
}
