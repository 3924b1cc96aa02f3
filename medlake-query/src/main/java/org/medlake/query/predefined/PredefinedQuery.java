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
 * @param prune parameter names that bound partition columns, for Iceberg pruning: {@code hospital_id: hospitals}
 *     (a string-list), {@code collected_at_from: from}, {@code collected_at_to: to} (dates), {@code test_code: test}
 * @param groupColumns the result's grouping columns, for small-cell suppression
 * @param patientCountColumn the result column counting distinct patients, for small-cell suppression
 * @param measureColumns the result columns hidden in a suppressed row
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
    @JsonProperty("measure-columns") List<String> measureColumns) {
  public PredefinedQuery {
    requireNonNull(name, "name is null");
    requireNonNull(title, "title is null");
    description = description == null ? "" : description;
    parameters = parameters == null ? List.of() : List.copyOf(parameters);
    requireNonNull(sql, "sql is null");
    prune = prune == null ? Map.of() : Map.copyOf(prune);
    groupColumns = groupColumns == null ? List.of() : List.copyOf(groupColumns);
    measureColumns = measureColumns == null ? List.of() : List.copyOf(measureColumns);
  }
}
