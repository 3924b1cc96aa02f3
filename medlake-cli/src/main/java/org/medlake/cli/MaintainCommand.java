package org.medlake.cli;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import org.medlake.core.config.MedlakeHome;
import org.medlake.ingest.maintenance.TableMaintenance;
import org.medlake.lake.Lakehouse;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(
    name = "maintain",
    description =
        "Rewrite manifests, expire snapshots (monthly releases are kept), remove orphan files.")
final class MaintainCommand implements Callable<Integer> {
  @ParentCommand MedlakeCommand parent;

  @Option(names = "--json", description = "print as JSON")
  boolean json;

  @Override
  public Integer call() {
    MedlakeHome home = parent.openHome();
    List<TableMaintenance.Report> reports;
    try (Lakehouse lakehouse = Lakehouse.open(home)) {
      reports = new TableMaintenance(lakehouse, home.config().maintenance()).run(Instant.now());
    }
    if (json) {
      Output.json(System.out, reports);
    } else {
      Output.table(
          System.out,
          List.of(
              "table", "small files merged", "manifests", "snapshots", "orphans deleted", "files"),
          reports.stream()
              .map(
                  report ->
                      List.of(
                          report.table(),
                          String.valueOf(report.dataFilesMerged()),
                          report.manifestsBefore() + " -> " + report.manifestsAfter(),
                          report.snapshotsBefore() + " -> " + report.snapshotsAfter(),
                          String.valueOf(report.orphanFilesDeleted()),
                          report.filesBefore() + " -> " + report.filesAfter()))
              .toList());
    }
    return 0;
  }
}
