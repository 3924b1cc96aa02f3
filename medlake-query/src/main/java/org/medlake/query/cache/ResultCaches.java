package org.medlake.query.cache;

import java.time.Duration;
import org.medlake.core.config.QueryConfig;

/**
 * The cache a deployment configured: Redis when {@code query.redis-url} is set, else in process.
 */
public final class ResultCaches {
  private ResultCaches() {}

  public static ResultCache create(QueryConfig config) {
    return config
        .redisUrl()
        .<ResultCache>map(
            url -> new RedisResultCache(url, Duration.ofSeconds(config.cacheTtlSeconds())))
        .orElseGet(() -> new InProcessResultCache(config.cacheEntries(), config.cacheBytes()));
  }
}
