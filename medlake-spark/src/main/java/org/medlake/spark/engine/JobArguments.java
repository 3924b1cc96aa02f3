package org.medlake.spark.engine;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.YearMonth;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The job's command line. Plain Java: the Spark side reads {@code --master} from it, the engine the
 * rest.
 */
public record JobArguments(
    Path home,
    Optional<String> source,
    Optional<YearMonth> month,
    Optional<String> master,
    List<String> paths) {
  public static final String USAGE =
      "usage: spark-submit --class org.medlake.spark.SparkIngestJob medlake-spark.jar --home DIR [--source NAME] [--month YYYY-MM]"
          + " [--master URL] PATH...";

  public JobArguments {
    requireNonNull(home, "home is null");
    requireNonNull(source, "source is null");
    requireNonNull(month, "month is null");
    requireNonNull(master, "master is null");
    paths = List.copyOf(paths);
  }

  /**
   * @throws IllegalArgumentException with a one-line message naming the option
   */
  public static JobArguments parse(String[] args) {
    Path home = null;
    String source = null;
    YearMonth month = null;
    String master = null;
    List<String> paths = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      switch (arg) {
        case "--home" -> home = Path.of(value(args, ++i, arg));
        case "--source" -> source = value(args, ++i, arg);
        case "--master" -> master = value(args, ++i, arg);
        case "--month" -> {
          String text = value(args, ++i, arg);
          try {
            month = YearMonth.parse(text);
          } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("--month: '" + text + "' is not YYYY-MM");
          }
        }
        default -> {
          if (arg.startsWith("--")) {
            throw new IllegalArgumentException("unknown option " + arg);
          }
          paths.add(arg);
        }
      }
    }
    if (home == null) {
      throw new IllegalArgumentException("--home is required");
    }
    if (paths.isEmpty()) {
      throw new IllegalArgumentException("no file or directory to ingest");
    }
    return new JobArguments(
        home,
        Optional.ofNullable(source),
        Optional.ofNullable(month),
        Optional.ofNullable(master),
        paths);
  }

  private static String value(String[] args, int index, String option) {
    if (index >= args.length) {
      throw new IllegalArgumentException(option + " needs a value");
    }
    return args[index];
  }
}
