package org.medlake.ingest.pipeline;

import static org.medlake.lake.DuckDb.literal;

import java.nio.file.Path;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;
import org.medlake.core.contract.LabResults;
import org.medlake.core.file.FileChunks;
import org.medlake.core.file.LineScan;
import org.medlake.core.source.SourceMapping;
import org.medlake.core.source.SourceMapping.Field;
import org.medlake.core.source.SourceMapping.ResultKind;
import org.medlake.core.source.SourceMapping.SwitchableRule;
import org.medlake.core.source.SourceMapping.UnmappedCodes;

/**
 * The DuckDB statements of one file's ingestion. DuckDB reads the file line by line (so every row
 * keeps its line number and raw text), splits and types the fields, and evaluates every rule in one
 * vectorized pass; values are never pasted into SQL except as escaped literals from the operator's
 * own source mapping.
 */
final class IngestSql {
  private final SourceMapping mapping;
  private final Map<Field, Integer> columnIndexes;
  private final Optional<Integer> filterIndex;
  private final int expectedFields;
  private final YearMonth month;

  IngestSql(
      SourceMapping mapping,
      Map<Field, Integer> columnIndexes,
      Optional<Integer> filterIndex,
      int expectedFields,
      YearMonth month) {
    this.mapping = mapping;
    this.columnIndexes = Map.copyOf(columnIndexes);
    this.filterIndex = filterIndex;
    this.expectedFields = expectedFields;
    this.month = month;
  }

  /**
   * A value that never occurs in a file whose scan found no U+0001 byte: DuckDB's CSV reader takes
   * it as the null string, so that an empty field stays an empty string as on the line path, and it
   * separates fields in a row's duplicate hash.
   */
  static final String NEVER_OCCURS = String.valueOf((char) 1);

  /**
   * Reads and types every record of a rectangular file (one record a line, the header's field
   * count, plain quoting; see {@code LineScan.rectangular}) into the temp table {@code typed} with
   * DuckDB's native, parallel CSV reader. The rows go to the table {@code typed_rows} in file order
   * (insertion order is preserved), and the view {@code typed} numbers them from its row ids: a
   * window function would number them while reading but make the whole statement single-threaded.
   * The raw line is not kept here; it is read back only for rejected rows. {@code readable} holds
   * the lines of {@code chunk} (the header only if the chunk is the first).
   */
  String createTypedRectangular(
      Path readable, LineScan.Rectangular shape, long maxLineBytes, FileChunks.Chunk chunk) {
    StringJoiner columns = new StringJoiner(", ", "{", "}");
    StringJoiner hashed = new StringJoiner(", chr(1), ", "concat(", ")");
    StringJoiner cells = new StringJoiner(", ");
    for (int index = 1; index <= expectedFields; index++) {
      columns.add("'c" + index + "': 'VARCHAR'");
      hashed.add("c" + index);
      cells.add("c" + index);
    }
    String quote = literal(String.valueOf(mapping.csv().quote()));
    StringBuilder sql = new StringBuilder();
    sql.append("CREATE TABLE typed_rows AS\nWITH fields AS (\n")
        .append("  SELECT NULL::BIGINT AS line_no, NULL::VARCHAR AS raw, md5_number(")
        .append(hashed)
        .append(") AS raw_hash,\n")
        .append("    false AS bad_quoting, ")
        .append(expectedFields)
        .append(" AS field_count, NULL::VARCHAR AS line_flag, ")
        .append(cells)
        .append("\n")
        .append("  FROM read_csv(")
        .append(literal(readable.toString()))
        .append(", columns = ")
        .append(columns)
        .append(", delim = ")
        .append(literal(String.valueOf(mapping.csv().delimiter())))
        .append(", quote = ")
        .append(quote)
        .append(", escape = ")
        .append(quote)
        .append(", header = false, skip = ")
        .append(chunk.firstLine() == 1 ? 1 : 0)
        .append(", auto_detect = false")
        // the scan already proved every line well-formed; DuckDB 1.4's strict mode reads no rows at
        // all from a \r\n file (the row count check would catch it, at the price of a second parse)
        .append(", strict_mode = ")
        .append(!shape.crlf())
        .append(", new_line = ")
        .append(shape.crlf() ? "'\\r\\n'" : "'\\n'")
        .append(", nullstr = ")
        .append(literal(NEVER_OCCURS))
        .append(", allow_quoted_nulls = false, max_line_size = ")
        .append(maxLineBytes + 16)
        .append(")\n),\n");
    // a field whose values the scan found unpadded is not trimmed: trim is Unicode-aware and costs
    // about as much as reading the field
    appendValues(sql, index -> shape.mayBePadded(index) ? "trim(c" + index + ")" : "c" + index);
    sql.append(typedSelect()).append(";\n");
    sql.append("CREATE VIEW typed AS SELECT rowid + ")
        .append(chunk.firstRecordLine())
        .append(" AS line_no, * EXCLUDE (line_no) FROM typed_rows");
    return sql.toString();
  }

  /**
   * The {@code vals} CTE over {@code fields}; {@code cell} gives the expression of a trimmed field.
   */
  private void appendValues(StringBuilder sql, java.util.function.IntFunction<String> cell) {
    sql.append("vals AS (\n  SELECT line_no, raw, raw_hash, bad_quoting, field_count, line_flag");
    for (Field field : Field.values()) {
      sql.append(",\n    ").append(value(field, cell)).append(" AS ").append(name(field));
    }
    sql.append(",\n    ")
        .append(filterIndex.map(cell::apply).orElse("NULL"))
        .append(" AS filter_value");
    sql.append("\n  FROM fields\n)\n");
  }

  /**
   * Reads, splits and types every record of the file into the temp table {@code typed}; {@code
   * readable} holds the file's lines from {@code firstLine} on.
   */
  String createTyped(
      Path readable, char lineDelimiter, long maxLineBytes, boolean hasSpans, long firstLine) {
    char delimiter = mapping.csv().delimiter();
    char quote = mapping.csv().quote();
    String d = literal(String.valueOf(delimiter));
    String q = literal(String.valueOf(quote));
    // every match starts with a delimiter (one is prepended to the line), so no match is empty:
    // an empty match would make the regex engine skip the character after it
    String fieldPattern =
        regexEscape(delimiter)
            + "("
            + regexEscape(quote)
            + "(?:[^"
            + regexEscape(quote)
            + "]|"
            + regexEscape(quote)
            + regexEscape(quote)
            + ")*"
            + regexEscape(quote)
            + "|[^"
            + regexEscape(delimiter)
            + regexEscape(quote)
            + "]*)";
    String records =
        hasSpans
            ? """
          SELECT line_no, raw FROM lines
          WHERE line_no > 1 AND raw IS NOT NULL AND line_no NOT IN (SELECT line_no FROM span_lines)
          UNION ALL
          SELECT s.start_line, string_agg(coalesce(l.raw, $$$$), chr(10) ORDER BY l.line_no)
          FROM lines l JOIN spans s ON l.line_no BETWEEN s.start_line AND s.end_line
          GROUP BY s.start_line
          """
            : "SELECT line_no, raw FROM lines WHERE line_no > 1 AND raw IS NOT NULL";
    String doubled = literal(String.valueOf(quote) + quote);
    StringBuilder sql = new StringBuilder();
    // the lines go to a table in file order first and are numbered from their row ids: a window
    // function over the reader would make the whole statement single-threaded
    sql.append("CREATE TABLE file_lines AS SELECT raw FROM read_csv(")
        .append(literal(readable.toString()))
        .append(", columns = {'raw': 'VARCHAR'}, delim = ")
        .append(literal(String.valueOf(lineDelimiter)))
        .append(", quote = '', escape = '', header = false, auto_detect = false, max_line_size = ")
        .append(maxLineBytes + 16)
        .append(");\n");
    sql.append("CREATE TABLE typed AS\nWITH lines AS (\n  SELECT rowid + ")
        .append(firstLine)
        .append(" AS line_no, raw FROM file_lines\n),\n")
        .append("records AS (\n")
        .append(records)
        .append("),\n")
        .append("split AS (\n  SELECT line_no, raw, strpos(raw, ")
        .append(q)
        .append(") > 0 AS quoted,\n")
        .append("    CASE WHEN strpos(raw, ")
        .append(q)
        .append(") = 0 THEN string_split(raw, ")
        .append(d)
        .append(") ELSE regexp_extract_all(")
        .append(d)
        .append(" || raw, ")
        .append(literal(fieldPattern))
        .append(", 1) END AS parts\n  FROM records\n),\n")
        .append(
            "fields AS (\n  SELECT s.line_no, s.raw, md5_number(s.raw) AS raw_hash, quoted AND array_to_string(parts, ")
        .append(d)
        .append(") <> raw AS bad_quoting,\n")
        .append("    len(parts) AS field_count, lf.flag AS line_flag,\n")
        .append(
            "    CASE WHEN NOT quoted THEN parts ELSE list_transform(parts, x -> CASE WHEN starts_with(x, ")
        .append(q)
        .append(") AND length(x) >= 2 THEN replace(x[2:-2], ")
        .append(doubled)
        .append(", ")
        .append(q)
        .append(") ELSE x END) END AS f\n")
        .append("  FROM split s LEFT JOIN line_flags lf ON lf.line_no = s.line_no\n),\n");
    appendValues(sql, index -> "trim(f[" + index + "])");
    sql.append(typedSelect()).append(";\nDROP TABLE file_lines");
    return sql.toString();
  }

  private String typedSelect() {
    String unsigned =
        mapping.decimalSeparator().equals(",")
            ? "(?:[0-9]+(?:,[0-9]+)?|,[0-9]+)"
            : "(?:[0-9]+(?:\\.[0-9]+)?|\\.[0-9]+)";
    String number = "[-+]?" + unsigned;
    String resultPattern = "(?:<=|>=|<|>)?\\s*" + number;
    String rangePattern = "^\\s*(" + number + ")\\s*-\\s*(" + number + ")\\s*$";
    String lowOnly = "^\\s*>=?\\s*(" + number + ")\\s*$";
    String highOnly = "^\\s*<=?\\s*(" + number + ")\\s*$";
    boolean filtering = mapping.filter().isPresent();
    String keep =
        mapping
            .filter()
            .map(
                filter ->
                    filter.keep().stream()
                        .map(org.medlake.lake.DuckDb::literal)
                        .collect(java.util.stream.Collectors.joining(", ", "(", ")")))
            .orElse(null);
    StringBuilder inner = new StringBuilder();
    // no join here: the rows must stay in file order, since their line numbers come from row ids
    inner
        .append(
            "SELECT v.line_no, v.raw, v.raw_hash, v.bad_quoting, v.field_count, v.line_flag, v.patient_id, v.encounter_id, v.local_code,\n")
        .append("  v.local_name, v.test_code, v.test_name, v.unit,\n")
        .append(
            "  v.specimen, v.result, v.abnormal_flag AS flag_raw, v.patient_sex, v.ref_low AS ref_low_raw, v.ref_high AS ref_high_raw,\n")
        .append("  v.reference_range AS range_raw,\n")
        .append("  coalesce(regexp_full_match(v.result, ")
        .append(literal(resultPattern))
        .append("), false) AS numeric_result,\n")
        .append(
            "  v.collected_at AS collected_raw, v.resulted_at AS resulted_raw, v.patient_birth_year AS birth_year_raw,\n")
        .append("  ")
        .append(strptime("v.collected_at"))
        .append(" AS collected_local,\n")
        .append("  ")
        .append(strptime("v.resulted_at"))
        .append(" AS resulted_local,\n")
        .append(
            "  CASE WHEN regexp_full_match(v.patient_birth_year, '[0-9]{4}') THEN CAST(v.patient_birth_year AS INTEGER) END AS patient_birth_year,\n")
        .append(
            !filtering
                ? "  false AS filtered\n"
                : "  (v.line_flag IS NULL AND NOT v.bad_quoting AND v.field_count = "
                    + expectedFields
                    + " AND coalesce(v.filter_value NOT IN "
                    + keep
                    + ", true)) AS filtered\n")
        .append("FROM vals v");
    String range = literal("(" + unsigned + ")\\s*-\\s*(" + unsigned + ")");
    String titer = literal("(<=|>=|<|>)?\\s*1\\s*:\\s*([0-9]+)");
    String ordinal = literal("(?i)[1-4]\\s*\\+|\\++|tr|trace|neg|negative");
    StringBuilder sql = new StringBuilder("SELECT p.*,\n");
    sql.append("  CASE WHEN p.numeric_result THEN TRY_CAST(")
        .append(decimal("ltrim(p.result, '<>= ')"))
        .append(" AS DOUBLE) END AS value_numeric,\n")
        .append("  CASE WHEN (p.numeric_result OR regexp_full_match(p.result, ")
        .append(titer)
        .append(")) AND p.result[1] IN ('<', '>')")
        .append(
            " THEN CASE WHEN p.result[2] = '=' THEN p.result[1:2] ELSE p.result[1] END END AS value_comparator,\n")
        .append("  CASE WHEN NOT p.numeric_result THEN p.result END AS value_text,\n")
        .append(
            "  CASE WHEN p.result IS NULL THEN NULL WHEN p.numeric_result THEN CASE WHEN p.result[1] IN ('<', '>') THEN 'censored' ELSE 'number' END\n")
        .append("    WHEN regexp_full_match(p.result, ")
        .append(range)
        .append(") THEN 'range'\n")
        .append("    WHEN regexp_full_match(p.result, ")
        .append(titer)
        .append(") THEN 'titer'\n")
        .append("    WHEN regexp_full_match(p.result, ")
        .append(ordinal)
        .append(") THEN 'ordinal' ELSE 'text' END AS value_kind,\n")
        .append("  CASE WHEN NOT p.numeric_result AND regexp_full_match(p.result, ")
        .append(range)
        .append(") THEN CAST(")
        .append(decimal("regexp_extract(p.result, " + range + ", 1)"))
        .append(" AS DOUBLE) END AS value_low,\n")
        .append("  CASE WHEN NOT p.numeric_result AND regexp_full_match(p.result, ")
        .append(range)
        .append(") THEN CAST(")
        .append(decimal("regexp_extract(p.result, " + range + ", 2)"))
        .append(" AS DOUBLE) END AS value_high,\n")
        .append("  CASE WHEN NOT p.numeric_result AND regexp_full_match(p.result, ")
        .append(titer)
        .append(") THEN CAST(")
        .append("regexp_extract(p.result, ")
        .append(titer)
        .append(", 2) AS DOUBLE) END AS value_titer,\n")
        .append("  CASE WHEN NOT p.numeric_result AND regexp_full_match(p.result, ")
        .append(ordinal)
        .append(") THEN CASE")
        .append(
            " WHEN regexp_full_match(p.result, '[1-4]\\s*\\+') THEN CAST(p.result[1] AS DOUBLE)")
        .append(" WHEN regexp_full_match(p.result, '\\++') THEN length(p.result)::DOUBLE")
        .append(
            " WHEN lower(p.result) IN ('tr', 'trace') THEN 0.5 ELSE 0.0 END END AS value_ordinal,\n")
        .append("  ")
        .append(flag("p.flag_raw"))
        .append(" AS abnormal_flag,\n")
        .append("  CASE WHEN lower(p.flag_raw) = 'delta' THEN 'Y' END AS delta_flag,\n");
    if (columnIndexes.containsKey(Field.REFERENCE_RANGE)
        || mapping.constants().containsKey(Field.REFERENCE_RANGE)) {
      String rangeRaw = "p.range_raw";
      sql.append("  CASE WHEN regexp_matches(")
          .append(rangeRaw)
          .append(", ")
          .append(literal(rangePattern))
          .append(") THEN CAST(")
          .append(decimal("regexp_extract(" + rangeRaw + ", " + literal(rangePattern) + ", 1)"))
          .append(" AS DOUBLE)")
          .append(" WHEN regexp_matches(")
          .append(rangeRaw)
          .append(", ")
          .append(literal(lowOnly))
          .append(") THEN CAST(")
          .append(decimal("regexp_extract(" + rangeRaw + ", " + literal(lowOnly) + ", 1)"))
          .append(" AS DOUBLE) END AS ref_low,\n")
          .append("  CASE WHEN regexp_matches(")
          .append(rangeRaw)
          .append(", ")
          .append(literal(rangePattern))
          .append(") THEN CAST(")
          .append(decimal("regexp_extract(" + rangeRaw + ", " + literal(rangePattern) + ", 2)"))
          .append(" AS DOUBLE)")
          .append(" WHEN regexp_matches(")
          .append(rangeRaw)
          .append(", ")
          .append(literal(highOnly))
          .append(") THEN CAST(")
          .append(decimal("regexp_extract(" + rangeRaw + ", " + literal(highOnly) + ", 1)"))
          .append(" AS DOUBLE) END AS ref_high,\n")
          .append("  ")
          .append(rangeRaw)
          .append(" IS NOT NULL AND NOT regexp_matches(")
          .append(rangeRaw)
          .append(", ")
          .append(literal(rangePattern + "|" + lowOnly + "|" + highOnly))
          .append(") AS invalid_range\n");
    } else {
      String strict = literal(number);
      sql.append("  CASE WHEN regexp_full_match(p.ref_low_raw, ")
          .append(strict)
          .append(") THEN CAST(")
          .append(decimal("p.ref_low_raw"))
          .append(" AS DOUBLE) END AS ref_low,\n")
          .append("  CASE WHEN regexp_full_match(p.ref_high_raw, ")
          .append(strict)
          .append(") THEN CAST(")
          .append(decimal("p.ref_high_raw"))
          .append(" AS DOUBLE) END AS ref_high,\n")
          .append("  NOT coalesce(regexp_full_match(p.ref_low_raw, ")
          .append(strict)
          .append("), true)")
          .append(" OR NOT coalesce(regexp_full_match(p.ref_high_raw, ")
          .append(strict)
          .append("), true) AS invalid_range\n");
    }
    sql.append("FROM (").append(inner).append(") p");
    return sql.toString();
  }

  /**
   * The abnormal flag of a cell (after value maps): a contract flag in any case, or one of the
   * words hospitals write for them ({@code normal}, {@code abnormal}, {@code high}, {@code low},
   * {@code critical high}, {@code critical low}); {@code delta} (a delta-check failure, kept in
   * {@code delta_flag}) says nothing about the direction and gives null; anything else is kept for
   * the {@code INVALID_FLAG} rule.
   */
  private static String flag(String cell) {
    return "CASE WHEN upper("
        + cell
        + ") IN "
        + inList(LabResults.ABNORMAL_FLAGS)
        + " THEN upper("
        + cell
        + ")"
        + " ELSE CASE lower("
        + cell
        + ") WHEN 'normal' THEN 'N' WHEN 'abnormal' THEN 'A' WHEN 'high' THEN 'H' WHEN 'low' THEN 'L'"
        + " WHEN 'critical high' THEN 'HH' WHEN 'critical low' THEN 'LL' WHEN 'delta' THEN NULL ELSE "
        + cell
        + " END END";
  }

  /**
   * Distinct local hours of the file with their shift to UTC: one time-zone lookup per hour, not
   * per row.
   */
  String createUtcShifts() {
    return "CREATE TABLE utc_shifts AS SELECT hour, timezone("
        + literal(mapping.timeZone())
        + ", hour)::TIMESTAMP - hour AS shift FROM ("
        + "SELECT DISTINCT date_trunc('hour', collected_local) AS hour FROM typed WHERE collected_local IS NOT NULL"
        + " UNION SELECT DISTINCT date_trunc('hour', resulted_local) FROM typed WHERE resulted_local IS NOT NULL)";
  }

  private String strptime(String column) {
    List<String> formats = mapping.timestampFormats();
    String argument =
        formats.size() == 1
            ? literal(formats.get(0))
            : formats.stream()
                .map(org.medlake.lake.DuckDb::literal)
                .collect(java.util.stream.Collectors.joining(", ", "[", "]"));
    return "try_strptime(" + column + ", " + argument + ")";
  }

  /** Evaluates every rule into {@code reasons}; rows filtered out by the source are left out. */
  String createChecked() {
    String monthStart = literal(month.atDay(1) + " 00:00:00");
    String nextMonth = literal(month.plusMonths(1).atDay(1) + " 00:00:00");
    List<String> rules = new ArrayList<>();
    rules.add("CASE WHEN patient_id IS NULL THEN 'MISSING_PATIENT_ID' END");
    rules.add("CASE WHEN local_code IS NULL AND test_code IS NULL THEN 'MISSING_TEST_CODE' END");
    if (mapping.rules().unmappedCodes() == UnmappedCodes.REJECT) {
      if (mapping.codeLookup().isPresent()) {
        rules.add(
            "CASE WHEN local_code IS NOT NULL AND NOT dictionary_hit THEN 'UNKNOWN_LOCAL_CODE' END");
        rules.add(
            "CASE WHEN local_code IS NOT NULL AND dictionary_hit AND test_code IS NULL THEN 'UNMAPPED_LOCAL_CODE' END");
      } else {
        rules.add(
            "CASE WHEN local_code IS NOT NULL AND test_code IS NULL THEN 'UNMAPPED_LOCAL_CODE' END");
      }
    }
    rules.add(
        "CASE WHEN test_code IS NOT NULL AND NOT coalesce(code_valid, false) THEN 'INVALID_TEST_CODE' END");
    rules.add(
        "CASE WHEN test_name IS NULL AND (test_code IS NOT NULL OR local_code IS NOT NULL) THEN 'MISSING_TEST_NAME' END");
    rules.add("CASE WHEN result IS NULL THEN 'MISSING_RESULT' END");
    if (mapping.rules().resultKinds().size() < ResultKind.values().length) {
      rules.add(
          "CASE WHEN value_kind NOT IN "
              + inList(mapping.rules().resultKinds().stream().map(ResultKind::key).toList())
              + " THEN 'INVALID_RESULT' END");
    }
    rules.add("CASE WHEN invalid_range THEN 'INVALID_REFERENCE_RANGE' END");
    rules.add("CASE WHEN collected_raw IS NULL THEN 'MISSING_COLLECTED_AT' END");
    rules.add(
        "CASE WHEN collected_raw IS NOT NULL AND collected_at IS NULL THEN 'INVALID_COLLECTED_AT' END");
    rules.add(
        "CASE WHEN resulted_raw IS NOT NULL AND resulted_at IS NULL THEN 'INVALID_RESULTED_AT' END");
    rules.add(
        "CASE WHEN abnormal_flag IS NOT NULL AND abnormal_flag NOT IN "
            + inList(LabResults.ABNORMAL_FLAGS)
            + " THEN 'INVALID_FLAG' END");
    rules.add(
        "CASE WHEN patient_sex IS NOT NULL AND patient_sex NOT IN "
            + inList(LabResults.SEXES)
            + " THEN 'INVALID_SEX' END");
    rules.add(
        "CASE WHEN birth_year_raw IS NOT NULL AND (patient_birth_year IS NULL OR patient_birth_year < 1870"
            + " OR patient_birth_year > coalesce(year(collected_local), year(current_date))) THEN 'INVALID_BIRTH_YEAR' END");
    if (mapping.rules().enabled(SwitchableRule.VALUE_PLAUSIBILITY)) {
      // in the test's canonical unit, the unit of the catalogue's bounds; a unit that does not
      // convert is not checked
      rules.add(
          "CASE WHEN value_canonical < plausible_min OR value_canonical > plausible_max THEN 'IMPLAUSIBLE_VALUE' END");
    }
    if (mapping.rules().enabled(SwitchableRule.COLLECTED_AT_IN_MONTH)) {
      rules.add(
          "CASE WHEN collected_local < TIMESTAMP "
              + monthStart
              + " OR collected_local >= TIMESTAMP "
              + nextMonth
              + " THEN 'COLLECTED_OUTSIDE_MONTH' END");
    }
    if (mapping.rules().enabled(SwitchableRule.NO_FUTURE_TIMESTAMPS)) {
      rules.add(
          "CASE WHEN collected_at > now()::TIMESTAMP + INTERVAL 1 DAY OR resulted_at > now()::TIMESTAMP + INTERVAL 1 DAY"
              + " THEN 'FUTURE_TIMESTAMP' END");
    }
    if (mapping.rules().enabled(SwitchableRule.RESULTED_AFTER_COLLECTED)) {
      rules.add("CASE WHEN resulted_at < collected_at THEN 'RESULTED_BEFORE_COLLECTED' END");
    }
    StringJoiner ruleList = new StringJoiner(",\n      ", "[\n      ", "]");
    rules.forEach(ruleList::add);
    boolean duplicates = mapping.rules().enabled(SwitchableRule.DUPLICATE_ROWS);
    String duplicate =
        duplicates
            ? " || CASE WHEN first_line IS NOT NULL AND line_no > first_line THEN ['DUPLICATE_ROW'] ELSE [] END"
            : "";
    // the raw line is kept only for rejected rows: accepted rows never need it again
    // only what the writing, the vault and the counts read: the raw text, intermediate values and
    // look-ups are not materialized again
    return "CREATE TABLE checked AS\nSELECT line_no, reasons, CASE WHEN len(reasons) > 0 THEN raw END AS raw, patient_id, encounter_id,\n"
        + "  test_code, test_name, specimen, value_numeric, value_comparator, value_text, unit, ref_low, ref_high, abnormal_flag,\n"
        + "  collected_at, resulted_at, patient_sex, patient_birth_year, value_kind, value_low, value_high, value_titer, value_ordinal,\n"
        + "  local_code, local_name, delta_flag, value_canonical, unit_canonical, unit_status FROM (\n"
        + "SELECT t.*,\n  CASE\n"
        + "    WHEN line_flag IS NOT NULL THEN [line_flag]\n"
        + "    WHEN bad_quoting THEN ['BAD_QUOTING']\n"
        + "    WHEN field_count <> "
        + expectedFields
        + " THEN ['RAGGED_ROW']\n"
        + "    ELSE list_filter("
        + ruleList
        + ", x -> x IS NOT NULL)\n  END"
        + duplicate
        + " AS reasons\n"
        + "FROM (SELECT t.* REPLACE (CASE WHEN uc.status IS NULL THEN t.unit ELSE nullif(uc.unit, '') END AS unit),\n"
        + "    c.valid AS code_valid, p.plausible_min, p.plausible_max,\n"
        + "    t.value_numeric * uc.factor AS value_canonical, CASE WHEN uc.factor IS NOT NULL THEN uc.unit_canonical END AS unit_canonical,\n"
        + "    uc.status AS unit_status,\n"
        + "    t.collected_local + sc.shift AS collected_at, t.resulted_local + sr.shift AS resulted_at,\n"
        + "    "
        + (duplicates ? "dp.first_line" : "NULL::BIGINT AS first_line")
        + "\n"
        + "  FROM "
        + coded()
        + " t LEFT JOIN code_check c ON c.code = t.test_code LEFT JOIN plausibility p ON p.test_code = t.test_code\n"
        + "  LEFT JOIN unit_conversions uc ON uc.test_key = coalesce(t.test_code, '') AND uc.unit_key = coalesce(t.unit, '')\n"
        + "  LEFT JOIN utc_shifts sc ON sc.hour = date_trunc('hour', t.collected_local)\n"
        + "  LEFT JOIN utc_shifts sr ON sr.hour = date_trunc('hour', t.resulted_local)\n"
        + (duplicates ? "  LEFT JOIN duplicates dp ON dp.raw_hash = t.raw_hash\n" : "")
        + "  WHERE NOT t.filtered) t) t";
  }

  /**
   * The distinct (test code, unit) pairs of the typed rows, null as the empty string: what {@code
   * unit_conversions} needs.
   */
  String distinctTestUnits() {
    return "SELECT DISTINCT coalesce(test_code, ''), coalesce(unit, '') FROM " + coded() + " t";
  }

  /**
   * The typed rows with their standard test code, name and unit: from the file's own columns where
   * they are mapped and not empty, else from the source's code dictionary; a row without a name
   * anywhere is named by its local name or code. {@code dictionary_hit} says whether the local code
   * is in the dictionary at all.
   */
  private String coded() {
    if (mapping.codeLookup().isEmpty()) {
      return "(SELECT * REPLACE (coalesce(test_name, local_name, local_code) AS test_name), false AS dictionary_hit FROM typed)";
    }
    return "(SELECT t.* REPLACE (coalesce(t.test_code, d.test_code) AS test_code,"
        + " coalesce(t.test_name, d.test_name, t.local_name, t.local_code) AS test_name, coalesce(t.unit, d.unit) AS unit),"
        + " d.local_code IS NOT NULL AS dictionary_hit FROM typed t LEFT JOIN dictionary d ON d.local_code = t.local_code)";
  }

  /**
   * Where a file cut in chunks keeps the distinct row hashes of the chunks before (16 bytes a row):
   * the table {@code hashes} of the DuckDB database file {@code database}, attached only while a
   * chunk's hashes are looked up and, if {@code add}, added (all chunks but the last); detaching it
   * frees its memory, so it does not stay resident as the file goes on.
   */
  record SeenHashes(Path database, boolean add) {}

  /**
   * Lines that occur more than once among the rows kept by the filter, with the first occurrence (0
   * for a line whose hash occurs in a chunk before, when {@code seen} is present): an aggregate on
   * a 128-bit hash, which DuckDB can spill, where a window over the raw text could not. The hashes
   * are copied out of the wide typed table first, and the aggregate runs in {@code passes} passes,
   * each over the hashes in one residue class: one aggregate straight over the typed rows of a 30
   * M-row file ran out of memory under the 2 GB default. The residue is taken of a 64-bit hash of
   * the hash: a 128-bit modulo cost about 4 µs a row (six minutes for six passes over 30 M rows).
   */
  static List<String> createDuplicates(int passes, Optional<SeenHashes> seen) {
    List<String> statements = new ArrayList<>();
    statements.add(
        "CREATE TABLE row_hashes AS SELECT raw_hash, line_no FROM typed WHERE NOT filtered");
    statements.add(
        "CREATE TABLE line_hashes (raw_hash UHUGEINT, first_line BIGINT, occurrences BIGINT)");
    for (int pass = 0; pass < passes; pass++) {
      // alone, only hashes that repeat matter; across chunks, every hash may repeat later
      statements.add(
          "INSERT INTO line_hashes SELECT raw_hash, min(line_no), count(*) FROM row_hashes"
              + (passes > 1 ? " WHERE hash(raw_hash) % " + passes + " = " + pass : "")
              + " GROUP BY raw_hash"
              + (seen.isEmpty() ? " HAVING count(*) > 1" : ""));
    }
    statements.add("DROP TABLE row_hashes");
    if (seen.isEmpty()) {
      statements.add("ALTER TABLE line_hashes RENAME TO duplicates");
      return statements;
    }
    statements.add("ATTACH " + literal(seen.get().database().toString()) + " AS seen");
    statements.add("CREATE TABLE IF NOT EXISTS seen.hashes (raw_hash UHUGEINT)");
    statements.add(
        "CREATE TABLE known_hashes AS SELECT l.raw_hash, l.first_line, l.occurrences, s.raw_hash IS NOT NULL AS known"
            + " FROM line_hashes l LEFT JOIN seen.hashes s ON s.raw_hash = l.raw_hash");
    statements.add("DROP TABLE line_hashes");
    if (seen.get().add()) {
      statements.add("INSERT INTO seen.hashes SELECT raw_hash FROM known_hashes WHERE NOT known");
    }
    statements.add("DETACH seen");
    statements.add(
        "CREATE TABLE duplicates AS SELECT raw_hash, CASE WHEN known THEN 0 ELSE first_line END AS first_line"
            + " FROM known_hashes WHERE known OR occurrences > 1");
    statements.add("DROP TABLE known_hashes");
    return statements;
  }

  /** {@link #createDuplicates} with as many passes as {@code rows} typed rows need. */
  static List<String> createDuplicatesFor(long rows, Optional<SeenHashes> seen) {
    return createDuplicates(
        (int) Math.max(1, (rows + ROWS_PER_DUPLICATES_PASS - 1) / ROWS_PER_DUPLICATES_PASS), seen);
  }

  /** Rows a duplicate-finding pass aggregates at most. */
  static final long ROWS_PER_DUPLICATES_PASS = 5_000_000;

  /**
   * The accepted rows, in no particular order, without the four columns that hold the same value in
   * every row (hospital, source, file, run): {@link #contractColumns} adds those after the sort,
   * which would otherwise carry them, the file name in full, through every row.
   */
  private String acceptedVarying() {
    return "SELECT pk.surrogate AS patient_key, ek.surrogate AS encounter_key,\n"
        + "  test_code, test_name, specimen, value_numeric, value_comparator, value_text, unit, ref_low, ref_high,\n"
        + "  abnormal_flag,\n"
        + "  collected_at, resulted_at, patient_sex,\n"
        + "  CAST(CASE WHEN year(collected_at) - patient_birth_year > "
        + LabResults.MAX_REPORTED_AGE
        + " THEN year(collected_at) - "
        + (LabResults.MAX_REPORTED_AGE + 1)
        + " ELSE patient_birth_year END AS INTEGER) AS patient_birth_year,\n"
        + "  value_kind, value_low, value_high, value_titer, value_ordinal, local_code, local_name,\n"
        + "  value_canonical, unit_canonical, unit_status, delta_flag\n"
        + "FROM checked c JOIN patient_keys pk ON pk.local_id = c.patient_id LEFT JOIN encounter_keys ek ON ek.local_id = c.encounter_id\n"
        + "WHERE len(c.reasons) = 0";
  }

  /**
   * The contract's columns, in its order, over a relation of {@link #acceptedVarying}'s columns.
   */
  private String contractColumns(String sourceFile, String runId) {
    return literal(mapping.hospitalId())
        + " AS hospital_id, patient_key, encounter_key,\n"
        + "  test_code, test_name, specimen, value_numeric, value_comparator, value_text, unit, ref_low, ref_high, abnormal_flag,\n"
        + "  collected_at, resulted_at, patient_sex, patient_birth_year,\n"
        + "  "
        + literal(mapping.source())
        + " AS source_id, "
        + literal(sourceFile)
        + " AS source_file, "
        + literal(runId)
        + " AS ingest_run_id,\n"
        + "  value_kind, value_low, value_high, value_titer, value_ordinal, local_code, local_name,\n"
        + "  value_canonical, unit_canonical, unit_status, delta_flag";
  }

  /**
   * The accepted rows of one UTC month, in the contract's column order, sorted by {@code sortOrder}
   * (the projection above the sort keeps its order: insertion order is preserved).
   */
  String acceptedRowsOfMonth(
      String monthStartUtc, String sourceFile, String runId, String sortOrder) {
    return "SELECT "
        + contractColumns(sourceFile, runId)
        + "\nFROM (SELECT * FROM ("
        + acceptedVarying()
        + ") a\n"
        + "WHERE date_trunc('month', collected_at) = TIMESTAMP "
        + literal(monthStartUtc)
        + "\nORDER BY "
        + sortOrder
        + ") a";
  }

  /**
   * The table {@code accepted}: the accepted rows of every UTC month but {@code excludedMonths}
   * (timestamps of month starts), with their month in {@code collected_month}, sorted by month and
   * then by {@code sortOrder}, so that each month's rows are one stretch of the table, in the order
   * its file needs. It holds {@link #acceptedVarying}'s columns; {@link #acceptedOfMonth} adds the
   * rest.
   */
  String createAcceptedByMonth(String sortOrder, List<String> excludedMonths) {
    String excluded =
        excludedMonths.isEmpty()
            ? ""
            : "\nWHERE date_trunc('month', collected_at) NOT IN "
                + excludedMonths.stream()
                    .map(month -> "TIMESTAMP " + literal(month))
                    .collect(java.util.stream.Collectors.joining(", ", "(", ")"));
    return "CREATE TABLE accepted AS SELECT date_trunc('month', collected_at) AS collected_month, *\nFROM ("
        + acceptedVarying()
        + ") a"
        + excluded
        + "\nORDER BY collected_month, "
        + sortOrder;
  }

  /**
   * The rows of {@code accepted} of one UTC month, row ids {@code firstRow} to {@code lastRow}, in
   * the contract's columns and the table's order (insertion order is preserved, so no sort runs
   * again). The row ids let the scan read only the month's stretch of the table; the month's own
   * condition keeps the rows exact whatever the row ids.
   */
  String acceptedOfMonth(
      String monthStartUtc, long firstRow, long lastRow, String sourceFile, String runId) {
    return "SELECT "
        + contractColumns(sourceFile, runId)
        + " FROM accepted WHERE rowid BETWEEN "
        + firstRow
        + " AND "
        + lastRow
        + " AND collected_month = TIMESTAMP "
        + literal(monthStartUtc);
  }

  /** The rejected rows with their reasons, in file order. */
  String rejectedRows(String sourceFile, String sha256, String runId) {
    return "SELECT "
        + literal(mapping.hospitalId())
        + " AS hospital_id, TIMESTAMP "
        + literal(month.atDay(1) + " 00:00:00")
        + " AS delivery_month,\n"
        + "  "
        + literal(mapping.source())
        + " AS source_id, "
        + literal(sourceFile)
        + " AS source_file, "
        + literal(sha256)
        + " AS source_sha256,\n"
        + "  c.line_no AS line_number, coalesce(c.raw, r.raw) AS raw_line, reasons AS reason_codes, "
        + literal(runId)
        + " AS ingest_run_id\n"
        + "FROM checked c LEFT JOIN raw_lines r ON r.line_no = c.line_no WHERE len(c.reasons) > 0 ORDER BY c.line_no";
  }

  private String value(Field field, java.util.function.IntFunction<String> column) {
    Integer index = columnIndexes.get(field);
    String constant = mapping.constants().get(field);
    String raw;
    if (index != null) {
      String cell = column.apply(index);
      raw =
          "CASE WHEN "
              + cell
              + " IN "
              + inList(mapping.csv().nullValues())
              + " THEN NULL ELSE "
              + cell
              + " END";
      if (constant != null) {
        raw = "coalesce(" + raw + ", " + literal(constant) + ")";
      }
    } else if (constant != null) {
      raw = literal(constant);
    } else {
      return "NULL::VARCHAR";
    }
    Map<String, String> map = mapping.valueMaps().get(field);
    if (map == null || map.isEmpty()) {
      return raw;
    }
    StringBuilder mapped = new StringBuilder("CASE");
    String source = index == null ? literal(constant) : column.apply(index);
    for (Map.Entry<String, String> entry : map.entrySet()) {
      String stored = entry.getValue().isEmpty() ? "NULL" : literal(entry.getValue());
      if (entry.getKey().isEmpty()) {
        mapped.append(" WHEN coalesce(").append(source).append(", '') = '' THEN ").append(stored);
      } else {
        mapped
            .append(" WHEN ")
            .append(source)
            .append(" = ")
            .append(literal(entry.getKey()))
            .append(" THEN ")
            .append(stored);
      }
    }
    return mapped.append(" ELSE ").append(raw).append(" END").toString();
  }

  private String decimal(String expression) {
    return mapping.decimalSeparator().equals(",")
        ? "replace(" + expression + ", ',', '.')"
        : expression;
  }

  static String name(Field field) {
    return field.key().replace('-', '_');
  }

  private static String inList(java.util.Collection<String> values) {
    return values.stream()
        .sorted()
        .map(org.medlake.lake.DuckDb::literal)
        .collect(java.util.stream.Collectors.joining(", ", "(", ")"));
  }

  private static String regexEscape(char c) {
    if (c == '\t') {
      return "\\t";
    }
    return Character.isLetterOrDigit(c) ? String.valueOf(c) : "\\" + c;
  }
}
