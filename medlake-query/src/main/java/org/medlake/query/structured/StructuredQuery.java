package org.medlake.query.structured;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import org.medlake.core.error.ValidationException;

/**
 * A query built by the web query builder or sent to the HTTP API: filters, grouping, aggregates,
 * order and limit over one table. Without group_by and aggregates it is a row-level query over
 * {@code columns} (all columns when empty); whether the caller may run those is the caller's
 * decision. The model is only checked for shape here; {@link StructuredQueryCompiler} validates it
 * against the table.
 */
@JsonPropertyOrder({"table", "filters", "group_by", "aggregates", "columns", "order_by", "limit"})
public record StructuredQuery(
    @JsonProperty("table") String table,
    @JsonProperty("filters") List<Filter> filters,
    @JsonProperty("group_by") List<GroupBy> groupBy,
    @JsonProperty("aggregates") List<Aggregate> aggregates,
    @JsonProperty("columns") List<String> columns,
    @JsonProperty("order_by") List<OrderBy> orderBy,
    @JsonProperty("limit") int limit) {
  public StructuredQuery {
    requireNonNull(table, "table is null");
    filters = List.copyOf(filters);
    groupBy = List.copyOf(groupBy);
    aggregates = List.copyOf(aggregates);
    columns = List.copyOf(columns);
    orderBy = List.copyOf(orderBy);
  }

  /** Whether the query returns table rows rather than groups or aggregates. */
  public boolean rowLevel() {
    return groupBy.isEmpty() && aggregates.isEmpty();
  }

  public static Builder builder(String table) {
    return new Builder(table);
  }

  @JsonCreator
  static StructuredQuery fromJson(
      @JsonProperty("table") String table,
      @JsonProperty("filters") List<Filter> filters,
      @JsonProperty("group_by") List<GroupBy> groupBy,
      @JsonProperty("aggregates") List<Aggregate> aggregates,
      @JsonProperty("columns") List<String> columns,
      @JsonProperty("order_by") List<OrderBy> orderBy,
      @JsonProperty("limit") Integer limit) {
    if (table == null) {
      throw new ValidationException("table is required");
    }
    if (limit == null) {
      throw new ValidationException("limit is required");
    }
    return new StructuredQuery(
        table,
        withoutNulls(filters, "filters"),
        withoutNulls(groupBy, "group_by"),
        withoutNulls(aggregates, "aggregates"),
        withoutNulls(columns, "columns"),
        withoutNulls(orderBy, "order_by"),
        limit);
  }

  private static <T> List<T> withoutNulls(List<T> list, String property) {
    if (list == null) {
      return List.of();
    }
    if (list.contains(null)) {
      throw new ValidationException(property + " must not contain null");
    }
    return list;
  }

  /**
   * A condition on one column.
   *
   * @param values the constants: strings, numbers (normalised to Long or Double) or booleans, as in
   *     JSON; timestamps are ISO date or date-time strings
   */
  @JsonPropertyOrder({"column", "op", "values"})
  public record Filter(
      @JsonProperty("column") String column,
      @JsonProperty("op") FilterOperator operator,
      @JsonProperty("values") List<Object> values) {
    public Filter {
      requireNonNull(column, "column is null");
      requireNonNull(operator, "operator is null");
      values = normalised(values);
    }

    public static Filter of(String column, FilterOperator operator, Object... values) {
      return new Filter(column, operator, List.of(values));
    }

    @JsonCreator
    static Filter fromJson(
        @JsonProperty("column") String column,
        @JsonProperty("op") FilterOperator operator,
        @JsonProperty("values") List<Object> values) {
      if (column == null) {
        throw new ValidationException("filter needs a column");
      }
      if (operator == null) {
        throw new ValidationException("filter on " + column + " needs an op");
      }
      if (values != null && values.contains(null)) {
        throw new ValidationException(
            "filter on " + column + " has a null value; use 'is null' instead");
      }
      return new Filter(column, operator, values == null ? List.of() : values);
    }

    private static List<Object> normalised(List<Object> values) {
      List<Object> result = new ArrayList<>(values.size());
      for (Object value : values) {
        result.add(normalised(value));
      }
      return List.copyOf(result);
    }

    /** Numbers become Long or Double so that a query equals itself after a JSON round trip. */
    private static Object normalised(Object value) {
      requireNonNull(value, "filter value is null");
      if (value instanceof Byte
          || value instanceof Short
          || value instanceof Integer
          || value instanceof Long) {
        return ((Number) value).longValue();
      }
      if (value instanceof BigInteger integer) {
        return integer.bitLength() < 64
            ? (Object) integer.longValue()
            : (Object) integer.doubleValue();
      }
      if (value instanceof Float || value instanceof Double || value instanceof BigDecimal) {
        return ((Number) value).doubleValue();
      }
      if (value instanceof String || value instanceof Boolean) {
        return value;
      }
      throw new ValidationException(
          "filter values must be strings, numbers or booleans, got "
              + value.getClass().getSimpleName());
    }
  }

  /**
   * A grouping column.
   *
   * @param bucket how values are bucketed, or null to group by the value itself; use {@link
   *     #of(String)}
   */
  @JsonPropertyOrder({"column", "bucket"})
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record GroupBy(
      @JsonProperty("column") String column, @JsonProperty("bucket") Bucket bucket) {
    public GroupBy {
      requireNonNull(column, "column is null");
    }

    public static GroupBy of(String column) {
      return new GroupBy(column, null);
    }

    public static GroupBy of(String column, Bucket bucket) {
      return new GroupBy(column, requireNonNull(bucket, "bucket is null"));
    }

    @JsonCreator
    static GroupBy fromJson(
        @JsonProperty("column") String column, @JsonProperty("bucket") Bucket bucket) {
      if (column == null) {
        throw new ValidationException("group_by entry needs a column");
      }
      return new GroupBy(column, bucket);
    }
  }

  /**
   * An aggregate output column.
   *
   * @param column the aggregated column, or null for functions without one (count,
   *     count_distinct_patients, percent_abnormal)
   * @param percentile the fraction in (0, 1) for {@link AggregateFunction#PERCENTILE}, otherwise
   *     null
   */
  @JsonPropertyOrder({"function", "column", "percentile"})
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Aggregate(
      @JsonProperty("function") AggregateFunction function,
      @JsonProperty("column") String column,
      @JsonProperty("percentile") Double percentile) {
    public Aggregate {
      requireNonNull(function, "function is null");
    }

    /** An aggregate without a column: count, count_distinct_patients, percent_abnormal. */
    public static Aggregate of(AggregateFunction function) {
      return new Aggregate(function, null, null);
    }

    public static Aggregate of(AggregateFunction function, String column) {
      return new Aggregate(function, requireNonNull(column, "column is null"), null);
    }

    public static Aggregate percentile(String column, double percentile) {
      return new Aggregate(
          AggregateFunction.PERCENTILE, requireNonNull(column, "column is null"), percentile);
    }

    @JsonCreator
    static Aggregate fromJson(
        @JsonProperty("function") AggregateFunction function,
        @JsonProperty("column") String column,
        @JsonProperty("percentile") Double percentile) {
      if (function == null) {
        throw new ValidationException("aggregate needs a function");
      }
      return new Aggregate(function, column, percentile);
    }
  }

  /**
   * An ordering term over an output column (a group column or aggregate name) or, in a row-level
   * query, a table column.
   */
  @JsonPropertyOrder({"column", "direction"})
  public record OrderBy(
      @JsonProperty("column") String column, @JsonProperty("direction") SortDirection direction) {
    public OrderBy {
      requireNonNull(column, "column is null");
      requireNonNull(direction, "direction is null");
    }

    public static OrderBy ascending(String column) {
      return new OrderBy(column, SortDirection.ASC);
    }

    public static OrderBy descending(String column) {
      return new OrderBy(column, SortDirection.DESC);
    }

    @JsonCreator
    static OrderBy fromJson(
        @JsonProperty("column") String column, @JsonProperty("direction") SortDirection direction) {
      if (column == null) {
        throw new ValidationException("order_by entry needs a column");
      }
      return new OrderBy(column, direction == null ? SortDirection.ASC : direction);
    }
  }

  public static final class Builder {
    private final String table;
    private final List<Filter> filters = new ArrayList<>();
    private final List<GroupBy> groupBy = new ArrayList<>();
    private final List<Aggregate> aggregates = new ArrayList<>();
    private final List<String> columns = new ArrayList<>();
    private final List<OrderBy> orderBy = new ArrayList<>();
    private int limit;

    private Builder(String table) {
      this.table = requireNonNull(table, "table is null");
    }

    public Builder filter(String column, FilterOperator operator, Object... values) {
      filters.add(Filter.of(column, operator, values));
      return this;
    }

    public Builder filter(Filter filter) {
      filters.add(requireNonNull(filter, "filter is null"));
      return this;
    }

    public Builder groupBy(String column) {
      groupBy.add(GroupBy.of(column));
      return this;
    }

    public Builder groupBy(String column, Bucket bucket) {
      groupBy.add(GroupBy.of(column, bucket));
      return this;
    }

    public Builder aggregate(Aggregate aggregate) {
      aggregates.add(requireNonNull(aggregate, "aggregate is null"));
      return this;
    }

    public Builder columns(String... names) {
      columns.addAll(List.of(names));
      return this;
    }

    public Builder orderBy(OrderBy order) {
      orderBy.add(requireNonNull(order, "order is null"));
      return this;
    }

    public Builder limit(int limit) {
      this.limit = limit;
      return this;
    }

    public StructuredQuery build() {
      return new StructuredQuery(table, filters, groupBy, aggregates, columns, orderBy, limit);
    }
  }
}
