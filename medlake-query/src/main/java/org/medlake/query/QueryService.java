package org.medlake.query;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.medlake.core.config.QueryConfig;
import org.medlake.core.contract.TableContract;
import org.medlake.core.security.Role;
import org.medlake.lake.Lakehouse;
import org.medlake.query.cache.CacheKey;
import org.medlake.query.cache.ResultCache;
import org.medlake.query.catalog.CatalogService;
import org.medlake.query.cost.CostEstimator;
import org.medlake.query.cost.Estimate;
import org.medlake.query.engine.AsOf;
import org.medlake.query.engine.EmbeddedQueryEngine;
import org.medlake.query.engine.JdbcQueryEngine;
import org.medlake.query.engine.PlannedTable;
import org.medlake.query.engine.QueryEngine;
import org.medlake.query.engine.QueryLimits;
import org.medlake.query.engine.QueryRequest;
import org.medlake.query.engine.QueryResult;
import org.medlake.query.engine.StreamedResult;
import org.medlake.query.plan.PruningPredicate;
import org.medlake.query.predefined.PredefinedQuery;
import org.medlake.query.privacy.CountNoise;
import org.medlake.query.privacy.SuppressionPolicy;
import org.medlake.query.result.RowSink;
import org.medlake.query.sql.GuardedSql;
import org.medlake.query.sql.SqlGuard;

/**
 * Runs validated queries: plan with Iceberg, estimate and enforce the caller's budget, answer from
 * the cache when the same query already ran on the same snapshots, else execute with DuckDB (or the
 * JDBC endpoint of {@code query.engine: jdbc}).
 */
public final class QueryService {
  private final QueryConfig config;
  private final QueryEngine engine;
  private final CostEstimator estimator;
  private final ResultCache cache;
  private volatile CountNoise noise;

  public QueryService(Lakehouse lakehouse, QueryConfig config, ResultCache cache) {
    this(lakehouse, config, cache, java.time.Duration.ZERO);
  }

  /**
   * @param refreshInterval how long a table's current snapshot may be reused without asking the
   *     catalogue (a server trades this much staleness of new loads for throughput)
   */
  public QueryService(
      Lakehouse lakehouse,
      QueryConfig config,
      ResultCache cache,
      java.time.Duration refreshInterval) {
    this.config = config;
    QueryLimits limits =
        new QueryLimits(
            config.maxRows(),
            config.timeoutSeconds(),
            config.memoryLimit(),
            config.threads(),
            config.maxResultBytes(),
            config.maxCellBytes(),
            config.maxExportBytes());
    EmbeddedQueryEngine embedded = new EmbeddedQueryEngine(lakehouse, limits, refreshInterval);
    this.engine =
        switch (config.engine().kind()) {
          case EMBEDDED -> embedded;
          case JDBC -> new JdbcQueryEngine(embedded, config.engine(), limits);
        };
    this.estimator = new CostEstimator(config);
    this.cache = cache;
    this.noise = CountNoise.perProcess(config.obfuscation());
  }

  /**
   * Seeds the count obfuscation of aggregate-only answers with the installation's secret (see
   * {@link CountNoise#keyFrom}), so that every process of it gives the same answers; without it the
   * secret is random per process.
   */
  public QueryService withNoiseKey(byte[] key) {
    this.noise = new CountNoise(config.obfuscation(), key);
    return this;
  }

  /** The count obfuscation of aggregate-only answers. */
  public CountNoise countNoise() {
    return noise;
  }

  /**
   * An ad-hoc SELECT of a caller, passed through the SQL guard against the tables the role may
   * read; the guard's pruning predicates go to Iceberg planning.
   */
  public static QueryRequest sqlRequest(String sql, Role role, AsOf asOf) {
    Set<String> tables =
        CatalogService.visibleTables(role).stream()
            .map(TableContract::name)
            .collect(Collectors.toSet());
    GuardedSql guarded =
        new SqlGuard(tables, CatalogService.withheldTables(role), SqlGuard.defaultFunctions())
            .check(sql);
    Map<String, List<PruningPredicate>> predicates = new HashMap<>();
    guarded.tables().forEach(table -> predicates.put(table, guarded.predicates()));
    return new QueryRequest(guarded.sql(), List.of(), guarded.tables(), predicates, Set.of(), asOf);
  }

  /**
   * A bound predefined query, answered with the caller's role policy (small-cell suppression for
   * viewers).
   */
  public QueryResult runPredefined(PredefinedQuery query, QueryRequest request, Role role) {
    return run(
        request,
        role,
        SuppressionPolicy.policy(role, config),
        SuppressionPolicy.forRole(role, query, config, noise));
  }

  /**
   * Runs a request and streams its rows into {@code sink} (for downloads): planned and held to the
   * role's scan budget like {@link #run}, but neither cached nor held in memory, and limited to
   * {@code maxRows} rows instead of {@code query.max-rows}. No suppression: only for callers whose
   * role sees row-level data.
   */
  public StreamedResult stream(QueryRequest request, Role role, long maxRows, RowSink sink) {
    List<PlannedTable> planned = engine.plan(request);
    estimator.enforceBudget(estimator.estimate(planned, role), role);
    return engine.stream(request, planned, maxRows, sink);
  }

  /** The pre-flight estimate: what the query would scan and cost, without running it. */
  public Estimate estimate(QueryRequest request, Role role) {
    return estimator.estimate(engine.plan(request), role);
  }

  /**
   * @param policy what shapes the answer for this caller (role, suppression): part of the cache key
   * @param finisher applied to a fresh result before it is cached (e.g. small-cell suppression)
   */
  public QueryResult run(
      QueryRequest request, Role role, String policy, UnaryOperator<QueryResult> finisher) {
    long start = System.nanoTime();
    // the snapshot ids come from the catalogue pointer alone; a cache hit needs no scan planning
    // (its budget was enforced when it was computed, under the same policy)
    String key =
        CacheKey.of(request.sql(), request.parameters(), policy, engine.snapshots(request));
    Optional<QueryResult> hit = cache.get(key);
    if (hit.isPresent()) {
      QueryResult cached = hit.get();
      return new QueryResult(
          cached.table(),
          cached.filesScanned(),
          cached.bytesScanned(),
          cached.snapshotIds(),
          (System.nanoTime() - start) / 1_000_000,
          true,
          cached.suppressedCells());
    }
    List<PlannedTable> planned = engine.plan(request);
    estimator.enforceBudget(estimator.estimate(planned, role), role);
    QueryResult result = finisher.apply(engine.execute(request, planned));
    // stored under the snapshots the plan read: a load committed since the lookup makes another key
    // (storing under the lookup's key would serve the newer answer for the older snapshot)
    cache.put(
        CacheKey.of(request.sql(), request.parameters(), policy, plannedSnapshots(planned)),
        result);
    return result;
  }

  private static Map<String, Long> plannedSnapshots(List<PlannedTable> planned) {
    Map<String, Long> snapshots = new java.util.TreeMap<>();
    planned.forEach(table -> snapshots.put(table.name(), table.snapshotId()));
    return snapshots;
  }
}
