package org.medlake.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/** Prints results as an aligned text table or as JSON. */
final class Output {
  private static final ObjectMapper JSON = new ObjectMapper()
      .registerModule(new JavaTimeModule())
      .registerModule(new com.fasterxml.jackson.datatype.jdk8.Jdk8Module())
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
      .enable(SerializationFeature.INDENT_OUTPUT);

  private Output() {}

  static void json(PrintStream out, Object value) {
    try {
      out.println(JSON.writeValueAsString(value));
    } catch (Exception e) {
      throw new IllegalStateException("Cannot write JSON", e);
    }
  }

  /** One value as one line of JSON (for streams of events a scheduler or log shipper reads line by line). */
  static void jsonLine(PrintStream out, Object value) {
    try {
      out.println(JSON.writer().without(SerializationFeature.INDENT_OUTPUT).writeValueAsString(value));
    } catch (Exception e) {
      throw new IllegalStateException("Cannot write JSON", e);
    }
  }

  static void table(PrintStream out, List<String> header, List<List<String>> rows) {
    List<Integer> widths = new ArrayList<>();
    for (int column = 0; column < header.size(); column++) {
      int width = header.get(column).length();
      for (List<String> row : rows) {
        width = Math.max(width, row.get(column).length());
      }
      widths.add(width);
    }
    out.println(line(header, widths));
    StringBuilder rule = new StringBuilder();
    for (int column = 0; column < widths.size(); column++) {
      rule.append(column == 0 ? "" : "  ").append("-".repeat(widths.get(column)));
    }
    out.println(rule);
    for (List<String> row : rows) {
      out.println(line(row, widths));
    }
  }

  private static String line(List<String> cells, List<Integer> widths) {
    StringBuilder line = new StringBuilder();
    for (int column = 0; column < cells.size(); column++) {
      String cell = cells.get(column);
      boolean numeric = cell.matches("-?[0-9][0-9,.]*( [A-Za-z/%]+)?");
      line.append(column == 0 ? "" : "  ");
      line.append(numeric ? " ".repeat(widths.get(column) - cell.length()) + cell : cell + " ".repeat(widths.get(column) - cell.length()));
    }
    return line.toString().stripTrailing();
  }

  static String count(long value) {
    return String.format(java.util.Locale.ROOT, "%,d", value);
  }

  static String bytes(long value) {
    if (value < 1024) {
      return value + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB"};
    double scaled = value;
    int unit = -1;
    while (scaled >= 1024 && unit < units.length - 1) {
      scaled /= 1024;
      unit++;
    }
    return String.format(java.util.Locale.ROOT, "%.1f %s", scaled, units[unit]);
  }
}
