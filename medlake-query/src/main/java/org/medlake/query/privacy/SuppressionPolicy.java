package org.medlake.query.privacy;

import java.util.function.UnaryOperator;
import org.medlake.core.config.QueryConfig;
import org.medlake.core.error.ErrorCode;
import org.medlake.core.error.MedlakeException;
import org.medlake.core.security.Role;
import org.medlake.query.engine.QueryResult;
import org.medlake.query.predefined.PredefinedQuery;
import org.medlake.query.result.ResultTable;

/**
 * Small-cell suppression and count obfuscation ({@link CountNoise}) apply to aggregate-only callers
 * (viewers); others see the result as computed.
 */
public final class SuppressionPolicy {
  private SuppressionPolicy() {}

  /**
   * What to apply to a fresh result of {@code query} for {@code role}, before it is cached. For an
   * aggregate-only role a query must declare its suppression (docs/privacy.md): one declared {@code
   * aggregate-only: refused}, or declaring nothing, is refused here, before anything runs.
   */
  public static UnaryOperator<QueryResult> forRole(
      Role role, PredefinedQuery query, QueryConfig config) {
    return forRole(role, query, config, CountNoise.perProcess(config.obfuscation()));
  }

  /**
   * As {@link #forRole(Role, PredefinedQuery, QueryConfig)}, with the counts of visible rows (the
   * patient count and every measure holding integers) obfuscated by {@code noise}.
   */
  public static UnaryOperator<QueryResult> forRole(
      Role role, PredefinedQuery query, QueryConfig config, CountNoise noise) {
    if (role != Role.VIEWER) {
      return UnaryOperator.identity();
    }
    switch (query.aggregateOnly()) {
      case REFUSED ->
          throw new MedlakeException(
              ErrorCode.QUERY_REFUSED,
              "Predefined query %s is not available to aggregate-only roles (aggregate-only: refused in %s)"
                  .formatted(query.name(), query.source()));
      case UNDECLARED ->
          throw new MedlakeException(
              ErrorCode.QUERY_REFUSED,
              "%s: predefined query %s declares no small-cell suppression (patient-count-column) nor 'aggregate-only: refused', so it does not load for aggregate-only roles"
                  .formatted(query.source(), query.name()));
      case SUPPRESSED -> {
        // below
      }
    }
    SmallCellSuppressor suppressor = new SmallCellSuppressor(config.minimumCellPatients());
    return result -> {
      SuppressedResult suppressed =
          suppressor.suppress(
              result.table(),
              query.groupColumns(),
              query.patientCountColumn(),
              query.measureColumns());
      java.util.Set<String> counts = new java.util.HashSet<>(query.measureColumns());
      counts.add(query.patientCountColumn());
      ResultTable shown =
          noise.apply(
              suppressed.table(), query.groupColumns(), counts, suppressed.suppressedRows());
      return new QueryResult(
          shown,
          result.filesScanned(),
          result.bytesScanned(),
          result.snapshotIds(),
          result.elapsedMs(),
          result.cached(),
          suppressed.suppressedCells());
    };
  }

  /** The part of the cache key that says how the caller's answers are shaped. */
  public static String policy(Role role, QueryConfig config) {
    return role == Role.VIEWER
        ? role.key()
            + " k="
            + config.minimumCellPatients()
            + CountNoise.perProcess(config.obfuscation()).policy()
        : role.key();
  }
}
