package org.medlake.query.sql;

import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** The default function allowlist of {@link SqlGuard}; names as DuckDB 1.4's parser emits them. */
final class DefaultFunctions {
  private static final Set<String> AGGREGATES =
      Set.of(
          "count",
          "count_star",
          "count_if",
          "sum",
          "avg",
          "mean",
          "min",
          "max",
          "arg_min",
          "arg_max",
          "stddev",
          "stddev_samp",
          "stddev_pop",
          "variance",
          "var_samp",
          "var_pop",
          "median",
          "quantile",
          "quantile_cont",
          "quantile_disc",
          "approx_quantile",
          "approx_count_distinct",
          "mode",
          "first",
          "last",
          "any_value",
          "string_agg",
          "list",
          "array_agg",
          "bool_and",
          "bool_or",
          "corr",
          "covar_pop",
          "covar_samp",
          "regr_slope",
          "regr_intercept",
          "regr_r2",
          "regr_count",
          "regr_avgx",
          "regr_avgy",
          "regr_sxx",
          "regr_syy",
          "regr_sxy",
          "histogram");

  private static final Set<String> WINDOW_FUNCTIONS =
      Set.of(
          "row_number",
          "rank",
          "dense_rank",
          "percent_rank",
          "cume_dist",
          "ntile",
          "lag",
          "lead",
          "first_value",
          "last_value",
          "nth_value");

  private static final Set<String> MATH =
      Set.of(
          "abs",
          "round",
          "floor",
          "ceil",
          "ceiling",
          "trunc",
          "sign",
          "ln",
          "log",
          "log10",
          "log2",
          "exp",
          "sqrt",
          "power",
          "pow",
          "greatest",
          "least",
          "nullif",
          "isnan",
          "isinf",
          "isfinite");

  private static final Set<String> STRINGS =
      Set.of(
          "lower",
          "upper",
          "lcase",
          "ucase",
          "length",
          "strlen",
          "substr",
          "substring",
          "trim",
          "ltrim",
          "rtrim",
          "concat",
          "concat_ws",
          "replace",
          "starts_with",
          "ends_with",
          "prefix",
          "suffix",
          "contains",
          "strpos",
          "instr",
          "position",
          "regexp_matches",
          "regexp_replace",
          "regexp_extract",
          "regexp_full_match",
          "split_part",
          "left",
          "right",
          "lpad",
          "rpad",
          "reverse",
          "like_escape",
          "not_like_escape",
          "ilike_escape",
          "not_ilike_escape");

  private static final Set<String> DATES =
      Set.of(
          "date_trunc",
          "datetrunc",
          "date_part",
          "datepart",
          "year",
          "month",
          "day",
          "dayofmonth",
          "hour",
          "minute",
          "second",
          "dayofweek",
          "isodow",
          "dayofyear",
          "quarter",
          "week",
          "weekofyear",
          "yearweek",
          "epoch",
          "epoch_ms",
          "strftime",
          "strptime",
          "try_strptime",
          "make_date",
          "make_time",
          "make_timestamp",
          "age",
          "date_diff",
          "datediff",
          "date_sub",
          "datesub",
          "date_add",
          "to_timestamp",
          "last_day",
          "monthname",
          "dayname",
          "timezone",
          // INTERVAL n DAY and friends parse into these
          "to_years",
          "to_months",
          "to_weeks",
          "to_days",
          "to_hours",
          "to_minutes",
          "to_seconds",
          "to_milliseconds",
          "to_microseconds");

  /** Array literals ([1, 2] is list_value) and lambdas, whose bodies are checked like any call. */
  private static final Set<String> LISTS = Set.of("list_value", "list_transform", "list_filter");

  /**
   * Operators as they appear in the parse tree: arithmetic, || (concatenation), ~~ / !~~ (LIKE),
   * ~~* / !~~* (ILIKE), ~~~ (GLOB), ^@ (starts with). Comparisons, AND/OR/NOT, IN, BETWEEN, CASE,
   * CAST and COALESCE are expression nodes of their own, not calls.
   */
  private static final Set<String> OPERATORS =
      Set.of(
          "+", "-", "*", "/", "//", "%", "**", "^", "||", "~~", "!~~", "~~*", "!~~*", "~~~", "^@");

  static final Set<String> NAMES =
      Stream.of(AGGREGATES, WINDOW_FUNCTIONS, MATH, STRINGS, DATES, LISTS, OPERATORS)
          .flatMap(Set::stream)
          .collect(Collectors.toUnmodifiableSet());

  private DefaultFunctions() {}
}
