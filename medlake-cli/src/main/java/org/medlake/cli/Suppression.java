package org.medlake.cli;

import java.util.function.UnaryOperator;
import org.medlake.core.config.QueryConfig;
import org.medlake.core.security.Role;
import org.medlake.query.engine.QueryResult;
import org.medlake.query.predefined.PredefinedQuery;

/** Small-cell suppression applies to aggregate-only callers (viewers). */
final class Suppression {
  private Suppression() {}

  static UnaryOperator<QueryResult> forRole(Role role, PredefinedQuery query, QueryConfig config) {
    return UnaryOperator.identity();
  }
}
