package org.medlake.query.structured;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.medlake.core.contract.Column;
import org.medlake.core.contract.TableContract;
import org.medlake.query.plan.PruningPredicate;
import org.medlake.query.structured.ValidatedQuery.AggregateColumn;
import org.medlake.query.structured.ValidatedQuery.BoundFilter;
import org.medlake.query.structured.ValidatedQuery.GroupColumn;
import org.medlake.query.structured.ValidatedQuery.Origin;

/**
 * Turns a structured query into DuckDB SQL over the contract's table. Values travel only as bound
 * parameters; identifiers in the SQL come from the contract, never from the request.
 */
public final class StructuredQueryCompiler {
  /** Upper bounds (exclusive) of the age bands below 90; ages from 90 on are {@code 90+}. */
  private static final List<Integer> AGE_BAND_ENDS = List.of(18, 30, 40, 50, 60, 70, 80, 90);

  /** The age bands' labels, as the age_band bucket names them and an age_band filter takes them. */
  public static final List<String> AGE_BANDS = ageBands();

  private static final String TEST_UNITS = "test_units";
  private static final String UNIT_TEST_CODE = "unit_test_code";
  private static final String TEST_UNIT = "test_unit";

  private final TableContract contract;
  private final QueryValidator validator;

  public StructuredQueryCompiler(TableContract contract, int maxLimit) {
    this.contract = requireNonNull(contract, "contract is null");
    this.validator = new QueryValidator(contract, maxLimit);
  }

  /**
   * Validates and compiles; throws {@link org.medlake.core.error.ValidationException} for a bad
   * query.
   */
  public CompiledQuery compile(StructuredQuery query) {
    ValidatedQuery validated = validator.validate(requireNonNull(query, "query is null"));
    List<Object> parameters = new ArrayList<>();
    List<String> selections = new ArrayList<>();
    List<String> outputs = new ArrayList<>();
    if (validated.rowLevel()) {
      for (Column column : validated.rowColumns()) {
        selections.add(quote(column.name()));
        outputs.add(column.name());
      }
    }
    for (GroupColumn group : validated.groupColumns()) {
      selections.add(groupExpression(group) + " AS " + quote(group.outputName()));
      outputs.add(group.outputName());
    }
    for (AggregateColumn aggregate : validated.aggregates()) {
      selections.add(
          aggregateExpression(aggregate, parameters) + " AS " + quote(aggregate.outputName()));
      outputs.add(aggregate.outputName());
    }

    StringBuilder sql =
        new StringBuilder("SELECT ")
            .append(String.join(", ", selections))
            .append(" FROM ")
            .append(quote(contract.name()));
    if (validated.groupColumns().stream().anyMatch(group -> group.origin() == Origin.TEST_UNIT)) {
      // each test's canonical unit, for its results whose unit did not convert
      sql.append(" LEFT JOIN (SELECT ")
          .append(quote(QueryValidator.TEST_CODE_COLUMN))
          .append(" AS ")
          .append(quote(UNIT_TEST_CODE))
          .append(", max(")
          .append(quote(QueryValidator.CANONICAL_UNIT_COLUMN))
          .append(") AS ")
          .append(quote(TEST_UNIT))
          .append(" FROM ")
          .append(quote(contract.name()))
          .append(" GROUP BY ")
          .append(quote(QueryValidator.TEST_CODE_COLUMN))
          .append(") AS ")
          .append(quote(TEST_UNITS))
          .append(" ON ")
          .append(quote(QueryValidator.TEST_CODE_COLUMN))
          .append(" = ")
          .append(quote(UNIT_TEST_CODE));
    }
    if (!validated.filters().isEmpty()) {
      sql.append(" WHERE ")
          .append(
              validated.filters().stream()
                  .map(filter -> condition(filter, parameters))
                  .collect(Collectors.joining(" AND ")));
    }
    if (!validated.groupColumns().isEmpty()) {
      sql.append(" GROUP BY ")
          .append(
              validated.groupColumns().stream()
                  .map(this::groupExpression)
                  .collect(Collectors.joining(", ")));
    }
    List<String> orderTerms =
        validated.orderBy().stream()
            .map(
                order ->
                    quote(order.column())
                        + (order.direction() == SortDirection.ASC ? " ASC" : " DESC"))
            .collect(Collectors.toCollection(ArrayList::new));
    if (orderTerms.isEmpty()) {
      // Grouped results come back in a stable order unless the caller asked for another.
      validated.groupColumns().forEach(group -> orderTerms.add(quote(group.outputName()) + " ASC"));
    }
    if (!orderTerms.isEmpty()) {
      sql.append(" ORDER BY ").append(String.join(", ", orderTerms));
    }
    sql.append(" LIMIT ?");
    parameters.add(validated.limit());

    List<PruningPredicate> predicates =
        validated.filters().stream()
            .map(StructuredQueryCompiler::predicate)
            .flatMap(Optional::stream)
            .toList();
    List<String> groupNames =
        validated.groupColumns().stream()
            .filter(group -> !followsTheTest(group, validated))
            .map(GroupColumn::outputName)
            .toList();
    return new CompiledQuery(sql.toString(), parameters, predicates, groupNames, outputs);
  }

  /**
   * Whether the group column is the canonical unit of a query grouped by test: then it follows the
   * test and is no group of its own for small-cell suppression, which keeps the same margins as the
   * query without it.
   */
  private static boolean followsTheTest(GroupColumn group, ValidatedQuery validated) {
    return group.origin() == Origin.TEST_UNIT
        && validated.groupColumns().stream()
            .anyMatch(
                other ->
                    other.origin() == Origin.REQUESTED
                        && other.bucket() == null
                        && other.column().name().equals(QueryValidator.TEST_CODE_COLUMN));
  }

  private String groupExpression(GroupColumn group) {
    if (group.origin() == Origin.TEST_UNIT) {
      return "coalesce("
          + quote(contract.name())
          + "."
          + quote(group.column().name())
          + ", "
          + quote(TEST_UNIT)
          + ")";
    }
    String column = quote(group.column().name());
    if (group.bucket() == null) {
      return column;
    }
    return switch (group.bucket()) {
      // date_trunc gives a DATE for these parts; results carry timestamps as LocalDateTime.
      case MONTH -> "CAST(date_trunc('month', " + column + ") AS TIMESTAMP)";
      case QUARTER -> "CAST(date_trunc('quarter', " + column + ") AS TIMESTAMP)";
      case YEAR -> "CAST(date_trunc('year', " + column + ") AS TIMESTAMP)";
      case AGE_BAND -> ageBand(column);
    };
  }

  /** Age at collection, in whole calendar years, banded; null when the birth year is unknown. */
  private static String ageBand(String birthYear) {
    String age = "(year(" + quote(QueryValidator.COLLECTED_AT_COLUMN) + ") - " + birthYear + ")";
    StringBuilder sql =
        new StringBuilder("CASE WHEN ").append(birthYear).append(" IS NULL THEN NULL");
    int start = 0;
    for (int end : AGE_BAND_ENDS) {
      sql.append(" WHEN ")
          .append(age)
          .append(" < ")
          .append(end)
          .append(" THEN '")
          .append(start)
          .append('-')
          .append(end - 1)
          .append('\'');
      start = end;
    }
    return sql.append(" ELSE '").append(start).append("+' END").toString();
  }

  private static String aggregateExpression(AggregateColumn aggregate, List<Object> parameters) {
    String column = aggregate.column() == null ? null : quote(aggregate.column().name());
    return switch (aggregate.function()) {
      case COUNT -> "count(*)";
      case COUNT_DISTINCT_PATIENTS -> "count(DISTINCT " + column + ")";
      case SUM -> "sum(" + column + ")";
      case AVG -> "avg(" + column + ")";
      case MIN -> "min(" + column + ")";
      case MAX -> "max(" + column + ")";
      case STDDEV -> "stddev_samp(" + column + ")";
      case PERCENTILE -> {
        parameters.add(aggregate.percentile());
        yield "quantile_cont(" + column + ", ?)";
      }
      case PERCENT_ABNORMAL -> AbnormalShare.PERCENT;
    };
  }

  private static List<String> ageBands() {
    List<String> bands = new ArrayList<>();
    int start = 0;
    for (int end : AGE_BAND_ENDS) {
      bands.add(start + "-" + (end - 1));
      start = end;
    }
    bands.add(start + "+");
    return List.copyOf(bands);
  }

  private static String condition(BoundFilter filter, List<Object> parameters) {
    String column =
        filter.ageBand()
            ? "(" + ageBand(quote(filter.column().name())) + ")"
            : quote(filter.column().name());
    parameters.addAll(filter.values());
    return switch (filter.operator()) {
      case EQUAL -> column + " = ?";
      case NOT_EQUAL -> column + " <> ?";
      case LESS_THAN -> column + " < ?";
      case LESS_THAN_OR_EQUAL -> column + " <= ?";
      case GREATER_THAN -> column + " > ?";
      case GREATER_THAN_OR_EQUAL -> column + " >= ?";
      case IN ->
          column
              + " IN ("
              + String.join(", ", Collections.nCopies(filter.values().size(), "?"))
              + ")";
      case BETWEEN -> column + " BETWEEN ? AND ?";
      case LIKE -> column + " LIKE ?";
      case IS_NULL -> column + " IS NULL";
      case IS_NOT_NULL -> column + " IS NOT NULL";
    };
  }

  private static Optional<PruningPredicate> predicate(BoundFilter filter) {
    if (filter.ageBand() || !PruningPredicate.PRUNABLE_COLUMNS.contains(filter.column().name())) {
      return Optional.empty();
    }
    Optional<PruningPredicate.Operator> operator =
        switch (filter.operator()) {
          case EQUAL -> Optional.of(PruningPredicate.Operator.EQUAL);
          case LESS_THAN -> Optional.of(PruningPredicate.Operator.LESS_THAN);
          case LESS_THAN_OR_EQUAL -> Optional.of(PruningPredicate.Operator.LESS_THAN_OR_EQUAL);
          case GREATER_THAN -> Optional.of(PruningPredicate.Operator.GREATER_THAN);
          case GREATER_THAN_OR_EQUAL ->
              Optional.of(PruningPredicate.Operator.GREATER_THAN_OR_EQUAL);
          case BETWEEN -> Optional.of(PruningPredicate.Operator.BETWEEN);
          case IN -> Optional.of(PruningPredicate.Operator.IN);
          case NOT_EQUAL, LIKE, IS_NULL, IS_NOT_NULL -> Optional.empty();
        };
    return operator.map(op -> new PruningPredicate(filter.column().name(), op, filter.values()));
  }

  private static String quote(String identifier) {
    return '"' + identifier.replace("\"", "\"\"") + '"';
  }
}
