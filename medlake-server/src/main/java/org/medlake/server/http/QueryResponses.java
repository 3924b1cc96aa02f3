package org.medlake.server.http;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.medlake.query.engine.QueryResult;
import org.medlake.query.result.ResultTable;

/**
 * Writes query answers as JSON. The rows of an answer are serialized once per result table (held
 * weakly, by identity), so an answer served again from the in-process result cache costs only its
 * small envelope (cost figures, cached flag), not its rows.
 */
final class QueryResponses {
  private static final byte[] RESULT = "{\"result\":".getBytes(StandardCharsets.UTF_8);

  private final ObjectMapper json;
  private final Cache<ResultTable, byte[]> serializedTables =
      Caffeine.newBuilder().weakKeys().maximumSize(1_000).build();

  QueryResponses(ObjectMapper json) {
    this.json = json;
  }

  /**
   * The same document as {@code context.json(result)}: {@link QueryResult}'s properties, in its
   * order.
   */
  void send(Context context, QueryResult result) {
    context.contentType("application/json").result(bytes(result));
  }

  byte[] bytes(QueryResult result) {
    byte[] table = serializedTables.get(result.table(), this::serialize);
    StringBuilder tail = new StringBuilder(192);
    tail.append(",\"files_scanned\":")
        .append(result.filesScanned())
        .append(",\"bytes_scanned\":")
        .append(result.bytesScanned())
        .append(",\"snapshot_ids\":{");
    boolean first = true;
    for (Map.Entry<String, Long> snapshot : result.snapshotIds().entrySet()) {
      tail.append(first ? "\"" : ",\"");
      JsonStringEncoder.getInstance().quoteAsString(snapshot.getKey(), tail);
      tail.append("\":").append(snapshot.getValue());
      first = false;
    }
    tail.append("},\"elapsed_ms\":")
        .append(result.elapsedMs())
        .append(",\"cached\":")
        .append(result.cached())
        .append(",\"suppressed_cells\":")
        .append(result.suppressedCells())
        .append('}');
    byte[] end = tail.toString().getBytes(StandardCharsets.UTF_8);
    byte[] document = new byte[RESULT.length + table.length + end.length];
    System.arraycopy(RESULT, 0, document, 0, RESULT.length);
    System.arraycopy(table, 0, document, RESULT.length, table.length);
    System.arraycopy(end, 0, document, RESULT.length + table.length, end.length);
    return document;
  }

  private byte[] serialize(ResultTable table) {
    try {
      return json.writeValueAsBytes(table);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
