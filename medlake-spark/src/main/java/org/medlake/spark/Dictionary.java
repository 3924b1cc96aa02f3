package org.medlake.spark;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.medlake.core.error.ErrorCode;
import org.medlake.core.error.MedlakeException;
import org.medlake.core.file.CsvLineSplitter;
import org.medlake.core.source.SourceMapping;

/**
 * A source's code-lookup dictionary (comma-separated with a header; its local-code, test-code and
 * test-name columns and optional unit column named by {@code code-lookup.columns}, by default
 * {@code local_code,test_code,test_name[,unit]}), read as the embedded pipeline reads it: values
 * trimmed, blank cells null (an item without a standard code has a null test code), rows without a
 * local code skipped, and a local code listed twice is an error.
 */
final class Dictionary {
  private Dictionary() {}

  static Map<String, RecordChecker.DictionaryEntry> load(Path sourcesDirectory, SourceMapping mapping) throws IOException {
    Map<String, RecordChecker.DictionaryEntry> entries = new HashMap<>();
    if (mapping.codeLookup().isEmpty()) {
      return entries;
    }
    Path dictionary = sourcesDirectory.resolve(mapping.codeLookup().get().dictionary());
    if (!Files.isRegularFile(dictionary)) {
      throw new MedlakeException(ErrorCode.INVALID_SOURCE_MAPPING,
          "source '" + mapping.source() + "': code-lookup dictionary " + dictionary + " does not exist");
    }
    CsvLineSplitter splitter = new CsvLineSplitter(',', '"');
    try (BufferedReader reader = Files.newBufferedReader(dictionary, StandardCharsets.UTF_8)) {
      String headerLine = reader.readLine();
      List<String> columns = headerLine == null ? List.of()
          : splitter.split(headerLine.startsWith("\uFEFF") ? headerLine.substring(1) : headerLine).orElse(List.of()).stream()
              .map(String::trim).toList();
      SourceMapping.DictionaryColumns names = mapping.codeLookup().get().columns();
      List<String> required = new ArrayList<>(List.of(names.localCode(), names.testCode(), names.testName()));
      names.unit().ifPresent(required::add);
      for (String column : required) {
        if (!columns.contains(column)) {
          throw new MedlakeException(ErrorCode.INVALID_SOURCE_MAPPING,
              dictionary + ": the code dictionary has no column '" + column + "' (columns: " + String.join(", ", columns) + ")");
        }
      }
      int local = columns.indexOf(names.localCode());
      int code = columns.indexOf(names.testCode());
      int name = columns.indexOf(names.testName());
      int unit = columns.indexOf(names.unit().orElse(SourceMapping.DictionaryColumns.DEFAULT_UNIT));
      String line;
      long number = 1;
      while ((line = reader.readLine()) != null) {
        number++;
        if (line.isEmpty()) {
          continue;
        }
        Optional<List<String>> split = splitter.split(line);
        if (split.isEmpty() || split.get().size() != columns.size()) {
          throw new MedlakeException(ErrorCode.INVALID_SOURCE_MAPPING,
              dictionary + ": line " + number + " does not have the header's " + columns.size() + " comma-separated fields");
        }
        List<String> fields = split.get();
        String localCode = cell(fields, local);
        RecordChecker.DictionaryEntry entry = new RecordChecker.DictionaryEntry(cell(fields, code), cell(fields, name),
            unit < 0 ? null : cell(fields, unit));
        if (localCode != null && entries.put(localCode, entry) != null) {
          throw new MedlakeException(ErrorCode.INVALID_SOURCE_MAPPING,
              dictionary + ": local code '" + localCode + "' is listed more than once; each code must occur once");
        }
      }
    }
    return entries;
  }

  /** As the embedded pipeline's {@code nullif(trim(cell), '')}: DuckDB's {@code trim} removes spaces only. */
  private static String cell(List<String> fields, int index) {
    String value = fields.get(index);
    int start = 0;
    int end = value.length();
    while (start < end && value.charAt(start) == ' ') {
      start++;
    }
    while (end > start && value.charAt(end - 1) == ' ') {
      end--;
    }
    return start == end ? null : value.substring(start, end);
  }
}
