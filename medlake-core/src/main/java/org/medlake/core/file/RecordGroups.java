package org.medlake.core.file;

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

/**
 * Finds records whose quoted fields span lines. Lines with an odd number of quotes open or close
 * such a record; a candidate span is accepted only if the joined lines split into the header's
 * number of fields, so a stray quote costs one rejected line, never the lines after it.
 */
public final class RecordGroups {
  public record Span(long startLine, long endLine) {}

  private RecordGroups() {}

  public static List<Span> find(
      Path file,
      List<Long> oddQuoteLines,
      CsvLineSplitter splitter,
      int expectedFields,
      int maxLines)
      throws IOException {
    if (oddQuoteLines.size() < 2) {
      return List.of();
    }
    Map<Long, String> text = linesNear(file, oddQuoteLines, maxLines);
    List<Span> spans = new ArrayList<>();
    int i = 0;
    while (i + 1 < oddQuoteLines.size()) {
      long start = oddQuoteLines.get(i);
      long end = oddQuoteLines.get(i + 1);
      if (start > 1
          && end - start < maxLines
          && splitsCleanly(text, start, end, splitter, expectedFields)) {
        spans.add(new Span(start, end));
        i += 2;
      } else {
        i += 1;
      }
    }
    return spans;
  }

  private static boolean splitsCleanly(
      Map<Long, String> text, long start, long end, CsvLineSplitter splitter, int expectedFields) {
    StringBuilder record = new StringBuilder();
    for (long line = start; line <= end; line++) {
      String value = text.get(line);
      if (value == null) {
        return false;
      }
      if (line > start) {
        record.append('\n');
      }
      record.append(value);
    }
    Optional<List<String>> fields = splitter.split(record.toString());
    return fields.isPresent() && fields.get().size() == expectedFields;
  }

  /** The text of every line that could belong to a span, read in one pass. */
  private static Map<Long, String> linesNear(Path file, List<Long> oddQuoteLines, int maxLines)
      throws IOException {
    Map<Long, String> text = new HashMap<>();
    int next = 0;
    try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      long number = 0;
      while ((line = reader.readLine()) != null && next < oddQuoteLines.size()) {
        number++;
        while (next < oddQuoteLines.size() && oddQuoteLines.get(next) + maxLines < number) {
          next++;
        }
        if (next < oddQuoteLines.size() && number >= oddQuoteLines.get(next)) {
          text.put(number, line);
        }
      }
    }
    return text;
  }
}
