package org.medlake.query.result;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Columns and rows of a query result. Cells are Java values (String, Long, Double, Boolean,
 * LocalDateTime, BigDecimal, List) or null.
 */
public record ResultTable(List<ResultColumn> columns, List<List<Object>> rows) {
  public ResultTable {
    columns = List.copyOf(columns);
    List<List<Object>> copies = new ArrayList<>(rows.size());
    for (List<Object> row : rows) {
      if (row.size() != columns.size()) {
        throw new IllegalArgumentException(
            "row has " + row.size() + " cells for " + columns.size() + " columns");
      }
      copies.add(Collections.unmodifiableList(new ArrayList<>(row)));
    }
    rows = Collections.unmodifiableList(copies);
  }

  public int columnIndex(String name) {
    for (int i = 0; i < columns.size(); i++) {
      if (columns.get(i).name().equals(name)) {
        return i;
      }
    }
    throw new IllegalArgumentException("no column " + name);
  }
}
