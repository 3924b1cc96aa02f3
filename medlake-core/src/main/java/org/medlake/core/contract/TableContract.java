package org.medlake.core.contract;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;

/**
 * The declared shape of a medlake table: columns with ids, partitioning and sort order.
 *
 * @param name the table name in the catalog namespace
 * @param description what the table holds
 * @param columns the columns, in order
 * @param monthPartitionColumn the timestamp column partitioned by month
 * @param identityPartitionColumn the column partitioned by identity
 * @param sortColumns the sort order of rows inside each data file
 */
public record TableContract(
    String name,
    String description,
    List<Column> columns,
    String monthPartitionColumn,
    String identityPartitionColumn,
    List<String> sortColumns) {
  public TableContract {
    requireNonNull(name, "name is null");
    requireNonNull(description, "description is null");
    columns = List.copyOf(columns);
    requireNonNull(monthPartitionColumn, "monthPartitionColumn is null");
    requireNonNull(identityPartitionColumn, "identityPartitionColumn is null");
    sortColumns = List.copyOf(sortColumns);
  }

  public Optional<Column> column(String columnName) {
    return columns.stream().filter(column -> column.name().equals(columnName)).findFirst();
  }

  public List<String> columnNames() {
    return columns.stream().map(Column::name).toList();
  }
}
