package org.medlake.query.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.Optional;
import org.medlake.query.engine.EmbeddedQueryEngine;
import org.medlake.query.engine.QueryResult;

/**
 * A bounded in-process cache (Caffeine), the embedded default: at most {@code maximumEntries}
 * answers and at most {@code maximumBytes} of rows (estimated as {@code query.max-result-bytes}
 * counts them), so the cache cannot hold the heap even when each answer is near the result limit.
 */
public final class InProcessResultCache implements ResultCache {
  private final Cache<String, QueryResult> cache;

  public InProcessResultCache(int maximumEntries) {
    this(maximumEntries, org.medlake.core.config.QueryConfig.DEFAULT_CACHE_BYTES);
  }

  public InProcessResultCache(int maximumEntries, long maximumBytes) {
    long entries = maximumEntries;
    // weights in KiB (an int per entry); an answer weighs at least 1 KiB, so the entry bound holds
    // too
    long maximumKib = Math.max(1, Math.min(maximumBytes >> 10, entries * (Integer.MAX_VALUE / 2)));
    this.cache =
        Caffeine.newBuilder()
            .maximumWeight(maximumKib)
            .<String, QueryResult>weigher(
                (key, result) ->
                    (int)
                        Math.min(
                            Integer.MAX_VALUE,
                            Math.max(
                                Math.max(1, maximumKib / Math.max(1, entries)),
                                (EmbeddedQueryEngine.estimatedBytes(result.table()) >> 10) + 1)))
            .build();
  }

  /** Drops what eviction decided (eviction runs in the background otherwise); for tests. */
  void cleanUp() {
    cache.cleanUp();
  }

  @Override
  public Optional<QueryResult> get(String key) {
    return Optional.ofNullable(cache.getIfPresent(key));
  }

  @Override
  public void put(String key, QueryResult result) {
    cache.put(key, result);
  }
}
