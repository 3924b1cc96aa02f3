package org.medlake.core.text;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Plain-text reports for people: an aligned table (numbers right-aligned), counts with thousands
 * separators and byte sizes in binary units. The CLI's output and the benchmarks' reports print
 * through it, so both read alike.
 */
public final class TextTable {
  private TextTable() {}

  /** Prints {@code header}, a rule and {@code rows}, each column as wide as its widest cell. */
  public static void print(PrintStream out, List<String> header, List<List<String>> rows) {
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
      line.append(
          numeric
              ? " ".repeat(widths.get(column) - cell.length()) + cell
              : cell + " ".repeat(widths.get(column) - cell.length()));
    }
    return line.toString().stripTrailing();
  }

  /** {@code 1234567} as {@code 1,234,567}. */
  public static String count(long value) {
    return String.format(Locale.ROOT, "%,d", value);
  }

  /** {@code 1536} as {@code 1.5 KiB}; below 1 KiB in bytes. */
  public static String bytes(long value) {
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
    return String.format(Locale.ROOT, "%.1f %s", scaled, units[unit]);
  }
}
