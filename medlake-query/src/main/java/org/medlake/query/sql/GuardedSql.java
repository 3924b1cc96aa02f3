package org.medlake.query.sql;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Set;
import org.medlake.query.plan.PruningPredicate;

/**
 * A statement that passed the {@link SqlGuard}.
 *
 * @param sql the statement as DuckDB re-serialised it from the validated parse tree; run this,
 *     never the analyst's raw text
 * @param tables the catalogue tables the statement reads
 * @param predicates conditions every result row satisfies, for scan pruning; possibly looser than
 *     the statement's own filter, never stricter
 */
public record GuardedSql(String sql, Set<String> tables, List<PruningPredicate> predicates) {
  public GuardedSql {
    requireNonNull(sql, "sql is null");
    tables = Set.copyOf(tables);
    predicates = List.copyOf(predicates);
  }
}
