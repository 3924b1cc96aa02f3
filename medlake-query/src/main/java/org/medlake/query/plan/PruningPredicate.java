package org.medlake.query.plan;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Set;

/**
 * A condition on one column that a query's rows must satisfy, handed to Iceberg scan planning so
 * that it skips partitions and files (by partition values and min/max statistics). A predicate may
 * be looser than the query's own filter, never stricter.
 *
 * @param column a column of the table
 * @param operator the comparison
 * @param values the constant(s): one value, two for {@link Operator#BETWEEN}, any number for {@link
 *     Operator#IN}; strings, numbers, or {@link java.time.LocalDateTime} for timestamps
 */
public record PruningPredicate(String column, Operator operator, List<Object> values) {
  public PruningPredicate {
    requireNonNull(column, "column is null");
    requireNonNull(operator, "operator is null");
    values = List.copyOf(values);
  }

  public enum Operator {
    EQUAL,
    LESS_THAN,
    LESS_THAN_OR_EQUAL,
    GREATER_THAN,
    GREATER_THAN_OR_EQUAL,
    BETWEEN,
    IN
  }

  /** Columns worth pruning on: partition and sort columns of lab_results. */
  public static final Set<String> PRUNABLE_COLUMNS =
      Set.of("hospital_id", "collected_at", "test_code");
}
