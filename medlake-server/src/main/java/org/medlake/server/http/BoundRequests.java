package org.medlake.server.http;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.Map;
import java.util.TreeMap;
import org.medlake.query.engine.AsOf;
import org.medlake.query.engine.QueryRequest;
import org.medlake.query.predefined.PredefinedQueries;
import org.medlake.query.predefined.PredefinedQuery;

/**
 * Bound requests of recent predefined calls: a repeated call skips parsing and binding its
 * arguments. Keyed by the query's content (name, template, parameters: the record's equality),
 * never by object identity: identity hash codes are not unique, and an edited template must not be
 * answered with the binding of the old one.
 */
final class BoundRequests {
  private final Cache<Key, QueryRequest> bound = Caffeine.newBuilder().maximumSize(10_000).build();

  /** {@link PredefinedQueries#bind}, remembered per (query, arguments, as-of). */
  QueryRequest bind(PredefinedQuery query, Map<String, String> arguments, AsOf asOf) {
    StringBuilder key = new StringBuilder();
    (arguments.size() > 1 ? new TreeMap<>(arguments) : arguments)
        .forEach(
            (name, value) ->
                key.append('|')
                    .append(name.length())
                    .append(':')
                    .append(name)
                    .append(value.length())
                    .append(':')
                    .append(value));
    asOf.snapshotId().ifPresent(id -> key.append("|snapshot:").append(id));
    asOf.timestamp().ifPresent(time -> key.append("|time:").append(time));
    Key content = new Key(query, key.toString());
    QueryRequest request = bound.getIfPresent(content);
    if (request == null) {
      request = PredefinedQueries.bind(query, arguments, asOf);
      bound.put(content, request);
    }
    return request;
  }

  void invalidateAll() {
    bound.invalidateAll();
  }

  /**
   * @param arguments the arguments and as-of, length-prefixed
   */
  private record Key(PredefinedQuery query, String arguments) {}
}
