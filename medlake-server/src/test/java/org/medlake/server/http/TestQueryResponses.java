package org.medlake.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.time.LocalDateTime;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.medlake.query.engine.QueryResult;
import org.medlake.query.result.ResultColumn;
import org.medlake.query.result.ResultTable;

class TestQueryResponses {
  private final ObjectMapper json =
      new ObjectMapper()
          .registerModule(new JavaTimeModule())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

  @Test
  void theDocumentIsTheOneJacksonWritesForTheResult() throws Exception {
    ResultTable table =
        new ResultTable(
            List.of(
                new ResultColumn("hospital_id", "VARCHAR"),
                new ResultColumn("n", "BIGINT"),
                new ResultColumn("at", "TIMESTAMP"),
                new ResultColumn("codes", "VARCHAR[]")),
            List.of(
                Arrays.asList(
                    "H001",
                    12L,
                    LocalDateTime.of(2024, 1, 2, 3, 4),
                    List.of("2345-7", "\"quoted\"")),
                Arrays.asList(null, null, null, null)));
    java.util.Map<String, Long> snapshots = new java.util.HashMap<>();
    snapshots.put("lab_results", 42L);
    snapshots.put("empty_table", null);
    QueryResult fresh = new QueryResult(table, 3, 4096, snapshots, 17, false, 2);
    QueryResult cached = new QueryResult(table, 3, 4096, Map.of("lab_results", 42L), 0, true, 2);
    QueryResponses responses = new QueryResponses(json);

    assertThat(json.readTree(responses.bytes(fresh)))
        .isEqualTo(json.readTree(json.writeValueAsBytes(fresh)));
    assertThat(json.readTree(responses.bytes(cached)))
        .as("the second answer reuses the serialized rows")
        .isEqualTo(json.readTree(json.writeValueAsBytes(cached)));
    assertThat(new String(responses.bytes(fresh), java.nio.charset.StandardCharsets.UTF_8))
        .startsWith("{\"result\":{\"columns\":")
        .contains("\"cached\":false");
  }
}
