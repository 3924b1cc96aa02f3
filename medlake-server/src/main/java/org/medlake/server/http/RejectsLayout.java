package org.medlake.server.http;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.medlake.core.config.MedlakeHome;
import org.medlake.core.file.CsvLineSplitter;
import org.medlake.core.ledger.IngestRun;
import org.medlake.core.source.SourceMapping;
import org.medlake.core.source.SourceRegistry;

/**
 * How a run's file lays out its rows, so that a rejected raw line can be shown under the file's
 * header with the failing field's cell marked: the header's column names (null when the file or its
 * mapping can no longer be read), the delimiter and quote of the source mapping, and the header
 * column each field of the mapping comes from. Only column names: no row of the file.
 */
record RejectsLayout(
    @JsonProperty("header") List<String> header,
    @JsonProperty("delimiter") String delimiter,
    @JsonProperty("quote") String quote,
    @JsonProperty("field_columns") Map<String, String> fieldColumns) {

  /** The longest header line read (a header is column names: anything longer is not one). */
  private static final int MAX_HEADER_CHARS = 1 << 16;

  static RejectsLayout of(MedlakeHome home, IngestRun run) {
    SourceMapping mapping;
    try {
      mapping = new SourceRegistry(home.sources()).load(run.sourceId());
    } catch (RuntimeException e) {
      // the mapping was removed or broken since the run: the rows are shown without a header
      return new RejectsLayout(null, ",", "\"", Map.of());
    }
    Map<String, String> columns = new LinkedHashMap<>();
    for (SourceMapping.Field field : SourceMapping.Field.values()) {
      mapping.column(field).ifPresent(column -> columns.put(field.key(), column));
    }
    return new RejectsLayout(
        header(home.root().resolve(run.sourceFile()), mapping),
        String.valueOf(mapping.csv().delimiter()),
        String.valueOf(mapping.csv().quote()),
        columns);
  }

  /** The file's header split into column names; null when it cannot be read. */
  private static List<String> header(Path file, SourceMapping mapping) {
    if (!Files.isRegularFile(file)) {
      return null;
    }
    try (InputStream input = decompressed(new BufferedInputStream(Files.newInputStream(file)));
        BufferedReader reader =
            new BufferedReader(
                new InputStreamReader(input, Charset.forName(mapping.csv().encoding())))) {
      char[] buffer = new char[MAX_HEADER_CHARS];
      int length = reader.read(buffer, 0, buffer.length);
      if (length <= 0) {
        return null;
      }
      String text = new String(buffer, 0, length);
      int end = text.indexOf('\n');
      if (end < 0 && length == buffer.length) {
        return null;
      }
      String line = end < 0 ? text : text.substring(0, end);
      line = line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
      line = line.startsWith("\uFEFF") ? line.substring(1) : line;
      return new CsvLineSplitter(mapping.csv().delimiter(), mapping.csv().quote())
          .split(line)
          .map(names -> names.stream().map(String::trim).toList())
          .orElse(null);
    } catch (IOException | RuntimeException e) {
      // an unreadable, changed or undecodable file: the rows are shown without a header
      return null;
    }
  }

  /**
   * A gzip file (by its magic bytes, as the ingest tells them) decompressed; others as they are.
   */
  private static InputStream decompressed(BufferedInputStream input) throws IOException {
    input.mark(2);
    int first = input.read();
    int second = input.read();
    input.reset();
    return first == 0x1f && second == 0x8b ? new GZIPInputStream(input) : input;
  }
}
