package org.medlake.query;

import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.medlake.core.config.QueryConfig;
import org.medlake.core.security.Role;
import org.medlake.lake.Lakehouse;
import org.medlake.query.cache.CacheKey;
import org.medlake.query.cache.ResultCache;
import org.medlake.query.cost.CostEstimator;
import org.medlake.query.cost.Estimate;
import org.medlake.query.engine.EmbeddedQueryEngine;
import org.medlake.query.engine.PlannedTable;
import org.medlake.query.engine.QueryLimits;
import org.medlake.query.engine.QueryRequest;
import org.medlake.query.engine.QueryResult;

/**
 * Runs validated queries: plan with Iceberg, estimate and enforce the caller's budget, answer from
 * the cache when the same query already ran on the same snapshots, else execute with DuckDB.
 */
public final class QueryService {
  private final EmbeddedQueryEngine engine;
  private final CostEstimator estimator;
  private final ResultCache cache;

  public QueryService(Lakehouse lakehouse, QueryConfig config, ResultCache cache) {
    this(lakehouse, config, cache, java.time.Duration.ZERO);
  }

  /**
   * @param refreshInterval how long a table's current snapshot may be reused without asking the
   *     catalogue (a server trades this much staleness of new loads for throughput)
   */
  public QueryService(Lakehouse lakehouse, QueryConfig config, ResultCache cache, java.time.Duration refreshInterval) {
    this.engine = new EmbeddedQueryEngine(lakehouse,
        new QueryLimits(config.maxRows(), config.timeoutSeconds(), config.memoryLimit(), config.threads()), refreshInterval);
    this.estimator = new CostEstimator(config);
    this.cache = cache;
  }

  /** The pre-flight estimate: what the query would scan and cost, without running it. */
  public Estimate estimate(QueryRequest request, Role role) {
    return estimator.estimate(engine.plan(request), role);
  }

  /**
   * @param policy what shapes the answer for this caller (role, suppression): part of the cache key
   * @param finisher applied to a fresh result before it is cached (e.g. small-cell suppression)
   */
  public QueryResult run(QueryRequest request, Role role, String policy, UnaryOperator<QueryResult> finisher) {
    long start = System.nanoTime();
    // the snapshot ids come from the catalogue pointer alone; a cache hit needs no scan planning
    // (its budget was enforced when it was computed, under the same policy)
    String key = CacheKey.of(request.sql(), request.parameters(), policy, engine.snapshots(request));
    Optional<QueryResult> hit = cache.get(key);
    if (hit.isPresent()) {
      QueryResult cached = hit.get();
      return new QueryResult(cached.table(), cached.filesScanned(), cached.bytesScanned(), cached.snapshotIds(),
          (System.nanoTime() - start) / 1_000_000, true, cached.suppressedCells());
    }
    List<PlannedTable> planned = engine.plan(request);
    estimator.enforceBudget(estimator.estimate(planned, role), role);
    QueryResult result = finisher.apply(engine.execute(request, planned));
    cache.put(key, result);
    return result;
  }
}
