package org.medlake.query.result;

import static java.util.Objects.requireNonNull;

/**
 * One column of a query result.
 *
 * @param name the column label
 * @param type the DuckDB type name, e.g. VARCHAR, BIGINT, DOUBLE, TIMESTAMP
 */
public record ResultColumn(String name, String type) {
  public ResultColumn {
    requireNonNull(name, "name is null");
    requireNonNull(type, "type is null");
  }
}
