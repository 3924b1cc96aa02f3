package org.medlake.cli;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.apache.iceberg.expressions.Expressions;
import org.medlake.core.config.MedlakeHome;
import org.medlake.core.error.ErrorCode;
import org.medlake.core.error.MedlakeException;
import org.medlake.core.error.NotFoundException;
import org.medlake.ingest.ledger.RunLedger;
import org.medlake.lake.DuckDb;
import org.medlake.lake.Lakehouse;
import org.medlake.lake.TableScans;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "rejects", description = "Show the rejected rows of an ingestion run, with their reasons.")
final class RejectsCommand implements Callable<Integer> {
  @ParentCommand MedlakeCommand parent;

  @Parameters(paramLabel = "RUN_ID")
  String runId;

  @Option(names = "--limit", description = "at most this many rows (default ${DEFAULT-VALUE})", defaultValue = "20")
  int limit;

  @Option(names = "--json", description = "print as JSON")
  boolean json;

  @Override
  public Integer call() throws SQLException {
    MedlakeHome home = parent.openHome();
    try (RunLedger ledger = RunLedger.open(home.platformDatabase())) {
      ledger.find(runId).orElseThrow(() -> new NotFoundException("No ingestion run '" + runId + "' (see medlake runs)"));
    }
    List<Map<String, Object>> rows = new ArrayList<>();
    try (Lakehouse lakehouse = Lakehouse.open(home)) {
      List<String> files = TableScans.plannedFiles(lakehouse.rejects(), Expressions.equal("ingest_run_id", runId));
      if (!files.isEmpty()) {
        try (Connection connection = DuckDb.open("1GB", 2, home.temporary());
            PreparedStatement statement = connection.prepareStatement(
                "SELECT line_number, array_to_string(reason_codes, ' ') AS reasons, raw_line FROM read_parquet("
                    + files.stream().map(DuckDb::literal).collect(Collectors.joining(", ", "[", "]"))
                    + ") WHERE ingest_run_id = ? ORDER BY line_number LIMIT ?")) {
          statement.setString(1, runId);
          statement.setInt(2, limit);
          try (ResultSet result = statement.executeQuery()) {
            while (result.next()) {
              Map<String, Object> row = new LinkedHashMap<>();
              row.put("line_number", result.getLong(1));
              row.put("reason_codes", List.of(result.getString(2).split(" ")));
              row.put("raw_line", result.getString(3));
              rows.add(row);
            }
          }
        } catch (SQLException e) {
          throw new MedlakeException(ErrorCode.INTERNAL_ERROR, "Cannot read rejects: " + e.getMessage(), e);
        }
      }
    }
    if (json) {
      Output.json(System.out, rows);
    } else {
      Output.table(System.out, List.of("line", "reasons", "raw line"), rows.stream()
          .map(row -> List.of(String.valueOf(row.get("line_number")), String.join(" ", (List<String>) row.get("reason_codes")),
              abbreviate((String) row.get("raw_line"))))
          .toList());
    }
    return 0;
  }

  private static String abbreviate(String raw) {
    String shown = raw.replace("\n", "\\n").replace("\r", "\\r");
    return shown.length() > 100 ? shown.substring(0, 97) + "..." : shown;
  }
}
