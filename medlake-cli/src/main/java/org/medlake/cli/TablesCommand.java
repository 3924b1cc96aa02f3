package org.medlake.cli;

import java.util.List;
import java.util.concurrent.Callable;
import org.medlake.core.security.Role;
import org.medlake.lake.Lakehouse;
import org.medlake.lake.TableSummary;
import org.medlake.query.catalog.CatalogService;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(
    name = "tables",
    description = "List the tables with row counts, snapshots, bytes on disk and partitions.")
final class TablesCommand implements Callable<Integer> {
  @ParentCommand MedlakeCommand parent;

  @Option(names = "--json", description = "print as JSON")
  boolean json;

  @Override
  public Integer call() {
    List<TableSummary> summaries;
    try (Lakehouse lakehouse = Lakehouse.open(parent.openHome())) {
      summaries = new CatalogService(lakehouse).tables(Role.ADMIN);
    }
    if (json) {
      Output.json(System.out, summaries);
    } else {
      Output.table(
          System.out,
          List.of(
              "table", "rows", "files", "on disk", "partitions", "snapshots", "current snapshot"),
          summaries.stream()
              .map(
                  summary ->
                      List.of(
                          summary.name(),
                          Output.count(summary.rows()),
                          Output.count(summary.dataFiles()),
                          Output.bytes(summary.bytesOnDisk()),
                          Output.count(summary.partitions()),
                          Output.count(summary.snapshots()),
                          String.valueOf(summary.currentSnapshotId())))
              .toList());
    }
    return 0;
  }
}
