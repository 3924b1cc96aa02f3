package org.medlake.query.predefined;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * A named, parameterized query offered to every role, declared in YAML.
 *
 * @param name identifier used by {@code medlake query NAME} and the API
 * @param title short human title
 * @param description what it answers
 * @param parameters typed parameters with defaults and bounds
 * @param sql the SQL template over catalogue tables with {@code :name} placeholders
 * @param prune parameter names that bound partition columns, for Iceberg pruning: {@code
 *     hospital_id: hospitals} (a string-list), {@code collected_at_from: from}, {@code
 *     collected_at_to: to} (dates), {@code test_code: test}
 * @param groupColumns the result's grouping columns, for small-cell suppression
 * @param patientCountColumn the result column counting distinct patients, for small-cell
 *     suppression
 * @param measureColumns the result columns hidden in a suppressed row
 * @param aggregateOnly how aggregate-only callers (viewers) get it: {@code suppressed} (small-cell
 *     suppression by {@code patient-count-column}, the default when that is declared) or {@code
 *     refused} (not available to them); a query declaring neither is {@link
 *     AggregateOnly#UNDECLARED} and is refused to aggregate-only callers with a one-line error
 *     naming its file
 * @param source where it was read from, for errors: {@code shipped NAME.yaml} or {@code
 *     queries/NAME.yaml}
 */
public record PredefinedQuery(
    @JsonProperty("name") String name,
    @JsonProperty("title") String title,
    @JsonProperty("description") String description,
    @JsonProperty("parameters") List<QueryParameter> parameters,
    @JsonProperty("sql") String sql,
    @JsonProperty("prune") Map<String, String> prune,
    @JsonProperty("group-columns") List<String> groupColumns,
    @JsonProperty("patient-count-column") String patientCountColumn,
    @JsonProperty("measure-columns") List<String> measureColumns,
    @JsonProperty("aggregate-only") AggregateOnly aggregateOnly,
    @JsonProperty("x-source") String source) {
  /** How a predefined query is answered for aggregate-only callers; declared in its YAML. */
  public enum AggregateOnly {
    /** Small-cell suppressed by its patient count (and counts obfuscated, docs/privacy.md). */
    SUPPRESSED,
    /** Not available to aggregate-only callers. */
    REFUSED,
    /**
     * Declares neither: refused to aggregate-only callers, as a query that fails to load for them.
     */
    UNDECLARED;

    @com.fasterxml.jackson.annotation.JsonCreator
    static AggregateOnly fromYaml(String text) {
      return switch (text) {
        case "suppressed" -> SUPPRESSED;
        case "refused" -> REFUSED;
        default ->
            throw new IllegalArgumentException(
                "aggregate-only must be 'suppressed' or 'refused', not '" + text + "'");
      };
    }
  }

  /**
   * A query without a declared file (source "inline"); its aggregate-only mode follows from its
   * patient count column.
   */
  public PredefinedQuery(
      String name,
      String title,
      String description,
      List<QueryParameter> parameters,
      String sql,
      Map<String, String> prune,
      List<String> groupColumns,
      String patientCountColumn,
      List<String> measureColumns) {
    this(
        name,
        title,
        description,
        parameters,
        sql,
        prune,
        groupColumns,
        patientCountColumn,
        measureColumns,
        null,
        "inline");
  }

  public PredefinedQuery {
    requireNonNull(name, "name is null");
    requireNonNull(title, "title is null");
    description = description == null ? "" : description;
    parameters = parameters == null ? List.of() : List.copyOf(parameters);
    requireNonNull(sql, "sql is null");
    prune = prune == null ? Map.of() : Map.copyOf(prune);
    groupColumns = groupColumns == null ? List.of() : List.copyOf(groupColumns);
    measureColumns = measureColumns == null ? List.of() : List.copyOf(measureColumns);
    source = source == null ? "inline" : source;
    if (aggregateOnly == null || aggregateOnly == AggregateOnly.UNDECLARED) {
      aggregateOnly =
          patientCountColumn != null ? AggregateOnly.SUPPRESSED : AggregateOnly.UNDECLARED;
    } else if (aggregateOnly == AggregateOnly.SUPPRESSED && patientCountColumn == null) {
      throw new IllegalArgumentException("aggregate-only: suppressed needs a patient-count-column");
    }
  }

  /** The same query as read from {@code source}. */
  public PredefinedQuery withSource(String source) {
    return new PredefinedQuery(
        name,
        title,
        description,
        parameters,
        sql,
        prune,
        groupColumns,
        patientCountColumn,
        measureColumns,
        aggregateOnly,
        source);
  }
}
