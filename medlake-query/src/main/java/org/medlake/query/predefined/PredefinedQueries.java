package org.medlake.query.predefined;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.medlake.core.contract.LabResults;
import org.medlake.core.error.ErrorCode;
import org.medlake.core.error.NotFoundException;
import org.medlake.core.error.ValidationException;
import org.medlake.query.engine.AsOf;
import org.medlake.query.engine.QueryRequest;
import org.medlake.query.plan.PruningPredicate;
import org.medlake.query.plan.PruningPredicate.Operator;

/**
 * The predefined queries: those shipped inside the distribution, and more (or replacements, by
 * name) in {@code $MEDLAKE_HOME/queries/*.yaml}.
 */
public final class PredefinedQueries {
  private static final String SHIPPED = "/org/medlake/query/predefined/";
  private static final Pattern PLACEHOLDER = Pattern.compile("(?<!:):([a-z][a-z0-9_]*)");
  private static final ObjectMapper YAML =
      new ObjectMapper(new YAMLFactory()).enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private final Map<String, PredefinedQuery> queries;

  private PredefinedQueries(Map<String, PredefinedQuery> queries) {
    this.queries = queries;
  }

  public static PredefinedQueries load(Path homeQueries) {
    Map<String, PredefinedQuery> queries = new TreeMap<>();
    try (InputStream index = PredefinedQueries.class.getResourceAsStream(SHIPPED + "index.txt")) {
      for (String name : new String(index.readAllBytes(), StandardCharsets.UTF_8).split("\\s+")) {
        if (!name.isBlank()) {
          try (InputStream yaml = PredefinedQueries.class.getResourceAsStream(SHIPPED + name)) {
            PredefinedQuery query = parse("shipped " + name, yaml.readAllBytes());
            if (query.aggregateOnly() == PredefinedQuery.AggregateOnly.UNDECLARED) {
              throw new ValidationException(
                  ErrorCode.INVALID_CONFIG,
                  query.source()
                      + ": declares no small-cell suppression "
                      + "(patient-count-column) nor 'aggregate-only: refused'");
            }
            queries.put(query.name(), query);
          }
        }
      }
      if (Files.isDirectory(homeQueries)) {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(homeQueries, "*.{yaml,yml}")) {
          for (Path file : files) {
            // named by the home's queries/ directory, not the server's absolute path: errors reach
            // callers
            PredefinedQuery query =
                parse("queries/" + file.getFileName(), Files.readAllBytes(file));
            queries.put(query.name(), query);
          }
        }
      }
    } catch (IOException e) {
      throw new ValidationException(
          ErrorCode.INVALID_CONFIG, "Cannot read predefined queries: " + e.getMessage());
    }
    return new PredefinedQueries(queries);
  }

  private static PredefinedQuery parse(String source, byte[] yaml) {
    try {
      PredefinedQuery query = YAML.readValue(yaml, PredefinedQuery.class).withSource(source);
      for (String placeholder : placeholders(query.sql())) {
        if (query.parameters().stream()
            .noneMatch(parameter -> parameter.name().equals(placeholder))) {
          throw new ValidationException(
              ErrorCode.INVALID_CONFIG,
              source + ": :" + placeholder + " is not a declared parameter");
        }
      }
      return query;
    } catch (IOException e) {
      throw new ValidationException(
          ErrorCode.INVALID_CONFIG, source + ": " + e.getMessage().lines().findFirst().orElse(""));
    }
  }

  public List<PredefinedQuery> list() {
    return List.copyOf(queries.values());
  }

  public PredefinedQuery find(String name) {
    PredefinedQuery query = queries.get(name);
    if (query == null) {
      throw new NotFoundException(
          "No predefined query '"
              + name
              + "' (queries: "
              + String.join(", ", queries.keySet())
              + ")");
    }
    return query;
  }

  /**
   * Binds the caller's arguments (text, as on the command line) into a request; unknown names are
   * an error.
   */
  public static QueryRequest bind(PredefinedQuery query, Map<String, String> arguments, AsOf asOf) {
    Map<String, QueryParameter> declared = new LinkedHashMap<>();
    query.parameters().forEach(parameter -> declared.put(parameter.name(), parameter));
    for (String name : arguments.keySet()) {
      if (!declared.containsKey(name)) {
        throw new ValidationException(
            "unknown parameter '"
                + name
                + "' for query "
                + query.name()
                + " (parameters: "
                + String.join(", ", declared.keySet())
                + ")");
      }
    }
    Map<String, Object> values = new HashMap<>();
    declared.forEach((name, parameter) -> values.put(name, parameter.parse(arguments.get(name))));
    checkDateOrder(query, values);
    List<Object> parameters = new ArrayList<>();
    Matcher matcher = PLACEHOLDER.matcher(query.sql());
    StringBuilder sql = new StringBuilder();
    while (matcher.find()) {
      Object value = values.get(matcher.group(1));
      matcher.appendReplacement(sql, Matcher.quoteReplacement(placeholder(value, parameters)));
    }
    matcher.appendTail(sql);
    return new QueryRequest(
        sql.toString(),
        parameters,
        Set.of(LabResults.TABLE),
        Map.of(LabResults.TABLE, predicates(query, values)),
        Set.of(),
        asOf);
  }

  private static String placeholder(Object value, List<Object> parameters) {
    if (value instanceof List<?> list) {
      if (list.isEmpty()) {
        return "[]::VARCHAR[]";
      }
      list.forEach(parameters::add);
      return "["
          + String.join(", ", java.util.Collections.nCopies(list.size(), "?::VARCHAR"))
          + "]";
    }
    if (value instanceof LocalDate date) {
      // as the structured queries bind it; java.sql.Timestamp's calendar would be Julian before
      // 1582
      parameters.add(date.atStartOfDay());
      return "?::TIMESTAMP";
    }
    if (value == null) {
      return "NULL::TIMESTAMP";
    }
    parameters.add(value);
    return value instanceof String
        ? "?::VARCHAR"
        : value instanceof Long ? "?::BIGINT" : "?::DOUBLE";
  }

  private static List<PruningPredicate> predicates(
      PredefinedQuery query, Map<String, Object> values) {
    List<PruningPredicate> predicates = new ArrayList<>();
    query
        .prune()
        .forEach(
            (target, parameter) -> {
              Object value = values.get(parameter);
              switch (target) {
                case "hospital_id", "test_code" -> {
                  if (value instanceof List<?> list && !list.isEmpty()) {
                    predicates.add(
                        new PruningPredicate(target, Operator.IN, new ArrayList<>(list)));
                  } else if (value instanceof String text) {
                    predicates.add(new PruningPredicate(target, Operator.EQUAL, List.of(text)));
                  }
                }
                case "collected_at_from" -> {
                  if (value instanceof LocalDate date) {
                    predicates.add(
                        new PruningPredicate(
                            "collected_at",
                            Operator.GREATER_THAN_OR_EQUAL,
                            List.of(date.atStartOfDay())));
                  }
                }
                case "collected_at_to" -> {
                  if (value instanceof LocalDate date) {
                    predicates.add(
                        new PruningPredicate(
                            "collected_at", Operator.LESS_THAN, List.of(date.atStartOfDay())));
                  }
                }
                default ->
                    throw new ValidationException(
                        ErrorCode.INVALID_CONFIG,
                        query.name() + ": cannot prune on '" + target + "'");
              }
            });
    return predicates;
  }

  /** The dates that bound {@code collected_at} (see {@code prune}) must not be reversed. */
  private static void checkDateOrder(PredefinedQuery query, Map<String, Object> values) {
    String from = query.prune().get("collected_at_from");
    String to = query.prune().get("collected_at_to");
    if (from != null
        && to != null
        && values.get(from) instanceof LocalDate first
        && values.get(to) instanceof LocalDate last
        && first.isAfter(last)) {
      throw new ValidationException(
          "parameter '%s' (%s) must not be after '%s' (%s)".formatted(from, first, to, last));
    }
  }

  private static Set<String> placeholders(String sql) {
    Set<String> names = new java.util.HashSet<>();
    Matcher matcher = PLACEHOLDER.matcher(sql);
    while (matcher.find()) {
      names.add(matcher.group(1));
    }
    return names;
  }
}
