package org.medlake.testkit.generate;

import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Writes {@code manifest.json}: what was generated, so tests and benchmarks can check counts. */
final class ManifestWriter {
  static final String FILE_NAME = "manifest.json";

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private ManifestWriter() {}

  static Path write(GeneratorOptions options, GenerationReport report) throws IOException {
    Map<String, Object> manifest = new LinkedHashMap<>();
    manifest.put("generator", "medlake generate");
    manifest.put("seed", options.seed());
    manifest.put("hospitals", options.hospitals());
    manifest.put("months", options.months());
    manifest.put("start", options.start().toString());
    manifest.put("rowsPerFile", options.rowsPerFile());
    manifest.put("dirtyFraction", options.dirtyFraction());
    manifest.put("gzip", options.gzip());
    // written only when asked for, so that earlier manifests stay byte for byte the same
    if (options.realWorld()) {
      manifest.put("realWorld", true);
    }
    if (options.backfillMonths() > 0) {
      manifest.put("backfillMonths", options.backfillMonths());
    }
    if (options.resubmission()) {
      manifest.put("resubmission", true);
    }
    List<Map<String, Object>> files = new ArrayList<>();
    for (GeneratedFile file : report.files()) {
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("path", relativePath(options.outDir(), file.path()));
      entry.put("hospitalId", file.hospitalId());
      entry.put("source", file.source());
      entry.put("month", file.month().toString());
      if (file.kind() != GeneratedFile.Kind.MONTHLY) {
        entry.put("kind", file.kind().name().toLowerCase(Locale.ROOT));
      }
      entry.put("dataRows", file.dataRows());
      entry.put("defectiveRows", file.defectiveRows());
      entry.put("defects", file.defects());
      if (!file.shapes().isEmpty()) {
        entry.put("shapes", file.shapes());
      }
      files.add(entry);
    }
    manifest.put("files", files);
    Map<String, Object> totals = new LinkedHashMap<>();
    totals.put("files", report.files().size());
    totals.put("dataRows", report.rows());
    totals.put("defectiveRows", report.defectiveRows());
    totals.put("defects", report.defects());
    if (!report.shapes().isEmpty()) {
      totals.put("shapes", report.shapes());
    }
    manifest.put("totals", totals);

    // a fixed line feed: the default pretty printer uses the platform's line separator
    DefaultPrettyPrinter printer =
        new DefaultPrettyPrinter().withObjectIndenter(new DefaultIndenter("  ", "\n"));
    Path target = options.outDir().resolve(FILE_NAME);
    MAPPER.writer(printer).writeValue(target.toFile(), manifest);
    return target;
  }

  /** Relative to the landing directory, with forward slashes on every platform. */
  static String relativePath(Path outDir, Path file) {
    List<String> parts = new ArrayList<>();
    for (Path part : outDir.relativize(file)) {
      parts.add(part.toString());
    }
    return String.join("/", parts);
  }
}
