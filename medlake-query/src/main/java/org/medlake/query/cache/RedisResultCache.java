package org.medlake.query.cache;

import java.time.Duration;
import java.util.Optional;
import org.medlake.query.engine.QueryResult;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.params.SetParams;

/**
 * A result cache in Redis, shared by several servers. Entries expire after a time to live; they
 * never go stale before that, since the key holds the snapshot ids read.
 */
public final class RedisResultCache implements ResultCache, AutoCloseable {
  private static final String PREFIX = "medlake:result:";

  private final RedisClient redis;
  private final Duration timeToLive;

  public RedisResultCache(String url, Duration timeToLive) {
    this.redis = RedisClient.create(url);
    this.timeToLive = timeToLive;
  }

  @Override
  public Optional<QueryResult> get(String key) {
    return Optional.ofNullable(redis.get(PREFIX + key)).map(ResultCodec::decode);
  }

  @Override
  public void put(String key, QueryResult result) {
    redis.set(
        PREFIX + key, ResultCodec.encode(result), SetParams.setParams().ex(timeToLive.toSeconds()));
  }

  @Override
  public void close() {
    redis.close();
  }
}
