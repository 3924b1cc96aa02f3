package org.medlake.core.contract;

/**
 * Logical column types of the data contract, mapped to Iceberg, Parquet and DuckDB types by the
 * lake.
 */
public enum ColumnType {
  STRING("VARCHAR"),
  DOUBLE("DOUBLE"),
  INT("INTEGER"),
  LONG("BIGINT"),
  /** Microsecond timestamp without zone; medlake stores UTC wall-clock time. */
  TIMESTAMP("TIMESTAMP"),
  STRING_LIST("VARCHAR[]");

  private final String duckDbType;

  ColumnType(String duckDbType) {
    this.duckDbType = duckDbType;
  }

  /** The DuckDB type a value of this column is cast to before it is written to Parquet. */
  public String duckDbType() {
    return duckDbType;
  }
}
