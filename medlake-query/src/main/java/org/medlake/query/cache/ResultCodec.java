package org.medlake.query.cache;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.medlake.query.engine.QueryResult;
import org.medlake.query.result.ResultColumn;
import org.medlake.query.result.ResultTable;

/**
 * Writes a query result as JSON and reads it back with the same Java types per cell, driven by the
 * column types, so a result from a shared cache is indistinguishable from a fresh one.
 */
final class ResultCodec {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ResultCodec() {}

  static String encode(QueryResult result) {
    ObjectNode root = JSON.createObjectNode();
    ArrayNode columns = root.putArray("columns");
    result
        .table()
        .columns()
        .forEach(
            column -> columns.addObject().put("name", column.name()).put("type", column.type()));
    ArrayNode rows = root.putArray("rows");
    for (List<Object> row : result.table().rows()) {
      ArrayNode cells = rows.addArray();
      for (Object cell : row) {
        cells.add(
            cell == null
                ? JSON.nullNode()
                : cell instanceof Number || cell instanceof Boolean || cell instanceof List<?>
                    ? JSON.valueToTree(cell)
                    : JSON.getNodeFactory().textNode(cell.toString()));
      }
    }
    root.put("files_scanned", result.filesScanned());
    root.put("bytes_scanned", result.bytesScanned());
    ObjectNode snapshots = root.putObject("snapshot_ids");
    result
        .snapshotIds()
        .forEach(
            (table, id) -> {
              if (id == null) {
                snapshots.putNull(table);
              } else {
                snapshots.put(table, id);
              }
            });
    root.put("elapsed_ms", result.elapsedMs());
    root.put("suppressed_cells", result.suppressedCells());
    return root.toString();
  }

  static QueryResult decode(String text) {
    try {
      JsonNode root = JSON.readTree(text);
      List<ResultColumn> columns = new ArrayList<>();
      root.get("columns")
          .forEach(
              column ->
                  columns.add(
                      new ResultColumn(column.get("name").asText(), column.get("type").asText())));
      List<List<Object>> rows = new ArrayList<>();
      for (JsonNode row : root.get("rows")) {
        List<Object> cells = new ArrayList<>();
        for (int i = 0; i < columns.size(); i++) {
          cells.add(cell(row.get(i), columns.get(i).type()));
        }
        rows.add(cells);
      }
      Map<String, Long> snapshots = new LinkedHashMap<>();
      root.get("snapshot_ids")
          .properties()
          .forEach(
              entry ->
                  snapshots.put(
                      entry.getKey(),
                      entry.getValue().isNull() ? null : entry.getValue().asLong()));
      return new QueryResult(
          new ResultTable(columns, rows),
          root.get("files_scanned").asLong(),
          root.get("bytes_scanned").asLong(),
          snapshots,
          root.get("elapsed_ms").asLong(),
          false,
          root.get("suppressed_cells").asInt());
    } catch (java.io.IOException e) {
      throw new IllegalStateException("unreadable cache entry", e);
    }
  }

  private static Object cell(JsonNode node, String type) {
    if (node == null || node.isNull()) {
      return null;
    }
    String base = type.toUpperCase(java.util.Locale.ROOT);
    if (base.endsWith("[]")) {
      List<Object> values = new ArrayList<>();
      node.forEach(element -> values.add(cell(element, base.substring(0, base.length() - 2))));
      return values;
    }
    if (base.startsWith("TIMESTAMP")) {
      return LocalDateTime.parse(node.asText());
    }
    if (base.equals("DATE")) {
      return LocalDate.parse(node.asText());
    }
    if (base.startsWith("DECIMAL")) {
      return new BigDecimal(node.asText());
    }
    return switch (base) {
      case "BIGINT", "INTEGER", "SMALLINT", "TINYINT", "HUGEINT", "UBIGINT", "UINTEGER" ->
          node.asLong();
      case "DOUBLE", "FLOAT", "REAL" -> node.asDouble();
      case "BOOLEAN" -> node.asBoolean();
      default -> node.asText();
    };
  }
}
