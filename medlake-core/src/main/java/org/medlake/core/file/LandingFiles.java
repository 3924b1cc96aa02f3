package org.medlake.core.file;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.YearMonth;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.medlake.core.config.S3Config;
import org.medlake.core.error.ValidationException;

/**
 * Which files in a landing zone are deliveries, and which source and month each belongs to: the
 * rules both ingest engines and the watcher apply.
 */
public final class LandingFiles {
  /** The rejects report written next to a delivery (not a delivery itself). */
  public static final String REJECTS_CSV_SUFFIX = ".rejects.csv";

  private static final Pattern MONTH = Pattern.compile("(\\d{4})-(\\d{2})");

  private LandingFiles() {}

  /**
   * A delivery found in a landing zone: a local {@code file}, or an object at {@code
   * objectLocation} ({@code file} is then its name alone), with the source and month it was found
   * under.
   */
  public record Found(Path file, Optional<String> objectLocation, String source, YearMonth month) {
    public Found {
      requireNonNull(file, "file is null");
      requireNonNull(objectLocation, "objectLocation is null");
      requireNonNull(source, "source is null");
      requireNonNull(month, "month is null");
    }
  }

  /**
   * A {@code .csv} or {@code .csv.gz} file that is neither hidden (in-flight copies) nor a rejects
   * report.
   */
  public static boolean isDelivery(Path file) {
    return isDelivery(file.getFileName().toString());
  }

  /** {@link #isDelivery(Path)} for a file name or an object key (only its last segment counts). */
  public static boolean isDelivery(String location) {
    String name = location.substring(location.lastIndexOf('/') + 1).toLowerCase(Locale.ROOT);
    return (name.endsWith(".csv") || name.endsWith(".csv.gz"))
        && !name.startsWith(".")
        && !name.endsWith(REJECTS_CSV_SUFFIX);
  }

  /**
   * Expands local paths and object-store locations ({@code s3://bucket/prefix}, listed by {@code
   * listObjects}) into deliveries, by the rules of {@link #discoverFiles}: {@code
   * <source>/<YYYY-MM>/<file>} below the prefix.
   */
  public static List<Found> discover(
      List<String> inputs,
      Optional<String> source,
      Optional<YearMonth> month,
      Function<String, List<String>> listObjects) {
    List<Found> found = new ArrayList<>();
    for (String input : inputs) {
      if (!S3Config.isS3(input)) {
        found.addAll(discoverFiles(List.of(Path.of(input)), source, month));
        continue;
      }
      List<String> objects =
          isDelivery(input)
              ? List.of(input)
              : listObjects.apply(input).stream()
                  .filter(LandingFiles::isDelivery)
                  .sorted()
                  .toList();
      if (objects.isEmpty()) {
        throw new ValidationException("No .csv or .csv.gz objects under " + input);
      }
      for (String object : objects) {
        List<String> parts = List.of(object.substring(object.indexOf("://") + 3).split("/"));
        Path key = Path.of(parts.get(0), parts.subList(1, parts.size()).toArray(String[]::new));
        found.add(
            new Found(
                Path.of(object.substring(object.lastIndexOf('/') + 1)),
                Optional.of(object),
                source.orElseGet(() -> sourceOf(key, object)),
                month.orElseGet(() -> monthOf(key, object))));
      }
    }
    return found;
  }

  /**
   * Expands files and directories into deliveries, in path order. The source is {@code source} when
   * given, else the directory above the month directory ({@code <source>/<YYYY-MM>/file.csv}); the
   * month is {@code month} when given, else the month directory or a {@code YYYY-MM} in the file
   * name.
   */
  public static List<Found> discoverFiles(
      List<Path> paths, Optional<String> source, Optional<YearMonth> month) {
    List<Found> found = new ArrayList<>();
    for (Path path : paths) {
      if (!Files.exists(path)) {
        throw new ValidationException("No such file or directory: " + path);
      }
      List<Path> files;
      try (Stream<Path> walk = Files.walk(path)) {
        files =
            walk.filter(Files::isRegularFile)
                .filter(LandingFiles::isDelivery)
                .sorted(Comparator.comparing(Path::toString))
                .toList();
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot list " + path, e);
      }
      if (files.isEmpty() && Files.isDirectory(path)) {
        throw new ValidationException("No .csv or .csv.gz files under " + path);
      }
      if (Files.isRegularFile(path) && files.isEmpty()) {
        files = List.of(path);
      }
      for (Path file : files) {
        found.add(
            new Found(
                file,
                Optional.empty(),
                source.orElseGet(() -> sourceOf(file, file.toString())),
                month.orElseGet(() -> monthOf(file, file.toString()))));
      }
    }
    return found;
  }

  private static String sourceOf(Path file, String shown) {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null
        && MONTH.matcher(parent.getFileName().toString()).matches()
        && parent.getParent() != null) {
      return parent.getParent().getFileName().toString();
    }
    throw new ValidationException(
        shown + ": cannot tell the source; put it in <source>/<YYYY-MM>/ or pass --source");
  }

  private static YearMonth monthOf(Path file, String shown) {
    Path parent = file.toAbsolutePath().getParent();
    for (String candidate :
        new String[] {
          parent == null ? "" : parent.getFileName().toString(), file.getFileName().toString()
        }) {
      Matcher matcher = MONTH.matcher(candidate);
      if (matcher.find()) {
        try {
          return YearMonth.parse(matcher.group());
        } catch (DateTimeParseException ignored) {
          // not a month after all; try the next candidate
        }
      }
    }
    throw new ValidationException(
        shown + ": cannot tell the delivery month; put it in <source>/<YYYY-MM>/ or pass --month");
  }
}
