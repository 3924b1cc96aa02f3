package org.medlake.query.engine;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.medlake.query.plan.PruningPredicate;

/**
 * A validated query ready to run: SQL that refers to catalogue tables by name, its bound
 * parameters, and what Iceberg may use to prune.
 *
 * @param sql the statement (already validated by the SQL guard or compiled from a structured query)
 * @param parameters values for the {@code ?} placeholders, in order
 * @param tables catalogue tables the statement reads
 * @param predicates pruning predicates per table
 * @param columns columns the statement reads, for the projected-bytes estimate (empty: all)
 * @param asOf the version of the tables to read
 */
public record QueryRequest(
    String sql,
    List<Object> parameters,
    Set<String> tables,
    Map<String, List<PruningPredicate>> predicates,
    Set<String> columns,
    AsOf asOf) {
  public QueryRequest {
    requireNonNull(sql, "sql is null");
    parameters = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(parameters));
    tables = Set.copyOf(tables);
    predicates = Map.copyOf(predicates);
    columns = Set.copyOf(columns);
    requireNonNull(asOf, "asOf is null");
  }
}
