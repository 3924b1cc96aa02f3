package org.medlake.ingest.pipeline;

import de.siegmar.fastcsv.writer.CsvWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.medlake.core.ledger.IngestRun;
import org.medlake.core.ledger.RunStatus;
import org.medlake.core.security.CsvCells;
import org.medlake.ingest.ledger.RejectedRows;
import org.medlake.lake.Lakehouse;

/**
 * Feedback for the hospital about one run: every rejected row as CSV (line number, reason codes,
 * raw line) and a readable summary by reason with sample lines. Both hold the hospital's own raw
 * lines, so they go only where the hospital's file already is, or to its uploader through the API.
 */
public final class RejectsReport {
  public static final String CSV_SUFFIX = org.medlake.core.file.LandingFiles.REJECTS_CSV_SUFFIX;
  public static final String SUMMARY_SUFFIX = ".rejects.txt";
  private static final int SAMPLES_PER_REASON = 3;
  private static final int SAMPLE_CHARS = 200;

  /** The flag of rows stored without a standard code. */
  static final String UNMAPPED_CODE = "UNMAPPED_CODE";

  private final IngestRun run;
  private final Rows rows;

  /**
   * Where the report's rows come from: read once per use, in line order, never all held by the
   * report.
   */
  @FunctionalInterface
  private interface Rows {
    void forEach(RejectedRows.RowConsumer consumer) throws IOException;
  }

  private RejectsReport(IngestRun run, Rows rows) {
    this.run = run;
    this.rows = rows;
  }

  /**
   * The report of a run whose rejected rows are in the rejects table (a held run's are not: it
   * lists none). The rows are streamed from the table each time the report is written: a report of
   * millions of rejected rows is written in bounded memory.
   */
  public static RejectsReport load(Lakehouse lakehouse, IngestRun run) {
    if (run.rowsRejected() == 0) {
      return of(run, List.of());
    }
    return new RejectsReport(run, consumer -> RejectedRows.forEach(lakehouse, run.id(), consumer));
  }

  /**
   * The report of a held run, whose rejected rows are in written but uncommitted rejects files;
   * streamed from them.
   */
  public static RejectsReport ofFiles(IngestRun run, List<Path> files, Path temporaryDirectory) {
    return new RejectsReport(
        run,
        consumer -> RejectedRows.forEachInFiles(files, run.id(), temporaryDirectory, consumer));
  }

  /** The report of a run with its rejected rows given (tests, small reports). */
  public static RejectsReport of(IngestRun run, List<RejectedRows.Row> rows) {
    List<RejectedRows.Row> copy = List.copyOf(rows);
    return new RejectsReport(
        run,
        consumer -> {
          for (RejectedRows.Row row : copy) {
            consumer.accept(row);
          }
        });
  }

  /** Deletes the report files next to {@code deliveredFile}, if there are any. */
  public static void removeNextTo(Path deliveredFile) {
    Path directory = deliveredFile.toAbsolutePath().getParent();
    String name = deliveredFile.getFileName().toString();
    try {
      Files.deleteIfExists(directory.resolve(name + CSV_SUFFIX));
      Files.deleteIfExists(directory.resolve(name + SUMMARY_SUFFIX));
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot remove the rejects report next to " + deliveredFile, e);
    }
  }

  /**
   * Writes both files next to {@code deliveredFile}, each replaced atomically (a reader never sees
   * half a report).
   */
  public void writeNextTo(Path deliveredFile) {
    Path directory = deliveredFile.toAbsolutePath().getParent();
    String name = deliveredFile.getFileName().toString();
    try {
      Path csv = directory.resolve("." + name + CSV_SUFFIX + ".part");
      try (Writer writer = Files.newBufferedWriter(csv, StandardCharsets.UTF_8)) {
        writeCsv(writer);
      }
      Files.move(
          csv,
          directory.resolve(name + CSV_SUFFIX),
          StandardCopyOption.REPLACE_EXISTING,
          StandardCopyOption.ATOMIC_MOVE);
      Path summary = directory.resolve("." + name + SUMMARY_SUFFIX + ".part");
      Files.writeString(summary, summary(), StandardCharsets.UTF_8);
      Files.move(
          summary,
          directory.resolve(name + SUMMARY_SUFFIX),
          StandardCopyOption.REPLACE_EXISTING,
          StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write the rejects report next to " + deliveredFile, e);
    }
  }

  /**
   * {@code line_number,reason_codes,raw_line}; several reasons are separated by {@code |}; a raw
   * line a spreadsheet would run as a formula is neutralised ({@link CsvCells#neutralise}).
   */
  public void writeCsv(Writer writer) {
    CsvWriter csv = CsvWriter.builder().build(writer);
    csv.writeRecord("line_number", "reason_codes", "raw_line");
    try {
      rows.forEach(
          row ->
              csv.writeRecord(
                  String.valueOf(row.lineNumber()),
                  CsvCells.neutralise(String.join("|", row.reasonCodes())),
                  CsvCells.neutralise(row.rawLine())));
      csv.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Counts by reason, most frequent first, each with the first few lines that have it. */
  public String summary() {
    StringBuilder text = new StringBuilder();
    text.append("Rejects report for ").append(run.sourceFile()).append('\n');
    text.append("Run ")
        .append(run.id())
        .append(", hospital ")
        .append(run.hospitalId())
        .append(", month ")
        .append(run.month())
        .append(", status ")
        .append(run.status())
        .append('\n');
    text.append("Rows read ")
        .append(run.rowsRead())
        .append(", accepted ")
        .append(run.rowsAccepted())
        .append(", rejected ")
        .append(run.rowsRejected());
    if (run.rowsRead() > 0) {
      text.append(
          String.format(Locale.ROOT, " (%.2f%%)", 100.0 * run.rowsRejected() / run.rowsRead()));
    }
    text.append('\n');
    if (run.status() == RunStatus.HELD) {
      text.append("\nNothing of this file was stored: the run is held.\n")
          .append(run.message())
          .append('\n');
    }
    unmappedCodes(text);
    // one pass over the rows: counts and the first few samples per reason (reasons are a short list
    // of codes)
    Map<String, long[]> counts = new LinkedHashMap<>();
    Map<String, List<RejectedRows.Row>> samples = new LinkedHashMap<>();
    long[] seen = {0};
    try {
      rows.forEach(
          row -> {
            seen[0]++;
            for (String reason : row.reasonCodes()) {
              counts.computeIfAbsent(reason, key -> new long[1])[0]++;
              List<RejectedRows.Row> kept =
                  samples.computeIfAbsent(reason, key -> new ArrayList<>());
              if (kept.size() < SAMPLES_PER_REASON) {
                String line =
                    row.rawLine().length() > SAMPLE_CHARS
                        ? row.rawLine().substring(0, SAMPLE_CHARS) + "..."
                        : row.rawLine();
                kept.add(new RejectedRows.Row(row.lineNumber(), List.of(), line));
              }
            }
          });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (seen[0] == 0 && run.rowsRejected() > 0) {
      return text.append(
              "\nThe rejected rows of this run are not in the rejects table (a held run stores none): the report written")
          .append(" next to the delivered file lists them.\n")
          .toString();
    }
    if (seen[0] == 0) {
      return text.append("\nNo rejected rows.\n").toString();
    }
    List<Map.Entry<String, long[]>> reasons = new ArrayList<>(counts.entrySet());
    reasons.sort(
        Map.Entry.<String, long[]>comparingByValue((a, b) -> Long.compare(b[0], a[0]))
            .thenComparing(Map.Entry.comparingByKey()));
    text.append("\nBy reason (a row may have several):\n");
    for (Map.Entry<String, long[]> reason : reasons) {
      text.append(
          String.format(Locale.ROOT, "%n%s: %d row(s)%n", reason.getKey(), reason.getValue()[0]));
      for (RejectedRows.Row sample : samples.get(reason.getKey())) {
        text.append("  line ")
            .append(sample.lineNumber())
            .append(": ")
            .append(sample.rawLine().replace('\r', ' ').replace('\n', ' '))
            .append('\n');
      }
    }
    text.append("\nEvery rejected row is in the CSV report (").append(CSV_SUFFIX).append(").\n");
    return text.toString();
  }

  /**
   * Rows stored without a standard code (unmapped local codes), with the most frequent codes and
   * their row counts, and the other flags rows were stored with.
   */
  private void unmappedCodes(StringBuilder text) {
    Map<String, Long> codes = run.unmappedCodes();
    long unmappedRows =
        run.flaggedByReason()
            .getOrDefault(UNMAPPED_CODE, codes.values().stream().mapToLong(Long::longValue).sum());
    if (!codes.isEmpty() || unmappedRows > 0) {
      text.append("\nUnmapped codes (stored without a standard code): ")
          .append(unmappedRows)
          .append(" row(s)");
      if (codes.size() < IngestRun.UNMAPPED_CODES_KEPT) {
        text.append(" in ").append(codes.size()).append(" code(s):\n");
      } else {
        text.append("; the ")
            .append(codes.size())
            .append(" most frequent codes with their row counts:\n");
      }
      codes.forEach(
          (code, count) ->
              text.append("  ").append(code).append(": ").append(count).append(" row(s)\n"));
    }
    List<String> flags =
        run.flaggedByReason().entrySet().stream()
            .filter(entry -> !entry.getKey().equals(UNMAPPED_CODE))
            .map(entry -> entry.getKey() + " " + entry.getValue())
            .toList();
    if (!flags.isEmpty()) {
      text.append("\nStored with a flag: ").append(String.join(", ", flags)).append('\n');
    }
  }
}
