package org.medlake.core.file;

import java.nio.file.Path;
import java.util.Locale;

/** Which files in a landing zone are deliveries: the one rule both ingest engines and the watcher apply. */
public final class LandingFiles {
  /** The rejects report written next to a delivery (not a delivery itself). */
  public static final String REJECTS_CSV_SUFFIX = ".rejects.csv";

  private LandingFiles() {}

  /** A {@code .csv} or {@code .csv.gz} file that is neither hidden (in-flight copies) nor a rejects report. */
  public static boolean isDelivery(Path file) {
    return isDelivery(file.getFileName().toString());
  }

  /** {@link #isDelivery(Path)} for a file name or an object key (only its last segment counts). */
  public static boolean isDelivery(String location) {
    String name = location.substring(location.lastIndexOf('/') + 1).toLowerCase(Locale.ROOT);
    return (name.endsWith(".csv") || name.endsWith(".csv.gz")) && !name.startsWith(".") && !name.endsWith(REJECTS_CSV_SUFFIX);
  }
}
