package org.medlake.query.structured;

import static java.util.Objects.requireNonNull;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.medlake.core.contract.Column;
import org.medlake.core.contract.ColumnType;
import org.medlake.core.contract.TableContract;
import org.medlake.core.error.ValidationException;
import org.medlake.query.structured.StructuredQuery.Aggregate;
import org.medlake.query.structured.StructuredQuery.Filter;
import org.medlake.query.structured.StructuredQuery.GroupBy;
import org.medlake.query.structured.StructuredQuery.OrderBy;
import org.medlake.query.structured.ValidatedQuery.AggregateColumn;
import org.medlake.query.structured.ValidatedQuery.BoundFilter;
import org.medlake.query.structured.ValidatedQuery.GroupColumn;
import org.medlake.query.structured.ValidatedQuery.Origin;

/** Checks a structured query against a table contract; each mistake is one line with the values. */
final class QueryValidator {
  static final String BIRTH_YEAR_COLUMN = "patient_birth_year";

  /** The filter column of the age band at collection, which no table has (ageBandFilter). */
  static final String AGE_BAND_FILTER = "age_band";

  static final String COLLECTED_AT_COLUMN = "collected_at";
  static final String PATIENT_COLUMN = "patient_key";
  static final String ABNORMAL_FLAG_COLUMN = "abnormal_flag";
  static final String TEST_CODE_COLUMN = "test_code";
  static final String CANONICAL_UNIT_COLUMN = "unit_canonical";
  static final int MAX_IN_VALUES = 1000;

  private final TableContract contract;
  private final int maxLimit;

  QueryValidator(TableContract contract, int maxLimit) {
    this.contract = requireNonNull(contract, "contract is null");
    if (maxLimit < 1) {
      throw new IllegalArgumentException("maxLimit must be positive, got " + maxLimit);
    }
    this.maxLimit = maxLimit;
  }

  ValidatedQuery validate(StructuredQuery query) {
    if (!query.table().equals(contract.name())) {
      throw new ValidationException(
          "unknown table '%s' (expected %s)".formatted(query.table(), contract.name()));
    }
    if (query.limit() < 1 || query.limit() > maxLimit) {
      throw new ValidationException(
          "limit must be between 1 and %d, got %d".formatted(maxLimit, query.limit()));
    }
    List<BoundFilter> filters = query.filters().stream().map(this::filter).toList();
    List<GroupColumn> groups = new ArrayList<>(query.groupBy().stream().map(this::group).toList());
    List<AggregateColumn> aggregates = query.aggregates().stream().map(this::aggregate).toList();
    aggregates.forEach(aggregate -> groupByUnit(aggregate, groups));
    List<Column> rowColumns = List.of();
    List<String> outputs = new ArrayList<>();
    if (query.rowLevel()) {
      rowColumns =
          query.columns().isEmpty()
              ? contract.columns()
              : query.columns().stream().map(this::column).toList();
      rowColumns.forEach(column -> outputs.add(column.name()));
    } else {
      if (!query.columns().isEmpty()) {
        throw new ValidationException(
            "columns apply to row-level queries only; this query has group_by or aggregates");
      }
      groups.forEach(group -> outputs.add(group.outputName()));
      aggregates.forEach(aggregate -> outputs.add(aggregate.outputName()));
    }
    Set<String> seen = new LinkedHashSet<>();
    for (String output : outputs) {
      if (!seen.add(output)) {
        throw new ValidationException("output column '%s' appears twice".formatted(output));
      }
    }
    for (OrderBy order : query.orderBy()) {
      if (query.rowLevel()) {
        column(order.column());
      } else if (!seen.contains(order.column())) {
        throw new ValidationException(
            "order_by column '%s' is not an output column%s; output columns: %s"
                .formatted(
                    order.column(),
                    ColumnSuggestions.hint(order.column(), seen),
                    String.join(", ", seen)));
      }
    }
    return new ValidatedQuery(
        filters, groups, aggregates, rowColumns, query.orderBy(), query.limit());
  }

  private Column column(String name) {
    return contract
        .column(name)
        .orElseThrow(
            () ->
                new ValidationException(
                    "unknown column '%s'%s"
                        .formatted(name, ColumnSuggestions.hint(name, contract.columnNames()))));
  }

  private BoundFilter filter(Filter filter) {
    if (filter.column().equals(AGE_BAND_FILTER)) {
      return ageBandFilter(filter);
    }
    Column column = column(filter.column());
    FilterOperator operator = filter.operator();
    int count = filter.values().size();
    switch (operator) {
      case IS_NULL, IS_NOT_NULL -> {
        if (count != 0) {
          throw new ValidationException(
              "operator '%s' takes no values, got %d".formatted(operator.symbol(), count));
        }
      }
      case BETWEEN -> {
        if (count != 2) {
          throw new ValidationException("operator 'between' needs 2 values, got " + count);
        }
      }
      case IN -> {
        if (count < 1 || count > MAX_IN_VALUES) {
          throw new ValidationException(
              "operator 'in' needs 1 to %d values, got %d".formatted(MAX_IN_VALUES, count));
        }
      }
      case EQUAL,
          NOT_EQUAL,
          LESS_THAN,
          LESS_THAN_OR_EQUAL,
          GREATER_THAN,
          GREATER_THAN_OR_EQUAL,
          LIKE -> {
        if (count != 1) {
          throw new ValidationException(
              "operator '%s' needs 1 value, got %d".formatted(operator.symbol(), count));
        }
      }
    }
    if (operator == FilterOperator.LIKE && column.type() != ColumnType.STRING) {
      throw new ValidationException(
          "operator 'like' applies to string columns, not " + column.name());
    }
    List<Object> values =
        filter.values().stream().map(value -> bind(filter, column, value)).toList();
    if (operator == FilterOperator.BETWEEN && compare(values.get(0), values.get(1)) > 0) {
      throw new ValidationException(
          "filter %s between: lower bound %s is after upper bound %s"
              .formatted(column.name(), values.get(0), values.get(1)));
    }
    return new BoundFilter(column, operator, values);
  }

  /**
   * A filter on the age band at collection ({@code {"column": "age_band", "op": "in", "values":
   * ["18-29", "90+"]}}), the bands of the age_band bucket; rows without a birth year are in none.
   */
  private BoundFilter ageBandFilter(Filter filter) {
    if (filter.operator() != FilterOperator.IN && filter.operator() != FilterOperator.EQUAL) {
      throw new ValidationException(
          "filter age_band takes operator 'in' or '=', not '%s'"
              .formatted(filter.operator().symbol()));
    }
    if (filter.values().isEmpty()
        || (filter.operator() == FilterOperator.EQUAL && filter.values().size() != 1)) {
      throw new ValidationException(
          "filter age_band %s needs %s"
              .formatted(
                  filter.operator().symbol(),
                  filter.operator() == FilterOperator.EQUAL ? "1 value" : "at least 1 value"));
    }
    for (Object value : filter.values()) {
      if (!StructuredQueryCompiler.AGE_BANDS.contains(value)) {
        throw new ValidationException(
            "filter age_band: '%s' is not an age band (%s)"
                .formatted(value, String.join(", ", StructuredQueryCompiler.AGE_BANDS)));
      }
    }
    Column birthYear = required(BIRTH_YEAR_COLUMN, "filter age_band");
    required(COLLECTED_AT_COLUMN, "filter age_band");
    return new BoundFilter(birthYear, filter.operator(), filter.values(), true);
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static int compare(Object low, Object high) {
    return ((Comparable) low).compareTo(high);
  }

  private static Object bind(Filter filter, Column column, Object value) {
    return switch (column.type()) {
      case STRING -> {
        if (value instanceof String text) {
          yield text;
        }
        throw valueError(filter, value, "is not a string");
      }
      case DOUBLE -> {
        if (value instanceof Long || value instanceof Double) {
          yield ((Number) value).doubleValue();
        }
        throw valueError(filter, value, "is not a number");
      }
      case INT -> {
        if (value instanceof Long number
            && number >= Integer.MIN_VALUE
            && number <= Integer.MAX_VALUE) {
          yield number.intValue();
        }
        throw valueError(filter, value, "is not an integer");
      }
      case LONG -> {
        if (value instanceof Long number) {
          yield number;
        }
        throw valueError(filter, value, "is not an integer");
      }
      case TIMESTAMP -> {
        if (value instanceof String text) {
          yield timestamp(filter, text);
        }
        throw valueError(filter, value, "is not an ISO date or date-time string");
      }
      case STRING_LIST ->
          throw new ValidationException(
              "filter %s %s: columns of type STRING_LIST cannot be filtered"
                  .formatted(filter.column(), filter.operator().symbol()));
    };
  }

  private static LocalDateTime timestamp(Filter filter, String text) {
    String trimmed = text.trim();
    try {
      if (trimmed.length() == 10) {
        return LocalDate.parse(trimmed).atStartOfDay();
      }
      String isoText = trimmed.replace(' ', 'T');
      if (isoText.endsWith("Z") || isoText.matches(".*[+-]\\d\\d:\\d\\d$")) {
        return OffsetDateTime.parse(isoText)
            .withOffsetSameInstant(ZoneOffset.UTC)
            .toLocalDateTime();
      }
      return LocalDateTime.parse(isoText);
    } catch (DateTimeParseException e) {
      throw valueError(filter, text, "is not an ISO date or date-time");
    }
  }

  private static ValidationException valueError(Filter filter, Object value, String problem) {
    String rendered =
        value instanceof String
            ? "'" + value + "'"
            : value instanceof Double number
                ? BigDecimal.valueOf(number).stripTrailingZeros().toPlainString()
                : String.valueOf(value);
    return new ValidationException(
        "filter %s %s: value %s %s"
            .formatted(filter.column(), filter.operator().symbol(), rendered, problem));
  }

  private GroupColumn group(GroupBy group) {
    Column column = column(group.column());
    if (column.type() == ColumnType.STRING_LIST) {
      throw new ValidationException(
          "cannot group by %s of type STRING_LIST".formatted(column.name()));
    }
    Bucket bucket = group.bucket();
    if (bucket == null) {
      return new GroupColumn(column.name(), column, null);
    }
    return switch (bucket) {
      case MONTH, QUARTER, YEAR -> {
        if (column.type() != ColumnType.TIMESTAMP) {
          throw new ValidationException(
              "bucket '%s' applies to timestamp columns, not %s"
                  .formatted(bucket.jsonName(), column.name()));
        }
        yield new GroupColumn(column.name() + "_" + bucket.jsonName(), column, bucket);
      }
      case AGE_BAND -> {
        if (!column.name().equals(BIRTH_YEAR_COLUMN)) {
          throw new ValidationException(
              "bucket 'age_band' applies to %s, not %s"
                  .formatted(BIRTH_YEAR_COLUMN, column.name()));
        }
        required(COLLECTED_AT_COLUMN, "bucket 'age_band'");
        yield new GroupColumn("age_band", column, bucket);
      }
    };
  }

  private AggregateColumn aggregate(Aggregate aggregate) {
    AggregateFunction function = aggregate.function();
    String name = function.jsonName();
    if (function != AggregateFunction.PERCENTILE && aggregate.percentile() != null) {
      throw new ValidationException(
          "aggregate '%s' takes no percentile, got %s".formatted(name, aggregate.percentile()));
    }
    return switch (function) {
      case COUNT -> {
        requireNoColumn(aggregate);
        yield new AggregateColumn("count", function, null, 0);
      }
      case COUNT_DISTINCT_PATIENTS -> {
        requireNoColumn(aggregate);
        yield new AggregateColumn(
            "patients", function, required(PATIENT_COLUMN, "aggregate '" + name + "'"), 0);
      }
      case PERCENT_ABNORMAL -> {
        requireNoColumn(aggregate);
        AbnormalShare.COLUMNS.forEach(column -> required(column, "aggregate '" + name + "'"));
        yield new AggregateColumn(
            "percent_abnormal",
            function,
            required(ABNORMAL_FLAG_COLUMN, "aggregate '" + name + "'"),
            0);
      }
      case SUM, AVG, STDDEV, MIN, MAX -> {
        Column column = aggregatedColumn(aggregate);
        yield new AggregateColumn(name + "_" + column.name(), function, column, 0);
      }
      case PERCENTILE -> {
        Column column = aggregatedColumn(aggregate);
        Double percentile = aggregate.percentile();
        if (percentile == null || !(percentile > 0 && percentile < 1)) {
          throw new ValidationException(
              "aggregate 'percentile' needs a percentile between 0 and 1 (exclusive), got "
                  + percentile);
        }
        String label =
            BigDecimal.valueOf(percentile).movePointRight(2).stripTrailingZeros().toPlainString();
        yield new AggregateColumn(
            "p" + label.replace('.', '_') + "_" + column.name(), function, column, percentile);
      }
    };
  }

  /** Groups by the unit of an aggregated value column unless the query already does. */
  private void groupByUnit(AggregateColumn aggregate, List<GroupColumn> groups) {
    boolean ofValues =
        switch (aggregate.function()) {
          case SUM, AVG, STDDEV, MIN, MAX, PERCENTILE -> true;
          case COUNT, COUNT_DISTINCT_PATIENTS, PERCENT_ABNORMAL -> false;
        };
    if (!ofValues) {
      return;
    }
    ValueUnits.unitColumn(aggregate.column().name())
        .flatMap(contract::column)
        .filter(
            unit ->
                groups.stream()
                    .noneMatch(group -> group.bucket() == null && group.column().equals(unit)))
        .ifPresent(
            unit -> {
              boolean ofTest =
                  unit.name().equals(CANONICAL_UNIT_COLUMN)
                      && contract.column(TEST_CODE_COLUMN).isPresent();
              groups.add(
                  new GroupColumn(
                      unit.name(), unit, null, ofTest ? Origin.TEST_UNIT : Origin.VALUE_UNIT));
            });
  }

  private static void requireNoColumn(Aggregate aggregate) {
    if (aggregate.column() != null) {
      throw new ValidationException(
          "aggregate '%s' takes no column, got %s"
              .formatted(aggregate.function().jsonName(), aggregate.column()));
    }
  }

  private Column aggregatedColumn(Aggregate aggregate) {
    String name = aggregate.function().jsonName();
    if (aggregate.column() == null) {
      throw new ValidationException("aggregate '%s' needs a column".formatted(name));
    }
    Column column = column(aggregate.column());
    boolean numeric =
        column.type() == ColumnType.DOUBLE
            || column.type() == ColumnType.INT
            || column.type() == ColumnType.LONG;
    boolean ordered =
        aggregate.function() == AggregateFunction.MIN
            || aggregate.function() == AggregateFunction.MAX;
    if (ordered && !numeric && column.type() != ColumnType.TIMESTAMP) {
      throw new ValidationException(
          "aggregate '%s' needs a numeric or timestamp column, not %s"
              .formatted(name, column.name()));
    }
    if (!ordered && !numeric) {
      throw new ValidationException(
          "aggregate '%s' needs a numeric column, not %s".formatted(name, column.name()));
    }
    return column;
  }

  private Column required(String columnName, String user) {
    return contract
        .column(columnName)
        .orElseThrow(
            () ->
                new ValidationException(
                    "%s needs column %s, which %s does not have"
                        .formatted(user, columnName, contract.name())));
  }
}
