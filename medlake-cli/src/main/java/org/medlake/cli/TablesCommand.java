package org.medlake.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.medlake.core.contract.LabResults;
import org.medlake.core.contract.TableContract;
import org.medlake.lake.Lakehouse;
import org.medlake.lake.TableScans;
import org.medlake.lake.TableSummary;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(name = "tables", description = "List the tables with row counts, snapshots, bytes on disk and partitions.")
final class TablesCommand implements Callable<Integer> {
  @ParentCommand MedlakeCommand parent;

  @Option(names = "--json", description = "print as JSON")
  boolean json;

  @Override
  public Integer call() {
    List<TableSummary> summaries = new ArrayList<>();
    try (Lakehouse lakehouse = Lakehouse.open(parent.openHome())) {
      for (TableContract contract : List.of(LabResults.CONTRACT, LabResults.REJECTS_CONTRACT)) {
        summaries.add(TableScans.summarize(lakehouse.table(contract.name()), contract.name(), contract.description()));
      }
    }
    if (json) {
      Output.json(System.out, summaries);
    } else {
      Output.table(System.out, List.of("table", "rows", "files", "on disk", "partitions", "snapshots", "current snapshot"),
          summaries.stream().map(summary -> List.of(summary.name(), Output.count(summary.rows()), Output.count(summary.dataFiles()),
              Output.bytes(summary.bytesOnDisk()), Output.count(summary.partitions()), Output.count(summary.snapshots()),
              String.valueOf(summary.currentSnapshotId()))).toList());
    }
    return 0;
  }
}
