package org.medlake.spark;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.medlake.core.error.ErrorCode;
import org.medlake.core.error.MedlakeException;
import org.medlake.core.file.CsvLineSplitter;
import org.medlake.core.source.SourceMapping;

/**
 * A source's code-lookup dictionary ({@code local_code,test_code,test_name[,unit]}, comma-separated
 * with a header), read as the embedded pipeline reads it: empty cells are null, values trimmed, an
 * empty unit is null, and a local code listed twice is an error.
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
      for (String required : List.of("local_code", "test_code", "test_name")) {
        if (!columns.contains(required)) {
          throw new MedlakeException(ErrorCode.INVALID_SOURCE_MAPPING,
              dictionary + ": the code dictionary has no column '" + required + "' (columns: " + String.join(", ", columns) + ")");
        }
      }
      int local = columns.indexOf("local_code");
      int code = columns.indexOf("test_code");
      int name = columns.indexOf("test_name");
      int unit = columns.indexOf("unit");
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
        String unitValue = unit < 0 ? null : cell(fields, unit);
        RecordChecker.DictionaryEntry entry = new RecordChecker.DictionaryEntry(cell(fields, code), cell(fields, name),
            unitValue == null || unitValue.isEmpty() ? null : unitValue);
        if (localCode != null && entries.put(localCode, entry) != null) {
          throw new MedlakeException(ErrorCode.INVALID_SOURCE_MAPPING,
              dictionary + ": local code '" + localCode + "' is listed more than once; each code must occur once");
        }
      }
    }
    return entries;
  }

  /** DuckDB reads an empty cell as NULL and {@code trim} removes spaces only. */
  private static String cell(List<String> fields, int index) {
    String value = fields.get(index);
    if (value.isEmpty()) {
      return null;
    }
    int start = 0;
    int end = value.length();
    while (start < end && value.charAt(start) == ' ') {
      start++;
    }
    while (end > start && value.charAt(end - 1) == ' ') {
      end--;
    }
    return value.substring(start, end);
  }
}
