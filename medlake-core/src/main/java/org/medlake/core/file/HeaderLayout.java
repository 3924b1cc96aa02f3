package org.medlake.core.file;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.medlake.core.error.UnreadableFileException;
import org.medlake.core.source.SourceMapping;
import org.medlake.core.source.SourceMapping.Field;

/** The header of a delivered file, resolved against its source mapping. */
public record HeaderLayout(
    List<String> names, Map<Field, Integer> columnIndexes, Optional<Integer> filterIndex) {
  private static final char[] COMMON_DELIMITERS = {',', ';', '\t', '|'};

  public HeaderLayout {
    names = List.copyOf(names);
    columnIndexes = Map.copyOf(columnIndexes);
  }

  public static HeaderLayout resolve(Path file, String header, SourceMapping mapping) {
    if (header.isBlank()) {
      throw new UnreadableFileException(
          file, "line 1: empty header line (expected the column names)");
    }
    CsvLineSplitter splitter =
        new CsvLineSplitter(mapping.csv().delimiter(), mapping.csv().quote());
    List<String> names =
        splitter
            .split(header)
            .orElseThrow(
                () -> new UnreadableFileException(file, "line 1: malformed quoting in the header"))
            .stream()
            .map(String::trim)
            .toList();
    Map<Field, Integer> indexes = new EnumMap<>(Field.class);
    List<String> missing = new ArrayList<>();
    // in the contract's field order, so that the message does not depend on map iteration order
    for (Field field : Field.values()) {
      String column = mapping.columns().get(field);
      if (column == null) {
        continue;
      }
      int index = names.indexOf(column);
      if (index < 0) {
        missing.add(column);
      } else if (names.lastIndexOf(column) != index) {
        // which of the columns is meant cannot be told; taking the first would silently pick one
        throw new UnreadableFileException(
            file,
            "line 1: column '%s' occurs %d times in the header (source '%s' maps it to %s)"
                .formatted(
                    printable(column),
                    names.stream().filter(column::equals).count(),
                    mapping.source(),
                    field.key()));
      } else {
        indexes.put(field, index + 1);
      }
    }
    Optional<Integer> filterIndex = Optional.empty();
    if (mapping.filter().isPresent()) {
      int index = names.indexOf(mapping.filter().get().column());
      if (index < 0) {
        missing.add(mapping.filter().get().column());
      } else {
        filterIndex = Optional.of(index + 1);
      }
    }
    if (!missing.isEmpty()) {
      throw new UnreadableFileException(
          file, "line 1: " + explainMissing(header, names, missing, mapping));
    }
    return new HeaderLayout(names, indexes, filterIndex);
  }

  private static String explainMissing(
      String header, List<String> names, List<String> missing, SourceMapping mapping) {
    char expected = mapping.csv().delimiter();
    for (char candidate : COMMON_DELIMITERS) {
      if (candidate == expected) {
        continue;
      }
      Optional<List<String>> other =
          new CsvLineSplitter(candidate, mapping.csv().quote()).split(header);
      if (other.isPresent()
          && other.get().stream()
              .map(String::trim)
              .toList()
              .containsAll(mapping.columns().values())) {
        return "wrong delimiter: source '%s' expects '%s' but the header is separated by '%s'"
            .formatted(mapping.source(), printable(expected), printable(candidate));
      }
    }
    String shown =
        printable(
            names.size() > 12
                ? String.join(", ", names.subList(0, 12)) + ", ..."
                : String.join(", ", names));
    return "required column(s) missing: %s (source '%s'; the header has %d column(s): %s)"
        .formatted(String.join(", ", missing), mapping.source(), names.size(), shown);
  }

  private static String printable(char delimiter) {
    return delimiter == '\t' ? "\\t" : String.valueOf(delimiter);
  }

  /** Text from the file as it may appear in a one-line message: control characters escaped. */
  private static String printable(String text) {
    StringBuilder printable = new StringBuilder(text.length());
    text.codePoints()
        .forEach(
            c -> {
              if (Character.isISOControl(c)) {
                printable.append("\\x%02X".formatted(c));
              } else {
                printable.appendCodePoint(c);
              }
            });
    return printable.toString();
  }
}
