package org.medlake.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.PrintStream;
import java.util.List;
import org.medlake.core.text.TextTable;

/** Prints results as an aligned text table ({@link TextTable}) or as JSON. */
final class Output {
  private static final ObjectMapper JSON =
      new ObjectMapper()
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

  /**
   * One value as one line of JSON (for streams of events a scheduler or log shipper reads line by
   * line).
   */
  static void jsonLine(PrintStream out, Object value) {
    try {
      out.println(
          JSON.writer().without(SerializationFeature.INDENT_OUTPUT).writeValueAsString(value));
    } catch (Exception e) {
      throw new IllegalStateException("Cannot write JSON", e);
    }
  }

  static void table(PrintStream out, List<String> header, List<List<String>> rows) {
    TextTable.print(out, header, rows);
  }

  static String count(long value) {
    return TextTable.count(value);
  }

  static String bytes(long value) {
    return TextTable.bytes(value);
  }
}
