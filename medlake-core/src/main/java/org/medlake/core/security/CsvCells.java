package org.medlake.core.security;

/**
 * Formula cells in the CSV files medlake writes (exports, rejects reports): a text cell that a
 * spreadsheet would run as a formula gets a leading apostrophe. One rule for every CSV writer.
 */
public final class CsvCells {
  private CsvCells() {}

  /**
   * {@code cell} with a leading apostrophe when it starts with {@code = + - @}, tab or carriage
   * return, also after leading spaces, tabs and line breaks (spreadsheets skip them before a
   * formula); any other cell as it is.
   */
  public static String neutralise(String cell) {
    for (int i = 0; i < cell.length(); i++) {
      char c = cell.charAt(i);
      if (c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r') {
        return "'" + cell;
      }
      if (c != ' ' && c != '\n' && c != '\u00A0') {
        return cell;
      }
    }
    return cell;
  }
}
