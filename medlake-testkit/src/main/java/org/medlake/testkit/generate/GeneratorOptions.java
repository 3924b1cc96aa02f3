package org.medlake.testkit.generate;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.YearMonth;
import org.medlake.core.error.ValidationException;

/**
 * What {@link LabDataGenerator} writes.
 *
 * @param outDir landing directory; files go to {@code <outDir>/<source>/<YYYY-MM>/}
 * @param sourcesDir where the source mappings ({@code <source>.yaml}) and dictionaries go
 * @param hospitals number of hospitals; hospital {@code i} (0-based) uses layout {@code i mod 3}
 * @param months number of consecutive months per hospital, from {@code start}
 * @param rowsPerFile data rows in every file, not counting the header
 * @param seed the same seed and options give byte-identical files
 * @param dirtyFraction share of data rows that carry exactly one defect, from 0 to 1
 * @param gzip write {@code .csv.gz} instead of {@code .csv}
 * @param manifest also write {@code <outDir>/manifest.json}
 * @param realWorld also write valid rows of the shapes real laboratory exports have: ordinal,
 *     range, titer, censored and free-text results, unit spellings and flag variants, local codes
 *     without a standard code (dictionary layout), and one hospital reporting glucose and
 *     creatinine in SI units
 * @param backfillMonths when positive, one more file for the first hospital whose rows span this
 *     many months before {@code start}, delivered as source {@code <source>-backfill} whose mapping
 *     switches off {@code collected-at-in-month}
 * @param resubmission also write a second, broken delivery of the first hospital's first month
 *     whose every row is rejected ({@code INVALID_COLLECTED_AT}); it sorts after the first delivery
 */
public record GeneratorOptions(
    Path outDir,
    Path sourcesDir,
    int hospitals,
    int months,
    YearMonth start,
    int rowsPerFile,
    long seed,
    double dirtyFraction,
    boolean gzip,
    boolean manifest,
    boolean realWorld,
    int backfillMonths,
    boolean resubmission) {

  public static final int DEFAULT_HOSPITALS = 3;
  public static final int DEFAULT_MONTHS = 2;
  public static final YearMonth DEFAULT_START = YearMonth.of(2024, 1);
  public static final int DEFAULT_ROWS_PER_FILE = 10_000;
  public static final long DEFAULT_SEED = 42;
  // source ids have three digits: h001 to h999
  private static final int MAX_HOSPITALS = 999;
  private static final int MAX_MONTHS = 1200;

  public GeneratorOptions {
    requireNonNull(outDir, "outDir is null");
    requireNonNull(sourcesDir, "sourcesDir is null");
    requireNonNull(start, "start is null");
    if (hospitals < 1 || hospitals > MAX_HOSPITALS) {
      throw new ValidationException(
          "Hospitals must be between 1 and " + MAX_HOSPITALS + ", got " + hospitals);
    }
    if (months < 1 || months > MAX_MONTHS) {
      throw new ValidationException(
          "Months must be between 1 and " + MAX_MONTHS + ", got " + months);
    }
    if (rowsPerFile < 1) {
      throw new ValidationException("Rows per file must be at least 1, got " + rowsPerFile);
    }
    if (backfillMonths < 0 || backfillMonths > MAX_MONTHS) {
      throw new ValidationException(
          "Backfill months must be between 0 and " + MAX_MONTHS + ", got " + backfillMonths);
    }
    if (!(dirtyFraction >= 0 && dirtyFraction <= 1)) {
      throw new ValidationException("Dirty fraction must be between 0 and 1, got " + dirtyFraction);
    }
  }

  public static GeneratorOptions defaults(Path outDir, Path sourcesDir) {
    return builder(outDir, sourcesDir).build();
  }

  public static Builder builder(Path outDir, Path sourcesDir) {
    return new Builder(outDir, sourcesDir);
  }

  public static final class Builder {
    private final Path outDir;
    private final Path sourcesDir;
    private int hospitals = DEFAULT_HOSPITALS;
    private int months = DEFAULT_MONTHS;
    private YearMonth start = DEFAULT_START;
    private int rowsPerFile = DEFAULT_ROWS_PER_FILE;
    private long seed = DEFAULT_SEED;
    private double dirtyFraction;
    private boolean gzip;
    private boolean manifest;
    private boolean realWorld;
    private int backfillMonths;
    private boolean resubmission;

    private Builder(Path outDir, Path sourcesDir) {
      this.outDir = requireNonNull(outDir, "outDir is null");
      this.sourcesDir = requireNonNull(sourcesDir, "sourcesDir is null");
    }

    public Builder hospitals(int hospitals) {
      this.hospitals = hospitals;
      return this;
    }

    public Builder months(int months) {
      this.months = months;
      return this;
    }

    public Builder start(YearMonth start) {
      this.start = requireNonNull(start, "start is null");
      return this;
    }

    public Builder rowsPerFile(int rowsPerFile) {
      this.rowsPerFile = rowsPerFile;
      return this;
    }

    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    public Builder dirtyFraction(double dirtyFraction) {
      this.dirtyFraction = dirtyFraction;
      return this;
    }

    /** Write {@code .csv.gz} files. */
    public Builder gzip() {
      this.gzip = true;
      return this;
    }

    /** Also write {@code manifest.json}. */
    public Builder manifest() {
      this.manifest = true;
      return this;
    }

    /** Also write rows of real-world shape. */
    public Builder realWorld() {
      this.realWorld = true;
      return this;
    }

    /** Also write a backfill file spanning this many months before the start; 0 for none. */
    public Builder backfillMonths(int backfillMonths) {
      this.backfillMonths = backfillMonths;
      return this;
    }

    /** Also write a broken resubmission of the first hospital's first month. */
    public Builder resubmission() {
      this.resubmission = true;
      return this;
    }

    public GeneratorOptions build() {
      return new GeneratorOptions(
          outDir,
          sourcesDir,
          hospitals,
          months,
          start,
          rowsPerFile,
          seed,
          dirtyFraction,
          gzip,
          manifest,
          realWorld,
          backfillMonths,
          resubmission);
    }
  }
}
