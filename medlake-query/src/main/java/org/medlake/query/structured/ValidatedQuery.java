package org.medlake.query.structured;

import static java.util.Objects.requireNonNull;

import java.util.List;
import org.medlake.core.contract.Column;

/**
 * A structured query checked against the table: columns resolved, filter values converted to JDBC
 * types.
 */
record ValidatedQuery(
    List<BoundFilter> filters,
    List<GroupColumn> groupColumns,
    List<AggregateColumn> aggregates,
    List<Column> rowColumns,
    List<StructuredQuery.OrderBy> orderBy,
    int limit) {
  ValidatedQuery {
    filters = List.copyOf(filters);
    groupColumns = List.copyOf(groupColumns);
    aggregates = List.copyOf(aggregates);
    rowColumns = List.copyOf(rowColumns);
    orderBy = List.copyOf(orderBy);
  }

  boolean rowLevel() {
    return groupColumns.isEmpty() && aggregates.isEmpty();
  }

  /**
   * A filter whose values are String, Double, Integer, Long or LocalDateTime as the column needs.
   *
   * @param ageBand whether it filters the age band at collection of the birth year {@code column}
   *     (the filter column {@code age_band}) rather than the column's value
   */
  record BoundFilter(Column column, FilterOperator operator, List<Object> values, boolean ageBand) {
    BoundFilter {
      requireNonNull(column, "column is null");
      requireNonNull(operator, "operator is null");
      values = List.copyOf(values);
    }

    BoundFilter(Column column, FilterOperator operator, List<Object> values) {
      this(column, operator, values, false);
    }
  }

  /**
   * A group column; {@code bucket} is null when grouping by the value itself.
   *
   * @param origin whether the query asked for it or it was added as the unit of an aggregated value
   */
  record GroupColumn(String outputName, Column column, Bucket bucket, Origin origin) {
    GroupColumn {
      requireNonNull(outputName, "outputName is null");
      requireNonNull(column, "column is null");
      requireNonNull(origin, "origin is null");
    }

    GroupColumn(String outputName, Column column, Bucket bucket) {
      this(outputName, column, bucket, Origin.REQUESTED);
    }
  }

  enum Origin {
    /** Named in the query's group_by. */
    REQUESTED,
    /** The unit column of an aggregated value column, grouped by as it is stored. */
    VALUE_UNIT,
    /**
     * unit_canonical of an aggregated value_canonical, where a result whose unit did not convert
     * (unit_canonical null) counts under its test's canonical unit: it is in the group's counts,
     * not in its value aggregates (value_canonical is null).
     */
    TEST_UNIT
  }

  /** An aggregate; {@code column} is null for functions without one. */
  record AggregateColumn(
      String outputName, AggregateFunction function, Column column, double percentile) {
    AggregateColumn {
      requireNonNull(outputName, "outputName is null");
      requireNonNull(function, "function is null");
    }
  }
}
