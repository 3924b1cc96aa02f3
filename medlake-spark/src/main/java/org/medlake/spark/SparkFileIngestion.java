package org.medlake.spark;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.array_distinct;
import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.md5;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.year;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.iceberg.OverwriteFiles;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.util.SnapshotUtil;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.network.util.JavaUtils;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.medlake.core.config.S3Config;
import org.medlake.core.contract.LabResults;
import org.medlake.core.error.CommitConflictException;
import org.medlake.core.file.PreparedFile;
import org.medlake.core.file.RecordGroups;
import org.medlake.core.source.SourceMapping;
import org.medlake.core.vault.LinkVault;
import scala.Tuple2;

/**
 * One file's ingestion on Spark: the driver has prepared the file (checksum, line scan, spans);
 * executors type and check every record, the driver links patients and encounters through the
 * vault set-wise and Iceberg's Spark writer commits rejects, then results, with the run's snapshot
 * summary.
 */
final class SparkFileIngestion {
  static final String RUN_ID = "medlake.run-id";
  static final String SHA256 = "medlake.source-sha256";
  static final String HOSPITAL_MONTH = "medlake.hospital-month";
  static final String ROWS_READ = "medlake.rows-read";
  static final String ROWS_ACCEPTED = "medlake.rows-accepted";
  static final String ROWS_REJECTED = "medlake.rows-rejected";
  static final String ROWS_FILTERED = "medlake.rows-filtered";
  static final String REASONS = "medlake.rejected-by-reason";

  private static final StructType CHECKED = new StructType()
      .add("line_no", DataTypes.LongType, false)
      .add("raw", DataTypes.StringType)
      .add("filtered", DataTypes.BooleanType, false)
      .add("reasons", DataTypes.createArrayType(DataTypes.StringType, false), false)
      .add("patient_id", DataTypes.StringType)
      .add("encounter_id", DataTypes.StringType)
      .add("test_code", DataTypes.StringType)
      .add("test_name", DataTypes.StringType)
      .add("specimen", DataTypes.StringType)
      .add("value_numeric", DataTypes.DoubleType)
      .add("value_comparator", DataTypes.StringType)
      .add("value_text", DataTypes.StringType)
      .add("unit", DataTypes.StringType)
      .add("ref_low", DataTypes.DoubleType)
      .add("ref_high", DataTypes.DoubleType)
      .add("abnormal_flag", DataTypes.StringType)
      .add("collected_at", DataTypes.TimestampNTZType)
      .add("resulted_at", DataTypes.TimestampNTZType)
      .add("patient_sex", DataTypes.StringType)
      .add("patient_birth_year", DataTypes.IntegerType)
      .add("value_kind", DataTypes.StringType)
      .add("value_low", DataTypes.DoubleType)
      .add("value_high", DataTypes.DoubleType)
      .add("value_titer", DataTypes.DoubleType)
      .add("value_ordinal", DataTypes.DoubleType)
      .add("local_code", DataTypes.StringType)
      .add("local_name", DataTypes.StringType)
      .add("delta_flag", DataTypes.StringType)
      .add("value_canonical", DataTypes.DoubleType)
      .add("unit_canonical", DataTypes.StringType)
      .add("unit_status", DataTypes.StringType);

  /**
   * What the job committed for one file, with the row accounting; a held file ({@code held}: why)
   * committed nothing and has no snapshot.
   */
  record Outcome(long rowsRead, long rowsAccepted, long rowsRejected, long rowsFiltered, Map<String, Long> rejectedByReason,
      long snapshotId, long bytesOut, java.util.Optional<String> held, Map<String, Long> flagged, Map<String, Long> unmappedCodes) {}

  /** Decides from a file's counts, before anything is committed, whether its run is held (why), as {@code RunHold} does. */
  @FunctionalInterface
  interface Hold {
    java.util.Optional<String> check(long rowsRead, long rowsAccepted, long rowsRejected, long rowsFiltered, Map<String, Long> rejectedByReason);
  }

  private final SparkSession spark;
  private final String catalog;
  private final LinkVault vault;
  private final FileIO objectIo;

  /** {@code objectIo}: how executors read {@code s3://} files (null when every file is local). */
  SparkFileIngestion(SparkSession spark, String catalog, LinkVault vault, FileIO objectIo) {
    this.spark = spark;
    this.catalog = catalog;
    this.vault = vault;
    this.objectIo = objectIo;
  }

  /**
   * @param readable where executors read the prepared file: a {@code file:} URI (Spark's text source)
   *     or an {@code s3://} object (byte ranges through {@code objectIo})
   */
  Outcome run(PreparedFile prepared, String readable, RecordChecker checker, List<RecordGroups.Span> spans, SourceMapping mapping, YearMonth month,
      String sourceFile, String runId, Hold hold) throws IOException {
    JavaSparkContext context = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Map<Long, String> flags = new HashMap<>();
    prepared.encodingLines().forEach(line -> flags.put(line, "ENCODING"));
    prepared.overlongLines().forEach(line -> flags.put(line, "LINE_TOO_LONG"));
    Map<Long, String> spanText = new HashMap<>();
    Set<Long> spanLines = new HashSet<>();
    joinSpans(prepared.readable(), spans, spanText, spanLines);
    Broadcast<RecordChecker> checkerBroadcast = context.broadcast(checker);
    Broadcast<Map<Long, String>> flagsBroadcast = context.broadcast(flags);
    Broadcast<Map<Long, String>> spansBroadcast = context.broadcast(spanText);
    Broadcast<Set<Long>> spanLinesBroadcast = context.broadcast(spanLines);

    JavaRDD<Row> rows = lines(context, readable).zipWithIndex()
        .mapPartitions(lines -> checkPartition(lines, checkerBroadcast.value(), flagsBroadcast.value(), spansBroadcast.value(),
            spanLinesBroadcast.value()));
    Dataset<Row> typed = spark.createDataFrame(rows, CHECKED).persist(StorageLevel.MEMORY_AND_DISK());
    Dataset<Row> checked = null;
    try {
      long filtered = typed.filter(col("filtered")).count();
      Dataset<Row> kept = typed.filter(col("filtered").equalTo(false)).drop("filtered");
      if (checker.duplicateRule()) {
        Dataset<Row> hashed = kept.withColumn("raw_hash", md5(col("raw").cast("binary")));
        Dataset<Row> duplicates = hashed.groupBy("raw_hash").agg(min("line_no").as("first_line"), count(lit(1)).as("copies"))
            .filter(col("copies").gt(1)).drop("copies");
        kept = hashed.join(duplicates, hashed.col("raw_hash").equalTo(duplicates.col("raw_hash")), "left")
            .withColumn("reasons", when(col("first_line").isNotNull().and(col("line_no").gt(col("first_line"))),
                concat(col("reasons"), array(lit("DUPLICATE_ROW")))).otherwise(col("reasons")))
            .drop(hashed.col("raw_hash")).drop(duplicates.col("raw_hash")).drop("first_line");
      }
      checked = kept.persist(StorageLevel.MEMORY_AND_DISK());
      long read = checked.count();
      Dataset<Row> rejectedRows = checked.filter(size(col("reasons")).gt(0));
      long rejected = rejectedRows.count();
      Map<String, Long> reasons = new TreeMap<>();
      for (Row row : rejectedRows.select(explode(array_distinct(col("reasons"))).as("reason")).groupBy("reason").count().collectAsList()) {
        reasons.put(row.getString(0), row.getLong(1));
      }
      java.util.Optional<String> held = hold.check(read, read - rejected, rejected, filtered, reasons);
      if (held.isPresent()) {
        return new Outcome(read, read - rejected, rejected, filtered, reasons, 0, 0, held, Map.of(), Map.of());
      }
      Dataset<Row> acceptedRows = checked.filter(size(col("reasons")).equalTo(0));
      // what FileIngestion counts for the run: rows of local codes without a standard code, numbers whose unit did not convert
      Map<String, Long> flagged = new TreeMap<>();
      Map<String, Long> unmapped = new TreeMap<>();
      for (Row row : acceptedRows.filter(col("test_code").isNull().and(col("local_code").isNotNull())).groupBy("local_code").count()
          .collectAsList()) {
        unmapped.put(row.getString(0), row.getLong(1));
        flagged.merge("UNMAPPED_CODE", row.getLong(1), Long::sum);
      }
      for (Row row : acceptedRows.filter(col("value_numeric").isNotNull().and(col("unit_status").isin("UNKNOWN_UNIT", "INCOMPATIBLE_UNIT")))
          .groupBy("unit_status").count().collectAsList()) {
        flagged.put(row.getString(0), row.getLong(1));
      }
      Dataset<Row> results = withKeys(acceptedRows, mapping.hospitalId()).select(
          lit(mapping.hospitalId()).as("hospital_id"), col("patient_key"), col("encounter_key"), col("test_code"), col("test_name"),
          col("specimen"), col("value_numeric"), col("value_comparator"), col("value_text"), col("unit"), col("ref_low"), col("ref_high"),
          col("abnormal_flag"), col("collected_at"), col("resulted_at"), col("patient_sex"),
          when(year(col("collected_at")).minus(col("patient_birth_year")).gt(LabResults.MAX_REPORTED_AGE),
              year(col("collected_at")).minus(LabResults.MAX_REPORTED_AGE + 1)).otherwise(col("patient_birth_year")).cast("int")
              .as("patient_birth_year"),
          lit(mapping.source()).as("source_id"), lit(sourceFile).as("source_file"), lit(runId).as("ingest_run_id"),
          col("value_kind"), col("value_low"), col("value_high"), col("value_titer"), col("value_ordinal"), col("local_code"),
          col("local_name"), col("value_canonical"), col("unit_canonical"), col("unit_status"), col("delta_flag"));
      Dataset<Row> rejects = rejectedRows.select(
          lit(mapping.hospitalId()).as("hospital_id"), lit(month.atDay(1).atStartOfDay()).as("delivery_month"),
          lit(mapping.source()).as("source_id"), lit(sourceFile).as("source_file"), lit(prepared.sha256()).as("source_sha256"),
          col("line_no").as("line_number"), col("raw").as("raw_line"), col("reasons").as("reason_codes"), lit(runId).as("ingest_run_id"));

      long rejectsBytes = commitRejects(rejects, rejected, mapping.hospitalId(), month);
      long accepted = read - rejected;
      Map<String, String> summary = new TreeMap<>();
      summary.put(RUN_ID, runId);
      summary.put(SHA256, prepared.sha256());
      summary.put(HOSPITAL_MONTH, mapping.hospitalId() + "/" + month);
      summary.put(ROWS_READ, String.valueOf(read));
      summary.put(ROWS_ACCEPTED, String.valueOf(accepted));
      summary.put(ROWS_REJECTED, String.valueOf(rejected));
      summary.put(ROWS_FILTERED, String.valueOf(filtered));
      summary.put(REASONS, encode(reasons));
      Snapshot snapshot = commitResults(results, summary, mapping.hospitalId() + "/" + month, runId);
      long written = Long.parseLong(snapshot.summary().getOrDefault("added-records", "0"));
      if (written != accepted) {
        throw new IllegalStateException("row accounting broken for " + prepared.original().getFileName() + ": " + read + " read, "
            + rejected + " rejected, but " + written + " written");
      }
      long bytesOut = Long.parseLong(snapshot.summary().getOrDefault("added-files-size", "0")) + rejectsBytes;
      return new Outcome(read, accepted, rejected, filtered, reasons, snapshot.snapshotId(), bytesOut, java.util.Optional.empty(), flagged,
          unmapped);
    } finally {
      typed.unpersist();
      if (checked != null) {
        checked.unpersist();
      }
      checkerBroadcast.destroy();
      flagsBroadcast.destroy();
      spansBroadcast.destroy();
      spanLinesBroadcast.destroy();
    }
  }

  /** The file's lines in order, one partition per split: Spark's text source, or ranged reads of an object. */
  private JavaRDD<String> lines(JavaSparkContext context, String location) {
    if (objectIo == null || !S3Config.isS3(location)) {
      return spark.read().textFile(location).javaRDD();
    }
    long length = objectIo.newInputFile(location).getLength();
    long splitBytes = JavaUtils.byteStringAsBytes(spark.conf().get("spark.sql.files.maxPartitionBytes", "128m"));
    List<long[]> ranges = ObjectLines.ranges(length, splitBytes);
    FileIO io = objectIo;
    return context.parallelize(ranges, ranges.size()).flatMap(range -> ObjectLines.read(io, location, range[0], range[1]));
  }

  private static Iterator<Row> checkPartition(Iterator<Tuple2<String, Long>> lines, RecordChecker checker, Map<Long, String> flags,
      Map<Long, String> spanText, Set<Long> spanLines) {
    List<Row> out = new ArrayList<>();
    while (lines.hasNext()) {
      Tuple2<String, Long> line = lines.next();
      long number = line._2() + 1;
      String raw = line._1();
      // the header, blank lines (DuckDB reads them as NULL) and the lines inside a record that spans lines
      if (number == 1 || (raw.isEmpty() && !spanText.containsKey(number)) || (spanLines.contains(number) && !spanText.containsKey(number))) {
        continue;
      }
      String record = spanText.getOrDefault(number, raw);
      RecordChecker.Checked c = checker.check(number, record, flags.get(number));
      out.add(RowFactory.create(c.lineNumber(), c.raw(), c.filtered(), c.reasons().toArray(new String[0]), c.patientId(), c.encounterId(),
          c.testCode(), c.testName(), c.specimen(), c.valueNumeric(), c.valueComparator(), c.valueText(), c.unit(), c.refLow(),
          c.refHigh(), c.abnormalFlag(), c.collectedAt(), c.resultedAt(), c.patientSex(), c.patientBirthYear(), c.valueKind(),
          c.valueLow(), c.valueHigh(), c.valueTiter(), c.valueOrdinal(), c.localCode(), c.localName(), c.deltaFlag(), c.valueCanonical(),
          c.unitCanonical(), c.unitStatus()));
    }
    return out.iterator();
  }

  /** The text of each span (its lines joined with {@code \n}), read from the file in one pass. */
  private static void joinSpans(Path file, List<RecordGroups.Span> spans, Map<Long, String> spanText, Set<Long> spanLines)
      throws IOException {
    if (spans.isEmpty()) {
      return;
    }
    Map<Long, RecordGroups.Span> byStart = new HashMap<>();
    for (RecordGroups.Span span : spans) {
      byStart.put(span.startLine(), span);
      for (long line = span.startLine(); line <= span.endLine(); line++) {
        spanLines.add(line);
      }
    }
    try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      long number = 0;
      StringBuilder current = null;
      RecordGroups.Span open = null;
      while ((line = reader.readLine()) != null) {
        number++;
        if (open == null && byStart.containsKey(number)) {
          open = byStart.get(number);
          current = new StringBuilder(line);
        } else if (open != null) {
          current.append('\n').append(line);
        }
        if (open != null && number == open.endLine()) {
          spanText.put(open.startLine(), current.toString());
          open = null;
        }
      }
    }
  }

  /** Joins the surrogates of patients (inner, as every accepted row has one) and encounters (left). */
  private Dataset<Row> withKeys(Dataset<Row> accepted, String hospitalId) {
    Dataset<Row> patients = keys(accepted, hospitalId, LinkVault.Kind.PATIENT, "patient_id", "patient_key");
    Dataset<Row> encounters = keys(accepted, hospitalId, LinkVault.Kind.ENCOUNTER, "encounter_id", "encounter_key");
    return accepted
        .join(broadcast(patients), accepted.col("patient_id").equalTo(patients.col("patient_local")), "inner")
        .join(broadcast(encounters), accepted.col("encounter_id").equalTo(encounters.col("encounter_local")), "left");
  }

  private Dataset<Row> keys(Dataset<Row> accepted, String hospitalId, LinkVault.Kind kind, String column, String keyColumn) {
    List<String> localIds = new ArrayList<>();
    for (Row row : accepted.filter(col(column).isNotNull()).select(column).distinct().collectAsList()) {
      localIds.add(row.getString(0));
    }
    Map<String, String> surrogates = vault.surrogates(hospitalId, kind, localIds);
    List<Row> rows = new ArrayList<>(surrogates.size());
    surrogates.forEach((local, surrogate) -> rows.add(RowFactory.create(local, surrogate)));
    String localColumn = column.replace("_id", "_local");
    StructType schema = new StructType().add(localColumn, DataTypes.StringType, false).add(keyColumn, DataTypes.StringType, false);
    return spark.createDataFrame(rows, schema);
  }

  /** Replaces the rejects of the hospital-month (nothing to do when there were none and are none). */
  private long commitRejects(Dataset<Row> rejects, long rejected, String hospitalId, YearMonth month) {
    Table table = table(LabResults.REJECTS_TABLE);
    Expression hospitalMonth = Expressions.and(Expressions.equal("hospital_id", hospitalId),
        Expressions.equal("delivery_month", month.atDay(1).atStartOfDay().toString()));
    boolean hadRejects = table.currentSnapshot() != null && table.newScan().filter(hospitalMonth).planFiles().iterator().hasNext();
    if (rejected == 0) {
      if (hadRejects) {
        OverwriteFiles overwrite = table.newOverwrite().overwriteByRowFilter(hospitalMonth);
        overwrite.commit();
      }
      return 0;
    }
    Column condition = col("hospital_id").equalTo(hospitalId).and(col("delivery_month").equalTo(lit(month.atDay(1).atStartOfDay())));
    try {
      rejects.writeTo(name(LabResults.REJECTS_TABLE)).option("check-nullability", "false").overwrite(condition);
    } catch (Exception e) {
      throw conflict("rejects", e);
    }
    table.refresh();
    return Long.parseLong(table.currentSnapshot().summary().getOrDefault("added-files-size", "0"));
  }

  private Snapshot commitResults(Dataset<Row> results, Map<String, String> summary, String hospitalMonth, String runId) {
    Table table = table(LabResults.TABLE);
    List<String> previousRuns = new ArrayList<>();
    if (table.currentSnapshot() != null) {
      for (Snapshot snapshot : SnapshotUtil.currentAncestors(table)) {
        if (hospitalMonth.equals(snapshot.summary().get(HOSPITAL_MONTH)) && !previousRuns.contains(snapshot.summary().get(RUN_ID))) {
          previousRuns.add(snapshot.summary().get(RUN_ID));
        }
      }
    }
    var writer = results.writeTo(name(LabResults.TABLE)).option("check-nullability", "false");
    for (Map.Entry<String, String> entry : summary.entrySet()) {
      writer = writer.option("snapshot-property." + entry.getKey(), entry.getValue());
    }
    try {
      if (previousRuns.isEmpty()) {
        writer.append();
      } else {
        writer.overwrite(col("ingest_run_id").isin(previousRuns.toArray()));
      }
    } catch (Exception e) {
      throw conflict("results", e);
    }
    table.refresh();
    for (Snapshot snapshot : SnapshotUtil.currentAncestors(table)) {
      if (runId.equals(snapshot.summary().get(RUN_ID))) {
        return snapshot;
      }
    }
    throw new IllegalStateException("Commit of run " + runId + " is not in the table history");
  }

  private static RuntimeException conflict(String what, Exception e) {
    if (e instanceof org.apache.iceberg.exceptions.CommitFailedException) {
      return new CommitConflictException("Commit of the " + what + " failed after retries: " + e.getMessage(), e);
    }
    return e instanceof RuntimeException runtime ? runtime : new IllegalStateException(e);
  }

  Table table(String tableName) {
    try {
      return org.apache.iceberg.spark.Spark3Util.loadIcebergTable(spark, name(tableName));
    } catch (org.apache.spark.sql.catalyst.parser.ParseException | org.apache.spark.sql.catalyst.analysis.NoSuchTableException e) {
      throw new UncheckedIOException(new IOException("Cannot load table " + name(tableName) + ": " + e.getMessage(), e));
    }
  }

  String name(String tableName) {
    return catalog + "." + LabResults.NAMESPACE + "." + tableName;
  }

  static String encode(Map<String, Long> reasons) {
    StringBuilder encoded = new StringBuilder();
    new TreeMap<>(reasons).forEach((reason, rows) -> {
      if (encoded.length() > 0) {
        encoded.append(',');
      }
      encoded.append(reason).append('=').append(rows);
    });
    return encoded.toString();
  }

}
