package org.medlake.core.source;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.medlake.core.error.ErrorCode;
import org.medlake.core.error.ValidationException;
import org.medlake.core.source.SourceMapping.Cadence;
import org.medlake.core.source.SourceMapping.CodeLookup;
import org.medlake.core.source.SourceMapping.CsvFormat;
import org.medlake.core.source.SourceMapping.DictionaryColumns;
import org.medlake.core.source.SourceMapping.Field;
import org.medlake.core.source.SourceMapping.ResultKind;
import org.medlake.core.source.SourceMapping.RowFilter;
import org.medlake.core.source.SourceMapping.Rules;
import org.medlake.core.source.SourceMapping.SwitchableRule;
import org.medlake.core.source.SourceMapping.UnmappedCodes;

/** Reads a source mapping YAML file; every mistake is reported with the file and the key. */
public final class SourceMappingParser {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final Set<String> TOP_LEVEL =
      Set.of(
          "source",
          "hospital-id",
          "description",
          "cadence",
          "csv",
          "time-zone",
          "timestamp-formats",
          "decimal-separator",
          "columns",
          "constants",
          "value-maps",
          "code-lookup",
          "filter",
          "rules");

  private final Path file;

  private SourceMappingParser(Path file) {
    this.file = file;
  }

  public static SourceMapping parse(Path file) {
    JsonNode root;
    try {
      root = YAML.readTree(Files.readString(file));
    } catch (IOException e) {
      throw new ValidationException(
          ErrorCode.INVALID_SOURCE_MAPPING,
          file + ": not valid YAML: " + e.getMessage().lines().findFirst().orElse(""));
    }
    if (root == null || !root.isObject()) {
      throw new ValidationException(
          ErrorCode.INVALID_SOURCE_MAPPING, file + ": expected a YAML mapping");
    }
    return new SourceMappingParser(file).mapping(root);
  }

  private SourceMapping mapping(JsonNode root) {
    onlyKeys(root, TOP_LEVEL, "");
    String source =
        text(root, "source")
            .orElseGet(() -> file.getFileName().toString().replaceFirst("\\.ya?ml$", ""));
    String hospitalId =
        text(root, "hospital-id").orElseThrow(() -> error("hospital-id is required"));
    String timeZone = text(root, "time-zone").orElse("UTC");
    try {
      ZoneId.of(timeZone);
    } catch (DateTimeException e) {
      throw error("time-zone '" + timeZone + "' is not a known time zone (e.g. Europe/Berlin)");
    }
    List<String> formats = strings(root.get("timestamp-formats"), "timestamp-formats");
    if (formats.isEmpty()) {
      formats = List.of("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M");
    }
    String decimal = text(root, "decimal-separator").orElse(".");
    if (!decimal.equals(".") && !decimal.equals(",")) {
      throw error("decimal-separator must be '.' or ',', not '" + decimal + "'");
    }
    Map<Field, String> columns = fieldMap(root.get("columns"), "columns");
    Map<Field, String> constants = fieldMap(root.get("constants"), "constants");
    Map<Field, Map<String, String>> valueMaps = new EnumMap<>(Field.class);
    JsonNode maps = root.get("value-maps");
    if (maps != null && !maps.isNull()) {
      for (Map.Entry<String, JsonNode> entry : maps.properties()) {
        Field field = field(entry.getKey(), "value-maps");
        Map<String, String> values = new LinkedHashMap<>();
        if (!entry.getValue().isObject()) {
          throw error(
              "value-maps." + entry.getKey() + " must be a mapping of file value to stored value");
        }
        entry
            .getValue()
            .properties()
            .forEach(
                value ->
                    values.put(
                        value.getKey(),
                        value.getValue().isNull() ? "" : value.getValue().asText()));
        valueMaps.put(field, values);
      }
    }
    Optional<CodeLookup> codeLookup = Optional.empty();
    JsonNode lookup = root.get("code-lookup");
    if (lookup != null && !lookup.isNull()) {
      onlyKeys(lookup, Set.of("dictionary", "columns"), "code-lookup.");
      codeLookup =
          Optional.of(
              new CodeLookup(
                  text(lookup, "dictionary")
                      .orElseThrow(() -> error("code-lookup.dictionary is required")),
                  dictionaryColumns(lookup.get("columns"))));
      if (!columns.containsKey(Field.LOCAL_CODE)) {
        throw error(
            "code-lookup needs columns.local-code (the column with the hospital's own test code)");
      }
    }
    Optional<RowFilter> filter = Optional.empty();
    JsonNode filterNode = root.get("filter");
    if (filterNode != null && !filterNode.isNull()) {
      onlyKeys(filterNode, Set.of("column", "keep"), "filter.");
      List<String> keep = strings(filterNode.get("keep"), "filter.keep");
      if (keep.isEmpty()) {
        throw error("filter.keep must list at least one value to keep");
      }
      filter =
          Optional.of(
              new RowFilter(
                  text(filterNode, "column").orElseThrow(() -> error("filter.column is required")),
                  keep));
    }
    Set<SwitchableRule> disabled = EnumSet.noneOf(SwitchableRule.class);
    UnmappedCodes unmapped = UnmappedCodes.KEEP;
    Set<ResultKind> resultKinds = EnumSet.allOf(ResultKind.class);
    JsonNode rules = root.get("rules");
    if (rules != null && !rules.isNull()) {
      onlyKeys(rules, Set.of("disabled", "unmapped-codes", "result-kinds"), "rules.");
      for (String key : strings(rules.get("disabled"), "rules.disabled")) {
        disabled.add(
            SwitchableRule.fromKey(key)
                .orElseThrow(
                    () ->
                        error(
                            "rules.disabled: unknown rule '"
                                + key
                                + "' (known: collected-at-in-month, no-future-timestamps, value-plausibility, duplicate-rows, resulted-after-collected)")));
      }
      Optional<String> unmappedText = text(rules, "unmapped-codes");
      if (unmappedText.isPresent()) {
        unmapped =
            switch (unmappedText.get()) {
              case "keep" -> UnmappedCodes.KEEP;
              case "reject" -> UnmappedCodes.REJECT;
              default ->
                  throw error(
                      "rules.unmapped-codes must be 'keep' or 'reject', not '"
                          + unmappedText.get()
                          + "'");
            };
      }
      if (rules.has("result-kinds")) {
        resultKinds = EnumSet.noneOf(ResultKind.class);
        for (String key : strings(rules.get("result-kinds"), "rules.result-kinds")) {
          resultKinds.add(
              ResultKind.fromKey(key)
                  .orElseThrow(
                      () ->
                          error(
                              "rules.result-kinds: unknown kind '"
                                  + key
                                  + "' (known: "
                                  + String.join(
                                      ", ",
                                      java.util.Arrays.stream(ResultKind.values())
                                          .map(ResultKind::key)
                                          .toList())
                                  + ")")));
        }
        if (resultKinds.isEmpty()) {
          throw error("rules.result-kinds must list at least one kind of result");
        }
      }
    }
    SourceMapping mapping =
        new SourceMapping(
            source,
            hospitalId,
            text(root, "description").orElse(""),
            cadence(root),
            csv(root.get("csv")),
            timeZone,
            formats,
            decimal,
            columns,
            constants,
            valueMaps,
            codeLookup,
            filter,
            new Rules(disabled, unmapped, resultKinds));
    requireFeeds(mapping, Field.PATIENT_ID);
    requireFeeds(mapping, Field.COLLECTED_AT);
    requireFeeds(mapping, Field.RESULT);
    if (codeLookup.isEmpty() && !columns.containsKey(Field.LOCAL_CODE)) {
      requireFeeds(mapping, Field.TEST_CODE);
      requireFeeds(mapping, Field.TEST_NAME);
    }
    return mapping;
  }

  private Cadence cadence(JsonNode root) {
    String key = text(root, "cadence").orElse(Cadence.NONE.key());
    return Cadence.fromKey(key)
        .orElseThrow(() -> error("cadence must be 'monthly' or 'none', not '" + key + "'"));
  }

  private DictionaryColumns dictionaryColumns(JsonNode node) {
    DictionaryColumns defaults = DictionaryColumns.defaults();
    if (node == null || node.isNull()) {
      return defaults;
    }
    if (!node.isObject()) {
      throw error(
          "code-lookup.columns must be a mapping of local-code, test-code, test-name, unit to the dictionary's column names");
    }
    Map<String, String> names = new LinkedHashMap<>();
    node.properties()
        .forEach(
            entry -> {
              String key = "code-lookup.columns." + entry.getKey();
              if (!List.of("local-code", "test-code", "test-name", "unit")
                  .contains(entry.getKey())) {
                throw error(
                    "unknown key '" + key + "' (known: local-code, test-code, test-name, unit)");
              }
              if (!entry.getValue().isValueNode()
                  || entry.getValue().isNull()
                  || entry.getValue().asText().isBlank()) {
                throw error(key + " must name a column of the dictionary");
              }
              names.put(entry.getKey(), entry.getValue().asText().trim());
            });
    return new DictionaryColumns(
        names.getOrDefault("local-code", defaults.localCode()),
        names.getOrDefault("test-code", defaults.testCode()),
        names.getOrDefault("test-name", defaults.testName()),
        Optional.ofNullable(names.get("unit")));
  }

  private void requireFeeds(SourceMapping mapping, Field field) {
    if (!mapping.columns().containsKey(field) && !mapping.constants().containsKey(field)) {
      throw error("columns." + field.key() + " is required");
    }
  }

  private CsvFormat csv(JsonNode node) {
    CsvFormat defaults = CsvFormat.defaults();
    if (node == null || node.isNull()) {
      return defaults;
    }
    onlyKeys(node, Set.of("delimiter", "quote", "encoding", "null-values"), "csv.");
    char delimiter = character(node, "delimiter", defaults.delimiter());
    char quote = character(node, "quote", defaults.quote());
    if (delimiter == quote || delimiter == '\n' || delimiter == '\r') {
      throw error("csv.delimiter must differ from the quote and from line breaks");
    }
    List<String> nulls =
        node.has("null-values")
            ? strings(node.get("null-values"), "csv.null-values")
            : defaults.nullValues();
    if (nulls.isEmpty()) {
      throw error("csv.null-values must list at least one value (\"\" for empty cells)");
    }
    return new CsvFormat(
        delimiter, quote, text(node, "encoding").orElse(defaults.encoding()), nulls);
  }

  private char character(JsonNode node, String key, char fallback) {
    Optional<String> value = text(node, key);
    if (value.isEmpty()) {
      return fallback;
    }
    String text =
        value.get().equals("\\t") || value.get().equalsIgnoreCase("tab") ? "\t" : value.get();
    if (text.length() != 1) {
      throw error("csv." + key + " must be a single character, not '" + value.get() + "'");
    }
    return text.charAt(0);
  }

  private Map<Field, String> fieldMap(JsonNode node, String key) {
    Map<Field, String> map = new EnumMap<>(Field.class);
    if (node == null || node.isNull()) {
      return map;
    }
    if (!node.isObject()) {
      throw error(key + " must be a mapping of field to column");
    }
    node.properties()
        .forEach(entry -> map.put(field(entry.getKey(), key), entry.getValue().asText()));
    return map;
  }

  private Field field(String name, String section) {
    return Field.fromKey(name)
        .orElseThrow(
            () ->
                error(
                    "unknown field '"
                        + section
                        + "."
                        + name
                        + "' (known: "
                        + String.join(
                            ", ", java.util.Arrays.stream(Field.values()).map(Field::key).toList())
                        + ")"));
  }

  private void onlyKeys(JsonNode node, Set<String> allowed, String prefix) {
    node.fieldNames()
        .forEachRemaining(
            name -> {
              if (!allowed.contains(name)) {
                throw error("unknown key '" + prefix + name + "'");
              }
            });
  }

  private Optional<String> text(JsonNode node, String key) {
    JsonNode value = node.get(key);
    return value == null || value.isNull() ? Optional.empty() : Optional.of(value.asText());
  }

  private List<String> strings(JsonNode node, String key) {
    List<String> values = new ArrayList<>();
    if (node == null || node.isNull()) {
      return values;
    }
    if (!node.isArray()) {
      throw error(key + " must be a list");
    }
    node.forEach(value -> values.add(value.asText()));
    return values;
  }

  private ValidationException error(String message) {
    return new ValidationException(ErrorCode.INVALID_SOURCE_MAPPING, file + ": " + message);
  }
}
