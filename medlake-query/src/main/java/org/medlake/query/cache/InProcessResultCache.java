package org.medlake.query.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.Optional;
import org.medlake.query.engine.QueryResult;

/** A bounded in-process cache (Caffeine, size-based eviction), the embedded default. */
public final class InProcessResultCache implements ResultCache {
  private final Cache<String, QueryResult> cache;

  public InProcessResultCache(int maximumEntries) {
    this.cache = Caffeine.newBuilder().maximumSize(maximumEntries).build();
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
