package org.medlake.core.contract;

import static java.util.Objects.requireNonNull;

/**
 * One column of a medlake table.
 *
 * @param id the Iceberg field id, stable for the life of the table
 * @param name the column name
 * @param type the logical type
 * @param required whether a null value is a contract violation
 * @param description what the column means, shown in the catalog
 */
public record Column(int id, String name, ColumnType type, boolean required, String description) {
  public Column {
    requireNonNull(name, "name is null");
    requireNonNull(type, "type is null");
    requireNonNull(description, "description is null");
  }
}
