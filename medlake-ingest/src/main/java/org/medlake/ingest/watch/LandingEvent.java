package org.medlake.ingest.watch;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.Optional;

/**
 * A delivered file that is complete and ready to ingest. {@code receipt} identifies the
 * notification to its source, which is told with {@link LandingEvents#acknowledge} once the file is
 * ingested (for a queue: the message's receipt handle; for a directory: the path).
 *
 * @param file the local file, or for an object its name
 * @param objectLocation the {@code s3://bucket/key} of a file in an object-store landing zone
 */
public record LandingEvent(Path file, Optional<String> objectLocation, String receipt) {
  public LandingEvent {
    requireNonNull(file, "file is null");
    requireNonNull(objectLocation, "objectLocation is null");
    requireNonNull(receipt, "receipt is null");
  }

  public LandingEvent(Path file, String receipt) {
    this(file, Optional.empty(), receipt);
  }

  /** An object that was created in an object-store landing zone. */
  public static LandingEvent object(String location, String receipt) {
    return new LandingEvent(
        Path.of(location.substring(location.lastIndexOf('/') + 1)), Optional.of(location), receipt);
  }

  /** Where the file is: its {@code s3://} location or its local path. */
  public String location() {
    return objectLocation.orElseGet(file::toString);
  }
}
