package org.medlake.cli;

import java.util.List;
import java.util.concurrent.Callable;
import org.medlake.core.security.Role;
import org.medlake.lake.Lakehouse;
import org.medlake.query.catalog.CatalogService;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(
    name = "snapshots",
    description =
        "List a table's snapshots: id, time, operation, the run that made it, rows added and deleted.")
final class SnapshotsCommand implements Callable<Integer> {
  @ParentCommand MedlakeCommand parent;

  @Parameters(paramLabel = "TABLE")
  String table;

  @Option(
      names = "--role",
      defaultValue = "admin",
      description = "act as this role (default ${DEFAULT-VALUE})")
  String role;

  @Option(names = "--json", description = "print as JSON")
  boolean json;

  @Override
  public Integer call() {
    try (Lakehouse lakehouse = Lakehouse.open(parent.openHome())) {
      List<CatalogService.SnapshotInfo> snapshots =
          new CatalogService(lakehouse).snapshots(table, Role.parse(role));
      if (json) {
        Output.json(System.out, snapshots);
      } else {
        Output.table(
            System.out,
            List.of(
                "snapshot",
                "committed at",
                "operation",
                "run",
                "hospital-month",
                "added",
                "deleted",
                "total"),
            snapshots.stream()
                .map(
                    snapshot ->
                        List.of(
                            String.valueOf(snapshot.snapshotId()),
                            snapshot.committedAt().toString(),
                            snapshot.operation(),
                            String.valueOf(snapshot.runId()),
                            String.valueOf(snapshot.hospitalMonth()),
                            Output.count(snapshot.addedRows()),
                            Output.count(snapshot.deletedRows()),
                            Output.count(snapshot.totalRows())))
                .toList());
      }
    }
    return 0;
  }
}
