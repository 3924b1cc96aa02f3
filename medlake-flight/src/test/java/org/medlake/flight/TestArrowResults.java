package org.medlake.flight;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.Arrays;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.junit.jupiter.api.Test;
import org.medlake.core.error.ErrorCode;
import org.medlake.query.result.ResultColumn;
import org.medlake.query.result.ResultTable;

/** Engine types to Arrow types, values written and read back, statuses of errors. */
class TestArrowResults {
  @Test
  void engineTypesBecomeTheArrowTypesABiToolReadsBackAsTheSameValue() {
    assertThat(ArrowResults.type("BIGINT")).isEqualTo(new ArrowType.Int(64, true));
    assertThat(ArrowResults.type("integer")).isEqualTo(new ArrowType.Int(64, true));
    assertThat(ArrowResults.type("DOUBLE")).isInstanceOf(ArrowType.FloatingPoint.class);
    assertThat(ArrowResults.type("DECIMAL(18,3)")).isEqualTo(new ArrowType.Decimal(18, 3, 128));
    assertThat(ArrowResults.type("TIMESTAMP"))
        .isEqualTo(
            new ArrowType.Timestamp(org.apache.arrow.vector.types.TimeUnit.MICROSECOND, null));
    assertThat(ArrowResults.type("timestamp(6)")).isEqualTo(ArrowResults.type("TIMESTAMP"));
    assertThat(ArrowResults.type("DATE")).isInstanceOf(ArrowType.Date.class);
    assertThat(ArrowResults.type("BOOLEAN")).isEqualTo(ArrowType.Bool.INSTANCE);
    // what has no faithful Arrow twin here is sent as text, as the HTTP API's JSON writes it
    assertThat(ArrowResults.type("VARCHAR[]")).isEqualTo(ArrowType.Utf8.INSTANCE);
    assertThat(ArrowResults.type("TIMESTAMP WITH TIME ZONE")).isEqualTo(ArrowType.Utf8.INSTANCE);
    assertThat(ArrowResults.type("INTERVAL")).isEqualTo(ArrowType.Utf8.INSTANCE);
  }

  @Test
  void rowsAreWrittenInBatchesAndReadBackAsTheyWere() {
    ResultTable table =
        new ResultTable(
            List.of(
                new ResultColumn("hospital_id", "VARCHAR"),
                new ResultColumn("n", "BIGINT"),
                new ResultColumn("mean", "DOUBLE"),
                new ResultColumn("share", "DECIMAL(5,2)"),
                new ResultColumn("first", "TIMESTAMP"),
                new ResultColumn("day", "DATE"),
                new ResultColumn("codes", "VARCHAR[]")),
            List.of(
                Arrays.asList(
                    "H001",
                    12L,
                    4.25,
                    new BigDecimal("0.5"),
                    LocalDateTime.parse("2024-03-01T10:15:30.123456"),
                    LocalDate.parse("2024-03-01"),
                    List.of("2345-7", "718-7")),
                Arrays.asList("H002", null, null, null, null, null, null)));
    try (BufferAllocator allocator = new RootAllocator();
        VectorSchemaRoot root =
            VectorSchemaRoot.create(ArrowResults.schema(table.columns()), allocator)) {
      ArrowResults.fill(root, table, 1, 2);
      assertThat(root.getRowCount()).isEqualTo(1);
      assertThat(root.getVector("hospital_id").getObject(0).toString()).isEqualTo("H002");
      assertThat(root.getVector("n").isNull(0)).isTrue();
      ArrowResults.fill(root, table, 0, 1);
      assertThat(root.getVector("n").getObject(0)).isEqualTo(12L);
      assertThat(root.getVector("mean").getObject(0)).isEqualTo(4.25);
      assertThat(root.getVector("share").getObject(0)).isEqualTo(new BigDecimal("0.50"));
      assertThat(root.getVector("first").getObject(0))
          .isEqualTo(LocalDateTime.parse("2024-03-01T10:15:30.123456"));
      assertThat(root.getVector("day").getObject(0)).isEqualTo(19783);
      assertThat(root.getVector("codes").getObject(0).toString()).isEqualTo("[2345-7, 718-7]");
    }
  }

  @Test
  void likePatternsAndErrorStatusesFollowTheirRules() {
    assertThat(CatalogMetadata.like("lab%").matcher("lab_results").matches()).isTrue();
    assertThat(CatalogMetadata.like("lab\\_results").matcher("labxresults").matches()).isFalse();
    assertThat(CatalogMetadata.like("lab_results").matcher("labxresults").matches()).isTrue();
    assertThat(CatalogMetadata.like("%").matcher("").matches()).isTrue();
    assertThat(FlightErrors.status(ErrorCode.FORBIDDEN).code())
        .isEqualTo(org.apache.arrow.flight.FlightStatusCode.UNAUTHORIZED);
    assertThat(FlightErrors.status(ErrorCode.BUDGET_EXCEEDED).code())
        .isEqualTo(org.apache.arrow.flight.FlightStatusCode.RESOURCE_EXHAUSTED);
    assertThat(FlightErrors.status(ErrorCode.QUERY_REFUSED).code())
        .isEqualTo(org.apache.arrow.flight.FlightStatusCode.INVALID_ARGUMENT);
  }
}
