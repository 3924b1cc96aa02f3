package org.medlake.core.config;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.EnumMap;
import java.util.Map;
import org.medlake.core.security.Role;

/**
 * Settings of the query services.
 *
 * @param pricePerTerabyte price of scanning one TB, for the pre-flight estimate (USD)
 * @param maxRows a result with more rows is refused
 * @param timeoutSeconds a query is cancelled after this long
 * @param memoryLimit DuckDB memory per query
 * @param threads DuckDB threads per query
 * @param fullScanBytes a query that reads every file of a table larger than this is flagged as a
 *     full scan
 * @param minimumCellPatients k of small-cell suppression for aggregate-only users
 * @param cacheEntries bound of the in-process result cache
 * @param budgets bytes one query may scan, per role
 * @param redisUrl when set, results are cached in this Redis (shared by several servers) instead of
 *     in process
 * @param cacheTtlSeconds how long a cached result lives in Redis
 * @param exportRows rows one download may hold, per role (downloads are streamed: not bound by
 *     {@code maxRows})
 * @param fileCacheBytes bound of the local copies of data files of an {@code s3://} warehouse
 * @param engine which engine executes queries (embedded DuckDB or a JDBC endpoint)
 * @param obfuscation how counts shown to aggregate-only users are perturbed against differencing
 * @param maxResultBytes a result held in memory (SQL, structured, predefined answers and their
 *     exports) over this size is refused
 * @param maxCellBytes a result with one value over this size is refused, whatever the channel
 * @param maxExportBytes a streamed download (SQL export, spooled to disk) over this size is refused
 * @param cacheBytes bound of the rows the in-process result cache holds (besides {@code
 *     cacheEntries})
 */
public record QueryConfig(
    double pricePerTerabyte,
    long maxRows,
    int timeoutSeconds,
    String memoryLimit,
    int threads,
    long fullScanBytes,
    int minimumCellPatients,
    int cacheEntries,
    Map<Role, Long> budgets,
    java.util.Optional<String> redisUrl,
    long cacheTtlSeconds,
    Map<Role, Long> exportRows,
    long fileCacheBytes,
    QueryEngineConfig engine,
    Obfuscation obfuscation,
    long maxResultBytes,
    long maxCellBytes,
    long maxExportBytes,
    long cacheBytes) {
  static final long DEFAULT_FILE_CACHE_BYTES = 10_000_000_000L;
  public static final long DEFAULT_MAX_RESULT_BYTES = 64L << 20;
  public static final long DEFAULT_MAX_CELL_BYTES = 8L << 20;
  public static final long DEFAULT_MAX_EXPORT_BYTES = 2L << 30;
  public static final long DEFAULT_CACHE_BYTES = 256L << 20;

  /**
   * Count obfuscation for aggregate-only users (docs/privacy.md): every count they see is the true
   * count plus noise drawn from a normal distribution of standard deviation {@code noiseSd}, cut at
   * plus or minus {@code noiseBound}, then rounded to a multiple of {@code roundTo}. The noise is
   * seeded by a server secret and the cell, so asking again gives the same answer.
   *
   * @param noiseSd {@code query.noise-sd}; 0 adds no noise
   * @param noiseBound {@code query.noise-bound}: the noise never exceeds this many counts either
   *     way
   * @param roundTo {@code query.round-to}; 1 does not round
   */
  public record Obfuscation(double noiseSd, int noiseBound, int roundTo) {
    public Obfuscation {
      if (!(noiseSd >= 0) || Double.isInfinite(noiseSd)) {
        throw new org.medlake.core.error.ValidationException(
            org.medlake.core.error.ErrorCode.INVALID_CONFIG,
            "query.noise-sd must be zero or positive, not " + noiseSd);
      }
      if (noiseBound < 0) {
        throw new org.medlake.core.error.ValidationException(
            org.medlake.core.error.ErrorCode.INVALID_CONFIG,
            "query.noise-bound must be zero or positive, not " + noiseBound);
      }
      IngestConfig.positive("query.round-to", roundTo);
    }

    public static Obfuscation defaults() {
      return new Obfuscation(2.0, 6, 5);
    }

    /** Whether counts are changed at all. */
    public boolean enabled() {
      return (noiseSd > 0 && noiseBound > 0) || roundTo > 1;
    }
  }

  public QueryConfig {
    requireNonNull(memoryLimit, "memoryLimit is null");
    IngestConfig.positive("query.max-rows", maxRows);
    IngestConfig.positive("query.timeout-seconds", timeoutSeconds);
    IngestConfig.positive("query.threads", threads);
    IngestConfig.positive("query.cache-entries", cacheEntries);
    if (minimumCellPatients < 2) {
      throw new org.medlake.core.error.ValidationException(
          org.medlake.core.error.ErrorCode.INVALID_CONFIG,
          "query.min-cell-patients must be at least 2, not " + minimumCellPatients);
    }
    budgets = Map.copyOf(budgets);
    requireNonNull(redisUrl, "redisUrl is null");
    IngestConfig.positive("query.cache-ttl-seconds", cacheTtlSeconds);
    exportRows = Map.copyOf(exportRows);
    IngestConfig.positive("query.file-cache-size", fileCacheBytes);
    requireNonNull(engine, "engine is null");
    requireNonNull(obfuscation, "obfuscation is null");
    IngestConfig.positive("query.max-result-bytes", maxResultBytes);
    IngestConfig.positive("query.max-cell-bytes", maxCellBytes);
    IngestConfig.positive("query.max-export-bytes", maxExportBytes);
    IngestConfig.positive("query.cache-bytes", cacheBytes);
  }

  public QueryConfig(
      double pricePerTerabyte,
      long maxRows,
      int timeoutSeconds,
      String memoryLimit,
      int threads,
      long fullScanBytes,
      int minimumCellPatients,
      int cacheEntries,
      Map<Role, Long> budgets,
      java.util.Optional<String> redisUrl,
      long cacheTtlSeconds,
      Map<Role, Long> exportRows,
      long fileCacheBytes,
      QueryEngineConfig engine) {
    this(
        pricePerTerabyte,
        maxRows,
        timeoutSeconds,
        memoryLimit,
        threads,
        fullScanBytes,
        minimumCellPatients,
        cacheEntries,
        budgets,
        redisUrl,
        cacheTtlSeconds,
        exportRows,
        fileCacheBytes,
        engine,
        Obfuscation.defaults(),
        DEFAULT_MAX_RESULT_BYTES,
        DEFAULT_MAX_CELL_BYTES,
        DEFAULT_MAX_EXPORT_BYTES,
        DEFAULT_CACHE_BYTES);
  }

  public QueryConfig(
      double pricePerTerabyte,
      long maxRows,
      int timeoutSeconds,
      String memoryLimit,
      int threads,
      long fullScanBytes,
      int minimumCellPatients,
      int cacheEntries,
      Map<Role, Long> budgets,
      java.util.Optional<String> redisUrl,
      long cacheTtlSeconds,
      Map<Role, Long> exportRows) {
    this(
        pricePerTerabyte,
        maxRows,
        timeoutSeconds,
        memoryLimit,
        threads,
        fullScanBytes,
        minimumCellPatients,
        cacheEntries,
        budgets,
        redisUrl,
        cacheTtlSeconds,
        exportRows,
        DEFAULT_FILE_CACHE_BYTES,
        QueryEngineConfig.defaults());
  }

  /** Rows one download may hold for {@code role}. */
  public long exportRows(Role role) {
    return exportRows.getOrDefault(role, 0L);
  }

  public QueryConfig withRedis(String url) {
    return new QueryConfig(
        pricePerTerabyte,
        maxRows,
        timeoutSeconds,
        memoryLimit,
        threads,
        fullScanBytes,
        minimumCellPatients,
        cacheEntries,
        budgets,
        java.util.Optional.of(url),
        cacheTtlSeconds,
        exportRows,
        fileCacheBytes,
        engine,
        obfuscation,
        maxResultBytes,
        maxCellBytes,
        maxExportBytes,
        cacheBytes);
  }

  public QueryConfig withEngine(QueryEngineConfig engine) {
    return new QueryConfig(
        pricePerTerabyte,
        maxRows,
        timeoutSeconds,
        memoryLimit,
        threads,
        fullScanBytes,
        minimumCellPatients,
        cacheEntries,
        budgets,
        redisUrl,
        cacheTtlSeconds,
        exportRows,
        fileCacheBytes,
        engine,
        obfuscation,
        maxResultBytes,
        maxCellBytes,
        maxExportBytes,
        cacheBytes);
  }

  public QueryConfig withObfuscation(Obfuscation obfuscation) {
    return new QueryConfig(
        pricePerTerabyte,
        maxRows,
        timeoutSeconds,
        memoryLimit,
        threads,
        fullScanBytes,
        minimumCellPatients,
        cacheEntries,
        budgets,
        redisUrl,
        cacheTtlSeconds,
        exportRows,
        fileCacheBytes,
        engine,
        obfuscation,
        maxResultBytes,
        maxCellBytes,
        maxExportBytes,
        cacheBytes);
  }

  public static QueryConfig defaults() {
    Map<Role, Long> budgets = new EnumMap<>(Role.class);
    budgets.put(Role.VIEWER, 10_000_000_000L);
    budgets.put(Role.ANALYST, 1_000_000_000_000L);
    budgets.put(Role.ADMIN, 10_000_000_000_000L);
    budgets.put(Role.UPLOADER, 1_000_000_000L);
    Map<Role, Long> exportRows = new EnumMap<>(Role.class);
    exportRows.put(Role.VIEWER, 10_000L);
    exportRows.put(Role.ANALYST, 1_000_000L);
    exportRows.put(Role.ADMIN, 1_000_000L);
    exportRows.put(Role.UPLOADER, 0L);
    return new QueryConfig(
        5.0,
        100_000,
        120,
        "1GB",
        2,
        1_000_000_000L,
        11,
        1000,
        budgets,
        java.util.Optional.empty(),
        86_400,
        exportRows);
  }

  public long budget(Role role) {
    return budgets.getOrDefault(role, 0L);
  }

  @JsonCreator
  static QueryConfig fromYaml(
      @JsonProperty("price-per-tb") Double pricePerTerabyte,
      @JsonProperty("max-rows") Long maxRows,
      @JsonProperty("timeout-seconds") Integer timeoutSeconds,
      @JsonProperty("memory-limit") String memoryLimit,
      @JsonProperty("threads") Integer threads,
      @JsonProperty("full-scan-bytes") String fullScanBytes,
      @JsonProperty("min-cell-patients") Integer minimumCellPatients,
      @JsonProperty("cache-entries") Integer cacheEntries,
      @JsonProperty("budgets") Map<String, String> budgets,
      @JsonProperty("redis-url") String redisUrl,
      @JsonProperty("cache-ttl-seconds") Long cacheTtlSeconds,
      @JsonProperty("export-rows") Map<String, Long> exportRows,
      @JsonProperty("file-cache-size") String fileCacheSize,
      @JsonProperty("engine") String engine,
      @JsonProperty("jdbc") QueryEngineConfig.Jdbc jdbc,
      @JsonProperty("noise-sd") Double noiseSd,
      @JsonProperty("noise-bound") Integer noiseBound,
      @JsonProperty("round-to") Integer roundTo,
      @JsonProperty("max-result-bytes") String maxResultBytes,
      @JsonProperty("max-cell-bytes") String maxCellBytes,
      @JsonProperty("max-export-bytes") String maxExportBytes,
      @JsonProperty("cache-bytes") String cacheBytes) {
    Obfuscation obfuscation = Obfuscation.defaults();
    QueryConfig defaults = defaults();
    Map<Role, Long> roleBudgets = new EnumMap<>(defaults.budgets());
    if (budgets != null) {
      budgets.forEach(
          (role, size) ->
              roleBudgets.put(Role.parse(role), ByteSize.parse("query.budgets." + role, size)));
    }
    return new QueryConfig(
        pricePerTerabyte == null ? defaults.pricePerTerabyte() : pricePerTerabyte,
        maxRows == null ? defaults.maxRows() : maxRows,
        timeoutSeconds == null ? defaults.timeoutSeconds() : timeoutSeconds,
        memoryLimit == null ? defaults.memoryLimit() : memoryLimit,
        threads == null ? defaults.threads() : threads,
        fullScanBytes == null
            ? defaults.fullScanBytes()
            : ByteSize.parse("query.full-scan-bytes", fullScanBytes),
        minimumCellPatients == null ? defaults.minimumCellPatients() : minimumCellPatients,
        cacheEntries == null ? defaults.cacheEntries() : cacheEntries,
        roleBudgets,
        java.util.Optional.ofNullable(redisUrl).filter(url -> !url.isBlank()),
        cacheTtlSeconds == null ? defaults.cacheTtlSeconds() : cacheTtlSeconds,
        roleRows(defaults.exportRows(), exportRows),
        fileCacheSize == null
            ? defaults.fileCacheBytes()
            : ByteSize.parse("query.file-cache-size", fileCacheSize),
        QueryEngineConfig.of(engine, jdbc),
        new Obfuscation(
            noiseSd == null ? obfuscation.noiseSd() : noiseSd,
            noiseBound == null ? obfuscation.noiseBound() : noiseBound,
            roundTo == null ? obfuscation.roundTo() : roundTo),
        maxResultBytes == null
            ? defaults.maxResultBytes()
            : ByteSize.parse("query.max-result-bytes", maxResultBytes),
        maxCellBytes == null
            ? defaults.maxCellBytes()
            : ByteSize.parse("query.max-cell-bytes", maxCellBytes),
        maxExportBytes == null
            ? defaults.maxExportBytes()
            : ByteSize.parse("query.max-export-bytes", maxExportBytes),
        cacheBytes == null
            ? defaults.cacheBytes()
            : ByteSize.parse("query.cache-bytes", cacheBytes));
  }

  private static Map<Role, Long> roleRows(Map<Role, Long> defaults, Map<String, Long> configured) {
    Map<Role, Long> rows = new EnumMap<>(defaults);
    if (configured != null) {
      configured.forEach(
          (role, limit) -> {
            if (limit == null || limit < 0) {
              throw new org.medlake.core.error.ValidationException(
                  org.medlake.core.error.ErrorCode.INVALID_CONFIG,
                  "query.export-rows." + role + " must be zero or positive, not " + limit);
            }
            rows.put(Role.parse(role), limit);
          });
    }
    return rows;
  }
}
