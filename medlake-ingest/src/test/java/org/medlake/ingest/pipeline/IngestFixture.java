package org.medlake.ingest.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.medlake.lake.DuckDb.literal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Array;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.zip.GZIPOutputStream;
import org.apache.iceberg.Table;
import org.apache.iceberg.expressions.Expressions;
import org.medlake.core.config.MedlakeHome;
import org.medlake.core.ledger.IngestRun;
import org.medlake.core.ledger.RunStatus;
import org.medlake.lake.DuckDb;
import org.medlake.lake.TableScans;

/**
 * A medlake home in a temporary directory with two comma-separated source mappings, {@code h001}
 * (UTF-8) and {@code h002} (ISO-8859-1), small limits for line length and decompressed size, and
 * helpers to write delivered files, ingest them and read back what a run stored. Every ingest is
 * delivered for a month of its own (the collected-at-in-month rule is off), so that cases sharing
 * the home never replace each other's rows.
 */
final class IngestFixture implements AutoCloseable {
  static final String SOURCE = "h001";
  static final String LATIN1_SOURCE = "h002";
  private static final YearMonth FIRST_MONTH = YearMonth.of(2001, 1);
  static final long MAX_LINE_BYTES = 1_000_000;
  static final long MAX_DECOMPRESSED_BYTES = 1_000_000;

  /**
   * A DuckDB expression for everything a stored row holds but its random keys and its run, for
   * {@link #accepted}.
   */
  static final String STORED_ROW =
      "concat_ws('|', hospital_id, test_code, test_name, specimen, value_numeric, value_comparator,"
          + " value_text, unit, ref_low, ref_high, abnormal_flag, collected_at, resulted_at, patient_sex, patient_birth_year, source_id,"
          + " patient_key IS NULL, encounter_key IS NULL)";

  static final String HEADER =
      "patient_id,encounter_id,loinc,test_name,result,unit,ref_low,ref_high,flag,collected_at,sex,birth_year";

  private static final String COLUMNS =
      """
      columns:
        patient-id: patient_id
        encounter-id: encounter_id
        test-code: loinc
        test-name: test_name
        result: result
        unit: unit
        ref-low: ref_low
        ref-high: ref_high
        abnormal-flag: flag
        collected-at: collected_at
        patient-sex: sex
        patient-birth-year: birth_year
      """;

  private final IngestService service;

  /** The last parsing phase reported per file name: which reader parsed it. */
  private final Map<String, String> parsing;

  private final Path deliveries;
  private final Path scratch;
  private int fileCount;
  private int deliveryCount;

  private IngestFixture(
      IngestService service, Path deliveries, Path scratch, Map<String, String> parsing) {
    this.service = service;
    this.parsing = parsing;
    this.deliveries = deliveries;
    this.scratch = scratch;
  }

  static IngestFixture create(Path directory) throws IOException {
    return create(directory, "");
  }

  /**
   * @param moreYaml further top-level sections of medlake.yaml (e.g. {@code catalog:} for an object
   *     store)
   */
  static IngestFixture create(Path directory, String moreYaml) throws IOException {
    return create(directory, "", moreYaml);
  }

  /**
   * @param moreIngest further keys of the {@code ingest:} section, each line indented by two
   *     spaces; the fail-safe ({@code hold:}) is off unless they set it, since most cases feed
   *     small files of mostly rejected rows on purpose
   * @param moreYaml further top-level sections of medlake.yaml
   */
  static IngestFixture create(Path directory, String moreIngest, String moreYaml)
      throws IOException {
    return create(directory, 1, moreIngest, moreYaml);
  }

  /**
   * @param threads {@code ingest.threads}: DuckDB's threads, and Parquet files written side by side
   * @param moreIngest further keys of the {@code ingest:} section, each line indented by two spaces
   * @param moreYaml further top-level sections of medlake.yaml
   */
  static IngestFixture create(Path directory, int threads, String moreIngest, String moreYaml)
      throws IOException {
    Path root = directory.resolve("home");
    Files.createDirectories(root);
    String hold = moreIngest.contains("hold:") ? "" : "  hold:\n    enabled: false\n";
    Files.writeString(
        root.resolve("medlake.yaml"),
        """
        ingest:
          threads: %d
          max-decompressed-bytes: %d
          max-line-bytes: %d
        """
                .formatted(threads, MAX_DECOMPRESSED_BYTES, MAX_LINE_BYTES)
            + hold
            + moreIngest
            + moreYaml);
    MedlakeHome home = MedlakeHome.open(root);
    Files.writeString(home.sources().resolve(SOURCE + ".yaml"), mapping(SOURCE, "H001", "UTF-8"));
    Files.writeString(
        home.sources().resolve(LATIN1_SOURCE + ".yaml"),
        mapping(LATIN1_SOURCE, "H002", "ISO-8859-1"));
    Path deliveries = directory.resolve("deliveries");
    Path scratch = directory.resolve("scratch");
    Files.createDirectories(deliveries);
    Files.createDirectories(scratch);
    Map<String, String> parsing = new java.util.concurrent.ConcurrentHashMap<>();
    ProgressListener listener =
        (file, phase, fraction) -> {
          if (phase.startsWith("parsing")) {
            parsing.put(file, phase);
          }
        };
    return new IngestFixture(IngestService.open(home, listener), deliveries, scratch, parsing);
  }

  private static String mapping(String source, String hospitalId, String encoding) {
    return mapping(source, hospitalId, encoding, "%Y-%m-%d %H:%M:%S");
  }

  /**
   * A mapping of the fixture's layout ({@link #HEADER}) that reads timestamps with {@code
   * timestampFormat}.
   */
  static String mapping(String source, String hospitalId, String encoding, String timestampFormat) {
    return """
        source: %s
        hospital-id: %s
        time-zone: Europe/Berlin
        timestamp-formats: ["%s"]
        csv:
          delimiter: ","
          encoding: %s
        rules:
          disabled: [collected-at-in-month]
        """
            .formatted(source, hospitalId, timestampFormat, encoding)
        + COLUMNS;
  }

  /** A valid row; {@code patient} keeps rows distinct so that none is a duplicate. */
  static String row(int patient) {
    return "P%d,E%d,2345-7,Glucose,95.5,mg/dL,70,99,N,2024-01-15 08:30:00,F,1970"
        .formatted(patient, patient);
  }

  /** The header and the lines, each ended by {@code \n}. */
  static String csv(String... lines) {
    return HEADER
        + "\n"
        + Arrays.stream(lines).map(line -> line + "\n").collect(Collectors.joining());
  }

  static byte[] gzip(byte[] content) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (GZIPOutputStream output = new GZIPOutputStream(bytes)) {
      output.write(content);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /** A new delivered file; the name gets a counter so that every case has its own file. */
  Path file(String name) {
    return deliveries.resolve(fileCount++ + "-" + name);
  }

  Path write(String name, String content) throws IOException {
    return write(name, content.getBytes(StandardCharsets.UTF_8));
  }

  Path write(String name, byte[] content) throws IOException {
    return Files.write(file(name), content);
  }

  IngestRun ingest(Path file) {
    return ingest(file, SOURCE);
  }

  IngestRun ingest(Path file, String source) {
    return service.ingest(
        new IngestService.Delivery(file, source, FIRST_MONTH.plusMonths(deliveryCount++)));
  }

  /**
   * Ingests a file that must succeed and checks the accounting: every data record was read, and
   * each is either accepted or rejected.
   */
  IngestRun ingestExpecting(Path file, long records, long accepted) {
    return ingestExpecting(file, SOURCE, records, accepted);
  }

  IngestRun ingestExpecting(Path file, String source, long records, long accepted) {
    IngestRun run = ingest(file, source);
    assertThat(run.status()).as("status of %s", run).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(run.rowsRead()).as("rows read of %s", run).isEqualTo(records);
    assertThat(run.rowsAccepted()).as("rows accepted of %s", run).isEqualTo(accepted);
    assertThat(run.rowsRejected()).as("rows rejected of %s", run).isEqualTo(records - accepted);
    assertThat(rejects(run)).hasSize((int) (records - accepted));
    assertThat(acceptedTestNames(run)).hasSize((int) accepted);
    return run;
  }

  /** The rejected rows a run stored, in file order. */
  List<Reject> rejects(IngestRun run) {
    List<Reject> rejects = new ArrayList<>();
    query(
        service.lakehouse().rejects(),
        "line_number, reason_codes, raw_line",
        run,
        rows -> {
          Array reasons = rows.getArray(2);
          rejects.add(
              new Reject(
                  rows.getLong(1),
                  Arrays.stream((Object[]) reasons.getArray()).map(String::valueOf).toList(),
                  rows.getString(3)));
        },
        "line_number");
    return rejects;
  }

  /** The test names of the accepted rows a run stored. */
  List<String> acceptedTestNames(IngestRun run) {
    List<String> names = new ArrayList<>();
    query(
        service.lakehouse().labResults(),
        "test_name",
        run,
        rows -> names.add(rows.getString(1)),
        "test_name");
    return names;
  }

  private interface RowConsumer {
    void accept(ResultSet rows) throws SQLException;
  }

  private void query(
      Table table, String columns, IngestRun run, RowConsumer consumer, String order) {
    table.refresh();
    List<String> files = TableScans.plannedFiles(table, Expressions.alwaysTrue());
    if (files.isEmpty()) {
      return;
    }
    String paths =
        files.stream()
            .map(org.medlake.lake.DuckDb::literal)
            .collect(Collectors.joining(", ", "[", "]"));
    try (Connection connection = DuckDb.open("1GB", 1, scratch);
        Statement statement = connection.createStatement();
        ResultSet rows =
            statement.executeQuery(
                "SELECT "
                    + columns
                    + " FROM read_parquet("
                    + paths
                    + ") WHERE ingest_run_id = "
                    + literal(run.id())
                    + " ORDER BY "
                    + order)) {
      while (rows.next()) {
        consumer.accept(rows);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * How the file was parsed: {@link FileIngestion#PARSING_RECORDS} or {@link
   * FileIngestion#PARSING_LINES}.
   */
  String parsing(Path file) {
    return parsing.get(file.getFileName().toString());
  }

  /**
   * The accepted rows of a run as text, sorted: {@code expression} is a DuckDB expression over the
   * contract's columns giving one string a row.
   */
  List<String> accepted(IngestRun run, String expression) {
    List<String> rows = new ArrayList<>();
    query(
        service.lakehouse().labResults(),
        expression,
        run,
        result -> rows.add(result.getString(1)),
        "1");
    return rows;
  }

  IngestService service() {
    return service;
  }

  /** A directory for DuckDB's spill files of the fixture's own queries. */
  Path scratch() {
    return scratch;
  }

  @Override
  public void close() {
    service.close();
  }

  /** One row of the rejects table. */
  record Reject(long lineNumber, List<String> reasonCodes, String rawLine) {
    Reject {
      reasonCodes = List.copyOf(reasonCodes);
    }
  }
}
