package org.medlake.flight;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.TimeStampMicroVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.medlake.query.result.ResultColumn;
import org.medlake.query.result.ResultTable;

/**
 * A query result as Arrow: each column's engine type (DuckDB's, or a JDBC engine's name for it)
 * becomes the Arrow type a BI tool reads back as the same value (integers as 64-bit, reals as
 * doubles, decimals with their precision and scale, dates, timestamps in microseconds without a
 * zone, as the tables store them); any other type (lists, intervals, zoned times) is sent as its
 * text, as the HTTP API's JSON writes it.
 */
final class ArrowResults {
  private static final Pattern DECIMAL =
      Pattern.compile("(?:DECIMAL|NUMERIC)\\s*\\(\\s*(\\d+)\\s*,\\s*(\\d+)\\s*\\)");
  private static final List<String> INTEGERS =
      List.of(
          "BIGINT",
          "INTEGER",
          "INT",
          "SMALLINT",
          "TINYINT",
          "UBIGINT",
          "UINTEGER",
          "USMALLINT",
          "UTINYINT",
          "HUGEINT",
          "INT8",
          "INT4",
          "INT2",
          "INT1",
          "LONG");
  private static final List<String> REALS =
      List.of("DOUBLE", "FLOAT", "REAL", "DOUBLE PRECISION", "FLOAT8", "FLOAT4");

  private ArrowResults() {}

  static Schema schema(List<ResultColumn> columns) {
    List<Field> fields = new ArrayList<>(columns.size());
    for (ResultColumn column : columns) {
      fields.add(new Field(column.name(), FieldType.nullable(type(column.type())), null));
    }
    return new Schema(fields);
  }

  static ArrowType type(String engineType) {
    String type = engineType.trim().toUpperCase(Locale.ROOT);
    if (type.endsWith("]") || type.startsWith("ARRAY") || type.contains("WITH TIME ZONE")) {
      return ArrowType.Utf8.INSTANCE;
    }
    Matcher decimal = DECIMAL.matcher(type);
    if (decimal.matches()) {
      int precision = Integer.parseInt(decimal.group(1));
      if (precision >= 1 && precision <= 38) {
        return new ArrowType.Decimal(precision, Integer.parseInt(decimal.group(2)), 128);
      }
      return ArrowType.Utf8.INSTANCE;
    }
    if (INTEGERS.contains(type)) {
      return new ArrowType.Int(64, true);
    }
    if (REALS.contains(type)) {
      return new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);
    }
    if (type.equals("BOOLEAN") || type.equals("BOOL")) {
      return ArrowType.Bool.INSTANCE;
    }
    if (type.equals("DATE")) {
      return new ArrowType.Date(DateUnit.DAY);
    }
    if (type.equals("TIMESTAMP") || type.matches("TIMESTAMP(_S|_MS|_NS|\\s*\\(\\d\\))")) {
      return new ArrowType.Timestamp(TimeUnit.MICROSECOND, null);
    }
    return ArrowType.Utf8.INSTANCE;
  }

  /** Writes rows {@code from} to {@code to} (exclusive) of {@code table} into {@code root}. */
  static void fill(VectorSchemaRoot root, ResultTable table, int from, int to) {
    root.allocateNew();
    List<FieldVector> vectors = root.getFieldVectors();
    for (int row = from; row < to; row++) {
      List<Object> cells = table.rows().get(row);
      for (int column = 0; column < vectors.size(); column++) {
        set(vectors.get(column), row - from, cells.get(column));
      }
    }
    root.setRowCount(to - from);
  }

  private static void set(FieldVector vector, int index, Object value) {
    if (value == null) {
      vector.setNull(index);
      return;
    }
    if (vector instanceof BigIntVector longs) {
      longs.setSafe(index, ((Number) value).longValue());
    } else if (vector instanceof Float8Vector doubles) {
      doubles.setSafe(index, ((Number) value).doubleValue());
    } else if (vector instanceof BitVector bits) {
      bits.setSafe(index, Boolean.TRUE.equals(value) ? 1 : 0);
    } else if (vector instanceof DateDayVector dates) {
      dates.setSafe(index, (int) date(value).toEpochDay());
    } else if (vector instanceof TimeStampMicroVector timestamps) {
      timestamps.setSafe(
          index,
          ChronoUnit.MICROS.between(
              java.time.Instant.EPOCH, timestamp(value).toInstant(ZoneOffset.UTC)));
    } else if (vector instanceof DecimalVector decimals) {
      decimals.setSafe(index, decimal(value).setScale(decimals.getScale(), RoundingMode.HALF_EVEN));
    } else if (vector instanceof VarCharVector texts) {
      texts.setSafe(index, String.valueOf(value).getBytes(StandardCharsets.UTF_8));
    } else {
      throw new IllegalStateException("no writer for " + vector.getClass().getSimpleName());
    }
  }

  private static LocalDate date(Object value) {
    return value instanceof LocalDate date ? date : LocalDate.parse(value.toString());
  }

  private static LocalDateTime timestamp(Object value) {
    return value instanceof LocalDateTime time ? time : LocalDateTime.parse(value.toString());
  }

  private static BigDecimal decimal(Object value) {
    return value instanceof BigDecimal decimal ? decimal : new BigDecimal(value.toString());
  }
}
