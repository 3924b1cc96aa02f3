package org.medlake.cli;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import org.medlake.core.config.MedlakeHome;
import org.medlake.core.security.Role;
import org.medlake.ingest.pipeline.StatusLine;
import org.medlake.ingest.remap.CodeRemap;
import org.medlake.ingest.remap.RemapReport;
import org.medlake.lake.Lakehouse;
import org.medlake.platform.store.AuditAction;
import org.medlake.platform.store.AuditEvent;
import org.medlake.platform.store.AuditOutcome;
import org.medlake.platform.store.PlatformDatabase;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(
    name = "remap",
    description =
        "Fill test_code in a source's stored rows whose local code its dictionary now maps, in one commit.")
final class RemapCommand implements Callable<Integer> {
  @ParentCommand MedlakeCommand parent;

  @Parameters(
      paramLabel = "SOURCE",
      description = "the source mapping whose code-lookup dictionary gained codes")
  String source;

  @Option(
      names = "--dry-run",
      description = "print what would change (codes, rows, files) without committing")
  boolean dryRun;

  @Option(names = "--json", description = "print the report as JSON")
  boolean json;

  @Override
  public Integer call() {
    MedlakeHome home = parent.openHome();
    StatusLine status = new StatusLine(System.err);
    RemapReport report;
    try (Lakehouse lakehouse = Lakehouse.open(home)) {
      CodeRemap remap = new CodeRemap(lakehouse);
      report = dryRun ? remap.plan(source, status) : remap.apply(source, status);
    } catch (RuntimeException e) {
      status.done();
      if (!dryRun) {
        try {
          audit(
              home,
              AuditOutcome.FAILED,
              builder -> builder.detail("error", firstLine(e.getMessage())));
        } catch (RuntimeException auditFailure) {
          e.addSuppressed(auditFailure);
        }
      }
      throw e;
    }
    status.done();
    for (RemapReport.Code invalid : report.invalidCodes()) {
      System.err.println(
          "medlake: warning: "
              + report.dictionary()
              + ": local code '"
              + invalid.localCode()
              + "' has test code '"
              + invalid.testCode()
              + "' with a wrong LOINC check digit; not applied ("
              + invalid.rows()
              + (invalid.rows() == 1 ? " stored row keeps" : " stored rows keep")
              + " no standard code)");
    }
    if (json) {
      Output.json(System.out, report);
    } else {
      if (!report.codes().isEmpty()) {
        Output.table(
            System.out,
            List.of("local code", "test code", "test name", "rows"),
            report.codes().stream()
                .map(
                    code ->
                        List.of(
                            code.localCode(),
                            code.testCode(),
                            code.testName().orElse("(stored name kept)"),
                            Output.count(code.rows())))
                .toList());
      }
      System.out.println(summary(report));
    }
    if (!dryRun) {
      audit(
          home,
          AuditOutcome.OK,
          builder -> {
            builder
                .detail("remap_id", report.remapId())
                .detail("rows_remapped", report.rowsRemapped())
                .detail("codes_remapped", report.codes().size())
                .detail("files_rewritten", report.filesRewritten())
                .detail("invalid_codes", report.invalidCodes().size());
            report
                .snapshotId()
                .ifPresent(snapshot -> builder.detail("snapshot_id", String.valueOf(snapshot)));
          });
    }
    return 0;
  }

  static String summary(RemapReport report) {
    String codes = report.codes().size() + " local code" + (report.codes().size() == 1 ? "" : "s");
    String files = report.filesRewritten() + " file" + (report.filesRewritten() == 1 ? "" : "s");
    if (report.nothingToDo()) {
      return "remap "
          + report.source()
          + ": nothing to do: no stored row of "
          + report.source()
          + " without a standard code has a local code that "
          + report.dictionary()
          + " maps to a valid code";
    }
    if (report.dryRun()) {
      return "remap "
          + report.source()
          + " (dry run): would fill "
          + Output.count(report.rowsRemapped())
          + " rows of "
          + codes
          + " in "
          + files
          + "; nothing committed";
    }
    return "remap "
        + report.source()
        + ": filled "
        + Output.count(report.rowsRemapped())
        + " rows of "
        + codes
        + " in "
        + files
        + " in one commit (snapshot "
        + report.snapshotId().map(String::valueOf).orElse("?")
        + ", "
        + report.remapId()
        + ")";
  }

  /**
   * Records the remap in the audit log as an admin action of the operating-system user who ran it.
   */
  private void audit(
      MedlakeHome home,
      AuditOutcome outcome,
      java.util.function.Consumer<AuditEvent.Builder> details) {
    AuditEvent.Builder builder =
        AuditEvent.builder()
            .at(Instant.now())
            .actor(System.getProperty("user.name", "cli"))
            .role(Role.ADMIN)
            .action(AuditAction.ADMIN)
            .target("remap " + source)
            .outcome(outcome)
            .detail("via", "cli");
    details.accept(builder);
    try (PlatformDatabase platform = PlatformDatabase.open(home)) {
      platform.audit().record(builder.build());
    }
  }

  private static String firstLine(String message) {
    String text = message == null ? "" : message.lines().findFirst().orElse("");
    return text.length() > 200 ? text.substring(0, 200) : text;
  }
}
