package org.medlake.ingest.pipeline;

import static org.medlake.lake.DuckDb.literal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.medlake.core.error.ErrorCode;
import org.medlake.core.error.MedlakeException;
import org.medlake.core.source.SourceMapping;

/**
 * A source's code dictionary ({@code code-lookup.dictionary}, docs/sources.md) read into DuckDB:
 * the one place that knows its file and columns, shared by ingestion and {@code medlake remap}.
 */
public final class CodeDictionary {
  /**
   * The DuckDB table {@link #load} creates: {@code local_code, test_code, test_name, unit}
   * (whatever the dictionary's own column names, {@code code-lookup.columns}), trimmed, blank
   * values null, lines without a local code left out.
   */
  public static final String TABLE = "dictionary";

  private CodeDictionary() {}

  /** The dictionary file of a source with a {@code code-lookup}. */
  public static Path file(Path sourcesDirectory, SourceMapping mapping) {
    SourceMapping.CodeLookup lookup =
        mapping
            .codeLookup()
            .orElseThrow(
                () ->
                    new MedlakeException(
                        ErrorCode.INVALID_SOURCE_MAPPING,
                        "source '" + mapping.source() + "' has no code-lookup dictionary"));
    return sourcesDirectory.resolve(lookup.dictionary());
  }

  /**
   * Creates the table {@value #TABLE} from the source's dictionary; a missing file, a missing
   * column or a local code listed twice is a one-line mapping error naming the dictionary.
   */
  public static void load(Statement statement, Path sourcesDirectory, SourceMapping mapping)
      throws SQLException {
    Path dictionary = file(sourcesDirectory, mapping);
    if (!Files.isRegularFile(dictionary)) {
      throw new MedlakeException(
          ErrorCode.INVALID_SOURCE_MAPPING,
          "source '"
              + mapping.source()
              + "': code-lookup dictionary "
              + dictionary
              + " does not exist");
    }
    String reader =
        "read_csv(" + literal(dictionary.toString()) + ", header = true, all_varchar = true)";
    List<String> columns = new ArrayList<>();
    try (ResultSet rows = statement.executeQuery("DESCRIBE SELECT * FROM " + reader)) {
      while (rows.next()) {
        columns.add(rows.getString(1));
      }
    }
    SourceMapping.DictionaryColumns names = mapping.codeLookup().orElseThrow().columns();
    String unit = names.unit().orElse(SourceMapping.DictionaryColumns.DEFAULT_UNIT);
    List<String> required =
        new ArrayList<>(List.of(names.localCode(), names.testCode(), names.testName()));
    names.unit().ifPresent(required::add);
    for (String column : required) {
      if (!columns.contains(column)) {
        throw new MedlakeException(
            ErrorCode.INVALID_SOURCE_MAPPING,
            dictionary
                + ": the code dictionary has no column '"
                + column
                + "' (columns: "
                + String.join(", ", columns)
                + ")");
      }
    }
    // blank cells are null, so an item without a standard code has a null test_code; a row without
    // a local code can never match
    statement.execute(
        "CREATE TABLE "
            + TABLE
            + " AS SELECT nullif(trim("
            + identifier(names.localCode())
            + "), '') AS local_code,"
            + " nullif(trim("
            + identifier(names.testCode())
            + "), '') AS test_code, nullif(trim("
            + identifier(names.testName())
            + "), '') AS test_name, "
            + (columns.contains(unit)
                ? "nullif(trim(" + identifier(unit) + "), '')"
                : "NULL::VARCHAR")
            + " AS unit FROM "
            + reader
            + " WHERE nullif(trim("
            + identifier(names.localCode())
            + "), '') IS NOT NULL");
    try (ResultSet rows =
        statement.executeQuery(
            "SELECT local_code, count(*) FROM "
                + TABLE
                + " GROUP BY local_code HAVING count(*) > 1 ORDER BY local_code LIMIT 1")) {
      if (rows.next()) {
        throw new MedlakeException(
            ErrorCode.INVALID_SOURCE_MAPPING,
            dictionary
                + ": local code '"
                + rows.getString(1)
                + "' is listed "
                + rows.getLong(2)
                + " times; each code must occur once");
      }
    }
  }

  private static String identifier(String name) {
    return '"' + name.replace("\"", "\"\"") + '"';
  }
}
