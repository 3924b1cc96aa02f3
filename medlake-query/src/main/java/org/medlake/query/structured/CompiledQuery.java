package org.medlake.query.structured;

import static java.util.Objects.requireNonNull;

import java.util.List;
import org.medlake.query.plan.PruningPredicate;

/**
 * SQL for one structured query.
 *
 * @param sql DuckDB SQL over the table, with {@code ?} placeholders
 * @param parameters the values for the placeholders, in order: String, Double, Integer, Long or
 *     LocalDateTime
 * @param predicates conditions for Iceberg scan planning, implied by the query's filters
 * @param groupColumns the output names of the columns that define the result's groups for
 *     small-cell suppression, a prefix of {@code outputColumns}; the canonical unit added to a
 *     query grouped by test follows the test and is not one of them
 * @param outputColumns the names of the result columns, in order
 */
public record CompiledQuery(
    String sql,
    List<Object> parameters,
    List<PruningPredicate> predicates,
    List<String> groupColumns,
    List<String> outputColumns) {
  public CompiledQuery {
    requireNonNull(sql, "sql is null");
    parameters = List.copyOf(parameters);
    predicates = List.copyOf(predicates);
    groupColumns = List.copyOf(groupColumns);
    outputColumns = List.copyOf(outputColumns);
  }
}
