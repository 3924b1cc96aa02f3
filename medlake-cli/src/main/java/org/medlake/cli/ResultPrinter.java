package org.medlake.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.medlake.query.cost.Estimate;
import org.medlake.query.engine.QueryResult;
import org.medlake.query.result.ResultColumn;
import org.medlake.query.result.ResultTable;

/** Prints query results as a text table, CSV or JSON, with the cost figures on standard error. */
final class ResultPrinter {
  private ResultPrinter() {}

  enum Format {
    TABLE,
    CSV,
    JSON
  }

  static void print(QueryResult result, Format format, PrintStream out, PrintStream err) {
    switch (format) {
      case JSON -> {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("columns", result.table().columns());
        json.put("rows", result.table().rows());
        json.put("files_scanned", result.filesScanned());
        json.put("bytes_scanned", result.bytesScanned());
        json.put("snapshot_ids", result.snapshotIds());
        json.put("elapsed_ms", result.elapsedMs());
        json.put("cached", result.cached());
        json.put("suppressed_cells", result.suppressedCells());
        Output.json(out, json);
      }
      case CSV -> {
        out.println(
            String.join(
                ",",
                result.table().columns().stream()
                    .map(ResultColumn::name)
                    .map(ResultPrinter::csv)
                    .toList()));
        for (List<Object> row : result.table().rows()) {
          out.println(
              String.join(
                  ",",
                  row.stream().map(value -> csv(value == null ? "" : value.toString())).toList()));
        }
      }
      case TABLE -> {
        ResultTable table = result.table();
        List<List<String>> rows = new ArrayList<>();
        for (List<Object> row : table.rows()) {
          rows.add(row.stream().map(value -> value == null ? "" : value.toString()).toList());
        }
        Output.table(out, table.columns().stream().map(ResultColumn::name).toList(), rows);
      }
    }
    err.printf(
        "%d rows; %d files, %s scanned; snapshots %s; %d ms%s%s%n",
        result.table().rows().size(),
        result.filesScanned(),
        Output.bytes(result.bytesScanned()),
        result.snapshotIds(),
        result.elapsedMs(),
        result.cached() ? "; cached" : "",
        result.suppressedCells() > 0
            ? "; "
                + result.suppressedCells()
                + " cells suppressed (fewer patients than the minimum)"
            : "");
  }

  static void print(Estimate estimate, PrintStream out) {
    Output.json(out, estimate);
  }

  private static String csv(String value) {
    if (value.contains(",")
        || value.contains("\"")
        || value.contains("\n")
        || value.contains("\r")) {
      return '"' + value.replace("\"", "\"\"") + '"';
    }
    return value;
  }
}
