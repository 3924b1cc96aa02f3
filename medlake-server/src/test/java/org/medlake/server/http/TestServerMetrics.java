package org.medlake.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.medlake.core.ledger.RunStatus;
import org.medlake.query.engine.QueryResult;
import org.medlake.query.result.ResultTable;

class TestServerMetrics {
  private static final ResultTable EMPTY = new ResultTable(List.of(), List.of());

  @Test
  void everyRunStatusIsCountedFromZeroBeforeTheFirstRun() {
    String scrape = new ServerMetrics().scrape();

    for (RunStatus status : RunStatus.values()) {
      assertThat(scrape).contains("medlake_ingest_runs_total{status=\"" + status + "\"} 0.0");
    }
  }

  @Test
  void queriesCountHitsMissesAndBytesOfComputedAnswersOnly() {
    ServerMetrics metrics = new ServerMetrics();

    metrics.query("predefined", new QueryResult(EMPTY, 2, 1000, Map.of(), 40, false, 0));
    metrics.query("predefined", new QueryResult(EMPTY, 2, 1000, Map.of(), 0, true, 0));
    metrics.query("predefined", new QueryResult(EMPTY, 2, 1000, Map.of(), 0, true, 0));
    metrics.query("sql", new QueryResult(EMPTY, 1, 500, Map.of(), 10, false, 0));

    assertThat(metrics.scrape())
        .contains("medlake_query_cache_total{result=\"hit\"} 2.0")
        .contains("medlake_query_cache_total{result=\"miss\"} 2.0")
        .contains("medlake_query_bytes_scanned_total{kind=\"predefined\"} 1000.0")
        .contains("medlake_query_bytes_scanned_total{kind=\"sql\"} 500.0")
        .contains("medlake_query_duration_seconds_count{cached=\"true\",kind=\"predefined\"} 2")
        .contains("medlake_query_duration_seconds_count{cached=\"false\",kind=\"predefined\"} 1")
        .contains("medlake_query_duration_seconds_sum{cached=\"false\",kind=\"predefined\"} 0.04");
  }
}
