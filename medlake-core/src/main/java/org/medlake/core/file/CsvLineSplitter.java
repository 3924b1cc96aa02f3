package org.medlake.core.file;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Splits one CSV record with RFC 4180 quoting, in Java, for the header and for checking records
 * that span lines; the bulk of the rows is split by DuckDB with the same rules.
 */
public final class CsvLineSplitter {
  private final char delimiter;
  private final char quote;

  public CsvLineSplitter(char delimiter, char quote) {
    this.delimiter = delimiter;
    this.quote = quote;
  }

  /** The fields, or empty when the quoting is malformed. */
  public Optional<List<String>> split(String record) {
    List<String> fields = new ArrayList<>();
    StringBuilder field = new StringBuilder();
    int i = 0;
    int length = record.length();
    while (true) {
      field.setLength(0);
      if (i < length && record.charAt(i) == quote) {
        i++;
        boolean closed = false;
        while (i < length) {
          char c = record.charAt(i);
          if (c == quote) {
            if (i + 1 < length && record.charAt(i + 1) == quote) {
              field.append(quote);
              i += 2;
              continue;
            }
            closed = true;
            i++;
            break;
          }
          field.append(c);
          i++;
        }
        if (!closed || (i < length && record.charAt(i) != delimiter)) {
          return Optional.empty();
        }
      } else {
        while (i < length && record.charAt(i) != delimiter) {
          if (record.charAt(i) == quote) {
            return Optional.empty();
          }
          field.append(record.charAt(i));
          i++;
        }
      }
      fields.add(field.toString());
      if (i >= length) {
        return Optional.of(fields);
      }
      i++; // the delimiter
    }
  }
}
