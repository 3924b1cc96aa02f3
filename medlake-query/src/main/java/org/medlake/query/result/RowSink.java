package org.medlake.query.result;

import java.io.IOException;
import java.util.List;

/** Receives a result as the engine reads it: the columns once, then every row in order. */
public interface RowSink {
  void columns(List<ResultColumn> columns) throws IOException;

  /**
   * Cells as in {@link ResultTable}: String, Long, Double, Boolean, LocalDateTime, LocalDate,
   * BigDecimal, List, or null.
   */
  void row(List<Object> row) throws IOException;
}
