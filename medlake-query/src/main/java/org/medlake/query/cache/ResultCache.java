package org.medlake.query.cache;

import java.util.Optional;
import org.medlake.query.engine.QueryResult;

/**
 * Query results by key. The key includes the snapshot ids of the tables read, so a new load makes a
 * new key and a stale answer is never served.
 */
public interface ResultCache {
  Optional<QueryResult> get(String key);

  void put(String key, QueryResult result);
}
